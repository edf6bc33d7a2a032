package lab13

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

func nonce() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// serviceLogs concatenates the logs of every container of a service since a time.
func (s *state) serviceLogs(ctx context.Context, service string, since time.Time) (string, error) {
	cs, err := composelab.Containers(ctx, s.run.Engine, s.sess.Project(), service)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range cs {
		l, err := s.run.Engine.ReadLogs(ctx, c.ID, engine.LogOptions{Since: since, MaxBytes: 512 << 10})
		if err != nil {
			return "", err
		}
		b.WriteString(l.Stdout)
		b.WriteString(l.Stderr)
	}
	return b.String(), nil
}

// waitLogs polls a service's logs since a time until every wanted string shows, for up to 10 s
// (log lines reach the engine a little after the answer).
func (s *state) waitLogs(ctx context.Context, service string, since time.Time, want ...string) (bool, string, error) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		logs, err := s.serviceLogs(ctx, service, since)
		if err != nil {
			return false, "", err
		}
		all := true
		for _, w := range want {
			all = all && strings.Contains(logs, w)
		}
		if all || time.Now().After(deadline) {
			return all, logs, nil
		}
		select {
		case <-ctx.Done():
			return false, "", ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// order posts an order for p1 through the gateway and returns the answer.
func (s *state) order(ctx context.Context, headers ...string) (probe.Result, *check.Outcome, error) {
	res, o, err := s.through(ctx, s.postOrder("p1", s.probeTimeout, headers...))
	if o != nil || err != nil {
		return probe.Result{}, o, err
	}
	if res[0].Status != 201 {
		o := check.Failf("POST /api/orders {\"product\":\"p1\"} via la passerelle répond %s au lieu de 201.",
			"POST /api/orders {\"product\":\"p1\"} through the gateway answers %s instead of 201.", res[0].Why()).
			With("201", fmt.Sprintf("%s %s", res[0].Why(), check.Clip(res[0].Body, 200)))
		return res[0], &o, nil
	}
	return res[0], nil, nil
}

// checkE2E: an order through the gateway answers 201, and catalog's logs show the validation
// call orders made for it.
func (s *state) checkE2E(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	since := time.Now().Add(-time.Second)
	res, o, err := s.order(ctx)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	want := []string{"/products/p1"}
	if id := res.Headers["X-Request-Id"]; id != "" {
		want = append(want, id)
	}
	ok, logs, err := s.waitLogs(ctx, catalog, since, want...)
	if err != nil {
		return check.Outcome{}, err
	}
	if !ok {
		return check.Failf("La commande est acceptée mais les journaux de catalog ne montrent pas l'appel de validation de p1 : orders doit interroger catalog.",
			"The order is accepted but catalog's logs show no validation call for p1: orders must ask catalog.").
			With(strings.Join(want, " + "), check.Tail(logs, 5)), nil
	}
	return check.Passf("Commande créée (201) ; catalog a validé p1 pour orders.", "Order created (201); catalog validated p1 for orders."), nil
}

// checkSidecar: after an order, orders-logship's output holds its access-log line, read from a
// volume it shares with orders, read-only on its side.
func (s *state) checkSidecar(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	side, o, err := s.sess.Running(ctx, logship)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	ord, o, err := s.sess.Running(ctx, orders)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	shared := ""
	for _, m := range side.Mounts {
		for _, om := range ord.Mounts {
			if m.Type == "volume" && om.Type == "volume" && m.Source == om.Source {
				shared = m.Source
				if !m.ReadOnly {
					return check.Failf("Le sidecar monte %s en écriture : il ne fait que lire.", "The sidecar mounts %s read-write: it only reads.", m.Source).
						With(m.Source+":ro", m.Source+":rw"), nil
				}
			}
		}
	}
	if shared == "" {
		return check.Failf("orders-logship ne partage aucun volume avec orders.", "orders-logship shares no volume with orders.").With("un volume partagé", "aucun"), nil
	}
	since := time.Now().Add(-time.Second)
	res, o, err := s.order(ctx)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	want := "POST"
	if id := res.Headers["X-Request-Id"]; id != "" {
		want = id
	}
	ok, logs, err := s.waitLogs(ctx, logship, since, want)
	if err != nil {
		return check.Outcome{}, err
	}
	if !ok {
		return check.Failf("Après une commande, la sortie d'orders-logship ne contient pas la ligne du journal d'accès (%s).",
			"After an order, orders-logship's output lacks the access-log line (%s).", want).With(want, check.Tail(logs, 5)), nil
	}
	return check.Passf("Le sidecar expédie le journal d'accès d'orders (volume %s en lecture seule).", "The sidecar ships orders' access log (volume %s, read-only).", shared), nil
}

// checkCorrelation: a request sent with X-Request-ID shows that ID in the logs of gateway,
// orders and catalog.
func (s *state) checkCorrelation(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	id := "r-" + nonce()
	since := time.Now().Add(-time.Second)
	if _, o, err := s.order(ctx, "X-Request-ID:"+id); o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	var missing []string
	for _, svc := range goServices {
		ok, _, err := s.waitLogs(ctx, svc, since, id)
		if err != nil {
			return check.Outcome{}, err
		}
		if !ok {
			missing = append(missing, svc)
		}
	}
	if len(missing) > 0 {
		return check.Failf("L'identifiant %s n'apparaît pas dans les journaux de : %s.", "ID %s does not appear in the logs of: %s.", id, strings.Join(missing, ", ")).
			With(id+" dans gateway, orders, catalog", "absent de "+strings.Join(missing, ", ")), nil
	}
	return check.Passf("%s suit la requête dans gateway, orders et catalog.", "%s follows the request through gateway, orders and catalog.", id), nil
}

// checkFailureIsolation: with orders frozen (docker pause: connections are accepted, nothing
// answers), /api/catalog still answers 200 and /api/orders answers 504 within the budget.
func (s *state) checkFailureIsolation(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	c, err := s.run.Composer()
	if err != nil {
		return check.Outcome{}, err
	}
	p := s.sess.Project()
	if err := c.Pause(ctx, p, orders); err != nil {
		return check.Outcome{}, fmt.Errorf("pause orders: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = c.Unpause(uctx, p, orders)
	}()
	// The probe waits longer than the budget, so a gateway that hangs is measured, not cut.
	wait := 3 * s.budget
	post := s.postOrder("p1", wait)
	post[4] = "0" // -retries 0: one attempt, timed
	res, o, err := s.through(ctx, s.get("/api/catalog", 1), post)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	switch {
	case res[0].Status != 200:
		return check.Failf("orders figé, /api/catalog répond %s : la panne d'un service en bloque un autre.", "With orders frozen, /api/catalog answers %s.", res[0].Why()).
			With("200", res[0].Why()), nil
	case !res[1].OK:
		return check.Failf("orders figé, /api/orders ne répond pas en %s (%s) : fixez UPSTREAM_TIMEOUT sur la passerelle.",
			"With orders frozen, /api/orders does not answer within %s (%s): set UPSTREAM_TIMEOUT on the gateway.", wait, res[1].Why()).
			With(fmt.Sprintf("504 en moins de %s", s.budget), res[1].Why()), nil
	case res[1].Status != 504:
		return check.Failf("orders figé, /api/orders répond %d au lieu de 504.", "With orders frozen, /api/orders answers %d instead of 504.", res[1].Status).
			With("504", fmt.Sprint(res[1].Status)), nil
	case time.Duration(res[1].MS)*time.Millisecond > s.budget:
		return check.Failf("orders figé, /api/orders répond 504 mais en %d ms (budget %s).", "With orders frozen, /api/orders answers 504 but in %d ms (budget %s).", res[1].MS, s.budget).
			With("moins de "+s.budget.String(), fmt.Sprintf("%d ms", res[1].MS)), nil
	}
	return check.Passf("orders figé : /api/catalog répond 200, /api/orders 504 en %d ms.", "orders frozen: /api/catalog answers 200, /api/orders 504 in %d ms.", res[1].MS), nil
}

// checkScaleLB: catalog scaled to 3 replicas; requests through the gateway reach at least 2.
func (s *state) checkScaleLB(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	p := s.sess.Project()
	svc := p.Services[catalog]
	if svc.ContainerName != "" {
		return check.Failf("catalog a un container_name (%s) : un nom fixe interdit les répliques.", "catalog has a container_name (%s): a fixed name forbids replicas.", svc.ContainerName).
			With("pas de container_name", svc.ContainerName), nil
	}
	n := s.scale
	s.run.Progress(fmt.Sprintf("lab13 : catalog passe à %d répliques…", n))
	if err := s.sess.Scale(ctx, catalog, n, s.healthWait); err != nil {
		if ctx.Err() != nil {
			return check.Outcome{}, err
		}
		return check.Failf("catalog ne passe pas à %d répliques : %v", "catalog does not scale to %d replicas: %v", n, err).With(fmt.Sprint(n), check.Clip(err.Error(), 300)), nil
	}
	cmds := make([][]string, s.requests)
	for i := range cmds {
		cmds[i] = s.get("/api/catalog/products", 1)
	}
	res, o, err := s.through(ctx, cmds...)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	seen := composelab.ServedBy(res)
	if seen < 2 {
		return check.Failf("%d requêtes via la passerelle n'ont atteint que %d réplique(s) de catalog.", "%d requests through the gateway reached only %d catalog replica(s).", s.requests, seen).
			With("au moins 2 X-Served-By", fmt.Sprint(seen)), nil
	}
	return check.Passf("catalog à %d répliques ; %d requêtes en ont atteint %d.", "catalog at %d replicas; %d requests reached %d.", n, s.requests, seen), nil
}

var ipLiteral = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)

// addressed tells whether a value names a container by address (loopback and any-address
// are not containers).
func addressed(v string) bool {
	for _, ip := range ipLiteral.FindAllString(v, -1) {
		if ip != "127.0.0.1" && ip != "0.0.0.0" {
			return true
		}
	}
	return false
}

// checkDiscovery: ROUTES names services, never addresses; when catalog is recreated with a
// new address, nothing else restarted, the shop works again within the window.
func (s *state) checkDiscovery(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	p := s.sess.Project()
	for _, n := range p.ServiceNames() {
		for k, v := range p.Services[n].Environment {
			if v != nil && addressed(*v) {
				return check.Failf("%s.%s contient une adresse IP (%s) : elle change à chaque recréation.", "%s.%s holds an IP address (%s): it changes on every re-creation.",
					n, k, ipLiteral.FindString(*v)).With("des noms de service", *v), nil
			}
		}
	}
	old, o, err := s.sess.Running(ctx, catalog)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	gw, o, err := s.sess.Running(ctx, gateway)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	net := ""
	for n := range old.Networks {
		if _, ok := gw.Networks[n]; ok {
			net = n
		}
	}
	if net == "" {
		return check.Failf("gateway et catalog ne partagent aucun réseau.", "gateway and catalog share no network.").With("un réseau commun (backend)", "aucun"), nil
	}
	oldIP := old.Networks[net].IP
	if err := s.recreateElsewhere(ctx, net); err != nil {
		if ctx.Err() != nil || !errors.Is(err, errRecreate) {
			return check.Outcome{}, err // the grader's own steps (stop, placeholder)
		}
		return check.Failf("catalog ne revient pas après sa recréation : %v", "catalog does not come back after its re-creation: %v", err).With("catalog sain", check.Clip(err.Error(), 300)), nil
	}
	now, o, err := s.sess.Running(ctx, catalog)
	if o != nil || err != nil {
		return composelab.Verdict(o), err
	}
	if now.Networks[net].IP == oldIP {
		return check.Outcome{}, fmt.Errorf("catalog kept address %s after its re-creation: discovery cannot be observed", oldIP)
	}
	deadline := time.Now().Add(s.window)
	var last []probe.Result
	for {
		res, o, err := s.through(ctx, s.get("/api/catalog/products/p1", 0), s.postOrder("p1", s.probeTimeout))
		if o != nil || err != nil {
			return composelab.Verdict(o), err
		}
		last = res
		if res[0].Status == 200 && res[1].Status == 201 {
			return check.Passf("catalog recréé (%s → %s) : la passerelle et orders le retrouvent par son nom.", "catalog re-created (%s → %s): the gateway and orders find it by name.",
				oldIP, now.Networks[net].IP), nil
		}
		if time.Now().After(deadline) {
			break
		}
	}
	return check.Failf("Après la recréation de catalog (%s → %s), la boutique ne répond plus en %s : /api/catalog/products/p1 %s, POST /api/orders %s.",
		"After catalog was re-created (%s → %s), the shop does not answer within %s: /api/catalog/products/p1 %s, POST /api/orders %s.",
		oldIP, now.Networks[net].IP, s.window, last[0].Why(), last[1].Why()).With("200 puis 201", last[0].Why()+", "+last[1].Why()), nil
}

// recreateElsewhere recreates catalog so that it gets a new address: the engine would hand the
// freed one back, so a placeholder holds it meanwhile.
func (s *state) recreateElsewhere(ctx context.Context, network string) error {
	c, err := s.run.Composer()
	if err != nil {
		return err
	}
	p := s.sess.Project()
	if err := c.Stop(ctx, p, catalog); err != nil {
		return err
	}
	id, err := s.run.Engine.Run(ctx, engine.RunSpec{
		Name: s.run.Name("placeholder-" + nonce()), Image: "ddlab/busybox:1", Entrypoint: []string{"sleep", "300"},
		Labels: s.run.Labels(), NetworkMode: network, Limits: engine.Limits{MemoryBytes: 16 << 20, Pids: 8},
	})
	if id != "" {
		defer func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
			defer cancel()
			_ = s.run.Engine.Remove(rctx, engine.Ref{Kind: engine.KindContainer, ID: id})
		}()
	}
	if err != nil {
		return fmt.Errorf("placeholder: %w", err)
	}
	s.run.Progress("lab13 : recréation de catalog…")
	if err := s.run.Up(ctx, p, engine.UpOptions{Services: []string{catalog}, NoDeps: true, Recreate: true, Wait: true, WaitTimeout: s.healthWait}); err != nil {
		return fmt.Errorf("%w: %w", errRecreate, err)
	}
	return nil
}

// errRecreate marks Compose's own failure to bring catalog back: the student's project.
var errRecreate = errors.New("up")
