package lab13

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
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
	cs, err := composelab.Containers(ctx, s.Run.Engine, s.Sess.Project(), service)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, c := range cs {
		l, err := s.Run.Engine.ReadLogs(ctx, c.ID, engine.LogOptions{Since: since, MaxBytes: 512 << 10})
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
func (s *state) order(ctx context.Context, headers ...string) (*probe.Result, *check.Outcome, error) {
	res, o, err := s.through(ctx, s.postOrder("p1", s.ProbeTimeout, headers...))
	if o != nil || err != nil {
		return nil, o, err
	}
	return &res[0], nil, nil
}

// readLogs waits for want in a service's logs since a time.
func (s *state) readLogs(ctx context.Context, service string, since time.Time, want ...string) (*logsObs, error) {
	found, logs, err := s.waitLogs(ctx, service, since, want...)
	if err != nil {
		return nil, err
	}
	return &logsObs{Want: want, Found: found, Logs: logs}, nil
}

// checkE2E: an order through the gateway answers 201, and catalog's logs show the validation
// call orders made for it.
func (s *state) checkE2E(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	since := time.Now().Add(-time.Second)
	var obs e2eObs
	var o *check.Outcome
	var err error
	if obs.Order, o, err = s.order(ctx); o != nil || err != nil {
		return check.Verdict(o), err
	}
	if out, done := judgeE2E(obs); done {
		return out, nil
	}
	if obs.Catalog, err = s.readLogs(ctx, catalog, since, e2eWants(*obs.Order)...); err != nil {
		return check.Outcome{}, err
	}
	out, _ := judgeE2E(obs)
	return out, nil
}

// checkSidecar: after an order, orders-logship's output holds its access-log line, read from a
// volume it shares with orders, read-only on its side.
func (s *state) checkSidecar(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	side, o, err := s.Sess.Running(ctx, logship)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	ord, o, err := s.Sess.Running(ctx, orders)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	obs := sidecarObs{Sidecar: side.Mounts, Orders: ord.Mounts}
	if out, done := judgeSidecar(obs); done {
		return out, nil
	}
	since := time.Now().Add(-time.Second)
	if obs.Order, o, err = s.order(ctx); o != nil || err != nil {
		return check.Verdict(o), err
	}
	if out, done := judgeSidecar(obs); done {
		return out, nil
	}
	shared, _ := sharedVolume(obs.Sidecar, obs.Orders)
	written, err := probe.ReadVolume(ctx, s.Sess.Run, s.Param("probe-image"), shared)
	if err != nil {
		return check.Outcome{}, err
	}
	obs.Volume = &written
	if out, done := judgeSidecar(obs); done {
		return out, nil
	}
	if obs.Shipped, err = s.readLogs(ctx, logship, since, writtenID(written)); err != nil {
		return check.Outcome{}, err
	}
	out, _ := judgeSidecar(obs)
	return out, nil
}

// checkCorrelation: a request sent with X-Request-ID shows that ID in the logs of gateway,
// orders and catalog.
func (s *state) checkCorrelation(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	obs := correlationObs{ID: "r-" + nonce()}
	since := time.Now().Add(-time.Second)
	var o *check.Outcome
	var err error
	if obs.Order, o, err = s.order(ctx, "X-Request-ID:"+obs.ID); o != nil || err != nil {
		return check.Verdict(o), err
	}
	if out, done := judgeCorrelation(obs); done {
		return out, nil
	}
	for _, svc := range goServices {
		ok, _, err := s.waitLogs(ctx, svc, since, obs.ID)
		if err != nil {
			return check.Outcome{}, err
		}
		if !ok {
			obs.Missing = append(obs.Missing, svc)
		}
	}
	obs.Read = true
	out, _ := judgeCorrelation(obs)
	return out, nil
}

// checkFailureIsolation: with orders frozen (docker pause: connections are accepted, nothing
// answers), /api/catalog still answers 200 and /api/orders answers 504 within the budget.
func (s *state) checkFailureIsolation(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	c, err := s.Run.Composer()
	if err != nil {
		return check.Outcome{}, err
	}
	p := s.Sess.Project()
	if err := c.Pause(ctx, p, orders); err != nil {
		return check.Outcome{}, fmt.Errorf("pause orders: %w", err)
	}
	defer func() {
		uctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		_ = c.Unpause(uctx, p, orders)
	}()
	// The probe waits longer than the budget, so a gateway that hangs is measured, not cut.
	obs := isolationObs{Budget: s.budget, Wait: 3 * s.budget}
	post := s.postOrder("p1", obs.Wait)
	post[4] = "0" // -retries 0: one attempt, timed
	res, o, err := s.through(ctx, s.get("/api/catalog", 1), post)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	obs.Catalog, obs.Order = res[0], res[1]
	return judgeFailureIsolation(obs), nil
}

// checkScaleLB: catalog scaled to 3 replicas; requests through the gateway reach at least 2.
func (s *state) checkScaleLB(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	obs := scaleObs{ContainerName: s.Sess.Project().Services[catalog].ContainerName, N: s.Scale, Requests: s.requests}
	if out, done := judgeScaleLB(obs); done {
		return out, nil
	}
	s.Run.Progress(check.T("lab13 : catalog passe à %d répliques…", "lab13: scaling catalog to %d replicas…", obs.N))
	err := s.Sess.Scale(ctx, catalog, obs.N, s.HealthWait)
	if err != nil && ctx.Err() != nil {
		return check.Outcome{}, err
	}
	obs.Scaled, obs.ScaleErr = true, err
	if out, done := judgeScaleLB(obs); done {
		return out, nil
	}
	cmds := make([][]string, s.requests)
	for i := range cmds {
		cmds[i] = s.get("/api/catalog/products", 1)
	}
	res, o, err := s.through(ctx, cmds...)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	obs.Results = res
	out, _ := judgeScaleLB(obs)
	return out, nil
}

// checkDiscovery: ROUTES names services, never addresses; when catalog is recreated with a
// new address, nothing else restarted, the shop works again within the window.
func (s *state) checkDiscovery(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	obs := discoveryObs{Project: s.Sess.Project(), Window: s.window}
	if out, done := judgeDiscovery(obs); done {
		return out, nil
	}
	old, o, err := s.Sess.Running(ctx, catalog)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	gw, o, err := s.Sess.Running(ctx, gateway)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	net := sharedNetwork(old, gw)
	obs.Network = &net
	if out, done := judgeDiscovery(obs); done {
		return out, nil
	}
	obs.OldIP = old.Networks[net].IP
	err = s.recreateElsewhere(ctx, net)
	if err != nil && (ctx.Err() != nil || !errors.Is(err, errRecreate)) {
		return check.Outcome{}, err // the grader's own steps (stop, placeholder)
	}
	obs.Recreated, obs.RecreateErr = true, err
	if out, done := judgeDiscovery(obs); done {
		return out, nil
	}
	now, o, err := s.Sess.Running(ctx, catalog)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	obs.NewIP = now.Networks[net].IP
	if obs.NewIP == obs.OldIP {
		return check.Outcome{}, fmt.Errorf("catalog kept address %s after its re-creation: discovery cannot be observed", obs.OldIP)
	}
	deadline := time.Now().Add(s.window)
	for {
		res, o, err := s.through(ctx, s.get("/api/catalog/products/p1", 0), s.postOrder("p1", s.ProbeTimeout))
		if o != nil || err != nil {
			return check.Verdict(o), err
		}
		obs.Last, obs.Late = res, time.Now().After(deadline)
		if out, done := judgeDiscovery(obs); done {
			return out, nil
		}
	}
}

// recreateElsewhere recreates catalog so that it gets a new address: the engine would hand the
// freed one back, so a placeholder holds it meanwhile.
func (s *state) recreateElsewhere(ctx context.Context, network string) error {
	c, err := s.Run.Composer()
	if err != nil {
		return err
	}
	p := s.Sess.Project()
	if err := c.Stop(ctx, p, catalog); err != nil {
		return err
	}
	id, err := s.Run.Engine.Run(ctx, engine.RunSpec{
		Name: s.Run.Name("placeholder-" + nonce()), Image: "ddlab/busybox:1", Entrypoint: []string{"sleep", "300"},
		Labels: s.Run.Labels(), NetworkMode: network, Limits: engine.Limits{MemoryBytes: 16 << 20, Pids: 8},
	})
	if id != "" {
		defer func() {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
			defer cancel()
			_ = s.Run.Engine.Remove(rctx, engine.Ref{Kind: engine.KindContainer, ID: id})
		}()
	}
	if err != nil {
		return fmt.Errorf("placeholder: %w", err)
	}
	s.Run.Progress(check.Lit("lab13 : recréation de catalog…", "lab13: recreating catalog…"))
	if err := s.Run.Up(ctx, p, engine.UpOptions{Services: []string{catalog}, NoDeps: true, Recreate: true, Wait: true, WaitTimeout: s.HealthWait}); err != nil {
		return fmt.Errorf("%w: %w", errRecreate, err)
	}
	return nil
}

// errRecreate marks Compose's own failure to bring catalog back: the student's project.
var errRecreate = errors.New("up")
