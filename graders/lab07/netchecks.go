package lab07

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"sort"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// appPort is the port of ddlab/webapp:1 and ddlab/kv:1 inside their containers.
const appPort = "8080"

func (s *state) checkDNS(ctx context.Context) (check.Outcome, error) {
	w, fail, err := s.running(ctx, web)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	names := []string{"api", "db", "database"}
	var cmds [][]string
	for _, n := range names {
		cmds = append(cmds, s.dnsCmd(n))
	}
	cmds = append(cmds, s.httpCmd("http://api:"+appPort+"/health", 10))
	res, err := s.probe(ctx, "container:"+w.ID, cmds...)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeDNS(names, res), nil
}

// judgeDNS: from web, each of names resolves (res[i]), and the last probe, GET
// http://api:8080/health, answers 200.
func judgeDNS(names []string, res []probeResult) check.Outcome {
	var probs, seen []string
	for i, n := range names {
		if p := res[i]; p.OK {
			seen = append(seen, fmt.Sprintf("%s → %s", n, strings.Join(ipv4(p.Addrs), " ")))
		} else {
			why := p.Why()
			if p.Code == "refused" {
				why = "127.0.0.11 ne répond pas : pas de DNS intégré, le réseau par défaut bridge n'en a pas"
			}
			probs = append(probs, fmt.Sprintf("%s ne se résout pas depuis %s (%s)", n, web, why))
		}
	}
	h := res[len(names)]
	switch {
	case !h.OK:
		probs = append(probs, fmt.Sprintf("GET http://api:%s/health depuis %s : %s", appPort, web, h.Why()))
	case h.Status != 200:
		probs = append(probs, fmt.Sprintf("GET http://api:%s/health depuis %s : HTTP %d", appPort, web, h.Status))
	}
	if len(probs) > 0 {
		return check.Failf("DNS depuis %s : %s.", "DNS from %s: %s.", web, probs[0]).
			With("api, db et database résolus par 127.0.0.11 ; GET http://api:8080/health → 200",
				strings.Join(append(probs, seen...), "\n"))
	}
	return check.Passf("Depuis %s : %s ; GET http://api:8080/health → 200.", "From %s: %s; GET http://api:8080/health → 200.",
		web, strings.Join(seen, ", "))
}

func (s *state) checkIsolation(ctx context.Context) (check.Outcome, error) {
	d, fail, err := s.running(ctx, db)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	f, err := s.network(ctx, front)
	if err != nil {
		return check.Outcome{}, err
	}
	if f == nil {
		return check.Failf("%s n'existe pas : impossible d'y placer la sonde.", "%s does not exist: the probe cannot be placed on it.", front).
			With(front, "absent"), nil
	}
	cmds := [][]string{s.dnsCmd(web), s.httpCmd("http://"+web+":"+appPort+"/health", 10), s.dnsCmd("db"), s.dnsCmd(db)}
	ips := endpointIPs(d)
	for _, ip := range ips {
		cmds = append(cmds, s.tcpCmd(net.JoinHostPort(ip, appPort)))
	}
	res, err := s.probe(ctx, front, cmds...)
	if err != nil {
		return check.Outcome{}, err
	}
	o, control := judgeIsolation(ips, res)
	if control != nil {
		return s.controlFailed(ctx, fmt.Sprintf("une sonde sur %s joint %s par son nom", front, web), *control, front)
	}
	return o, nil
}

// judgeIsolation decides from a probe on front: res[0] and res[1] are the positive control
// (web by name, its /health), res[2] and res[3] the names db and lab7-db, then one TCP probe
// per address of db (ips). When the control failed, control is it and o means nothing: a
// failing control is never a verdict on the student.
func judgeIsolation(ips []string, res []probeResult) (o check.Outcome, control *probeResult) {
	if !res[0].OK || !res[1].OK || res[1].Status != 200 {
		p := res[0]
		if p.OK {
			p = res[1]
		}
		return check.Outcome{}, &p
	}
	var probs []string
	for i, n := range []string{"db", db} {
		if p := res[2+i]; p.OK {
			probs = append(probs, fmt.Sprintf("%s se résout depuis %s (%s)", n, front, strings.Join(p.Addrs, " ")))
		}
	}
	var blocked []string
	for i, ip := range ips {
		p := res[4+i]
		switch {
		case p.OK:
			probs = append(probs, fmt.Sprintf("TCP %s:%s joignable depuis %s", ip, appPort, front))
		case p.Code == "refused":
			probs = append(probs, fmt.Sprintf("TCP %s:%s répond (connexion refusée) depuis %s : le réseau n'est pas isolé", ip, appPort, front))
		default:
			blocked = append(blocked, fmt.Sprintf("%s:%s (%s)", ip, appPort, p.Why()))
		}
	}
	if len(probs) > 0 {
		return check.Failf("La base est visible depuis %s : %s.", "The database is visible from %s: %s.", front, probs[0]).
			With(fmt.Sprintf("db inconnu et %s injoignable depuis %s", db, front), strings.Join(probs, "\n")), nil
	}
	return check.Passf("Depuis %s : %s joignable (contrôle), db inconnu, TCP vers %s bloqué.",
		"From %s: %s reachable (control), db unknown, TCP to %s blocked.", front, web, strings.Join(blocked, ", ")), nil
}

func (s *state) checkEgress(ctx context.Context) (check.Outcome, error) {
	if s.remote {
		return check.RemoteSkip(s.run.Engine.Host(), "le correcteur ne peut pas écouter sur la passerelle de "+front+".",
			"the grader cannot listen on "+front+"'s gateway."), nil
	}
	a, fail, err := s.running(ctx, api)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	f, err := s.network(ctx, front)
	if err != nil {
		return check.Outcome{}, err
	}
	if f == nil || len(f.Gateways) == 0 || f.Gateways[0] == "" {
		return check.Skipf("Non évalué : %s n'existe pas (voir lab7.networks) ; le canari écoute sur sa passerelle.",
			"Not evaluated: %s does not exist (see lab7.networks); the canary listens on its gateway.", front), nil
	}
	w, fail, err := s.running(ctx, web)
	if err != nil {
		return check.Outcome{}, err
	}
	if fail != nil {
		return check.Skipf("Non évalué : le contrôle se fait depuis %s, qui ne tourne pas (voir lab7.attachments).",
			"Not evaluated: the control runs from %s, which is not running (see lab7.attachments).", web), nil
	}
	c, err := s.startCanary(ctx, front, f.Gateways[0], s.param("canary-port"))
	if err != nil {
		return check.Outcome{}, fmt.Errorf("the egress canary on %s:%s, %s's gateway: %w", f.Gateways[0], s.param("canary-port"), front, err)
	}
	defer c.stop(ctx)
	ctl, err := s.probe(ctx, "container:"+w.ID, s.httpCmd(c.url(), 10))
	if err != nil {
		return check.Outcome{}, err
	}
	if !c.answered(ctl[0]) {
		return s.controlFailed(ctx, fmt.Sprintf("%s joint le canari %s", web, c.addr), ctl[0], front)
	}
	// From api's own namespace: a control over back (web answers), then the canary.
	res, err := s.probe(ctx, "container:"+a.ID, s.httpCmd("http://"+web+":"+appPort+"/health", 10), s.httpCmd(c.url(), 0), []string{"routes"})
	if err != nil {
		return check.Outcome{}, err
	}
	if !res[0].OK || res[0].Status != 200 {
		return s.controlFailed(ctx, fmt.Sprintf("%s joint %s sur %s", api, web, back), res[0], back)
	}
	open, err := s.openNetworks(ctx, a)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeEgress(egressObs{Canary: c.addr, Probe: res[1], DefaultRoute: res[2].Default, Networks: networkNames(a), Open: open}), nil
}

// egressObs is what lab7.internal-egress sees once both controls passed: api's try at the
// canary (see canary), whether api has a default route, its networks and those not internal.
type egressObs struct {
	Canary       string
	Probe        probeResult
	DefaultRoute bool
	Networks     []string
	Open         []string
}

// judgeEgress: from api's own namespace the canary does not answer, while it answers web on
// lab7-front (the control, checked before). Only an --internal network stops the forwarded
// request, so the probe decides; a network of api that is not internal is named besides.
func judgeEgress(o egressObs) check.Outcome {
	route := "absente"
	if o.DefaultRoute {
		route = "présente"
	}
	nets := strings.Join(o.Networks, " ")
	if nets == "" {
		nets = "aucun à lui (il partage l'espace réseau d'un autre conteneur)"
	}
	seen := fmt.Sprintf("canari %s depuis %s : %s ; réseaux de %s : %s ; route par défaut : %s",
		o.Canary, api, reached(o.Probe), api, nets, route)
	want := "canari injoignable depuis " + api + ", qui n'est que sur des réseaux --internal"
	switch {
	case o.Probe.OK:
		why := "un réseau --internal l'en empêcherait"
		if len(o.Open) > 0 {
			why = strings.Join(o.Open, ", ") + " n'est pas --internal"
		}
		return check.Failf("%s joint le canari %s, un conteneur derrière l'hôte : il a une sortie (%s).",
			"%s reaches the canary %s, a container behind the host: it has a way out (%s).", api, o.Canary, why).With(want, seen)
	case len(o.Open) > 0:
		return check.Failf("%s est rattaché à %s, qui n'est pas --internal : le canari ne répond pas (%s), mais rien n'empêche une sortie.",
			"%s is attached to %s, which is not --internal: the canary does not answer (%s), but nothing stops a way out.", api, strings.Join(o.Open, ", "), o.Probe.Why()).With(want, seen)
	}
	return check.Passf("Depuis %s, le canari %s (un conteneur derrière l'hôte, que %s joint) est injoignable (%s) : pas de sortie. Route par défaut : %s (non noté).",
		"From %s, the canary %s (a container behind the host, which %s reaches) is unreachable (%s): no way out. Default route: %s (not scored).",
		api, o.Canary, web, o.Probe.Why(), route)
}

// openNetworks lists the networks of c that are not internal: each is a way out.
func (s *state) openNetworks(ctx context.Context, c engine.Container) ([]string, error) {
	var open []string
	for _, name := range networkNames(c) {
		ref := c.Networks[name].NetworkID
		if ref == "" {
			ref = name
		}
		if name == "none" {
			continue
		}
		n, err := s.run.Engine.InspectNetwork(ctx, ref)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return nil, err
		}
		if !n.Internal {
			open = append(open, name)
		}
	}
	return open, nil
}

func reached(p probeResult) string {
	if p.OK {
		return fmt.Sprintf("répond (HTTP %d en %d ms)", p.Status, p.MS)
	}
	return "injoignable (" + p.Why() + ")"
}

func (s *state) checkAlias(ctx context.Context) (check.Outcome, error) {
	d, fail, err := s.running(ctx, db)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	ep, ok := d.Networks[back]
	if !ok {
		return check.Failf("%s n'est pas sur %s.", "%s is not on %s.", db, back).With(back, strings.Join(networkNames(d), " ")), nil
	}
	b, err := s.network(ctx, back)
	if err != nil {
		return check.Outcome{}, err
	}
	if b == nil {
		return check.Failf("%s n'existe pas.", "%s does not exist.", back).With(back, "absent"), nil
	}
	names := []string{"database", "db"}
	res, err := s.probe(ctx, back, s.dnsCmd(names[0]), s.dnsCmd(names[1]))
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeAlias(ep, names, res), nil
}

// judgeAlias: on back, each of names (res[i]) resolves to db's address there (ep) only.
func judgeAlias(ep engine.Endpoint, names []string, res []probeResult) check.Outcome {
	var probs []string
	for i, n := range names {
		p := res[i]
		got := ipv4(p.Addrs)
		switch {
		case !p.OK:
			probs = append(probs, fmt.Sprintf("%s ne se résout pas sur %s (%s)", n, back, p.Why()))
		case !slices.Equal(got, []string{ep.IP}):
			probs = append(probs, fmt.Sprintf("%s se résout en %s, pas seulement en %s (l'adresse de %s)", n, strings.Join(got, " "), ep.IP, db))
		}
	}
	if len(probs) > 0 {
		return check.Failf("Alias : %s.", "Aliases: %s.", probs[0]).
			With(fmt.Sprintf("database et db → %s sur %s", ep.IP, back),
				strings.Join(append(probs, "alias déclarés : "+strings.Join(ep.Aliases, " ")), "\n"))
	}
	return check.Passf("Sur %s, database et db se résolvent en %s, l'adresse de %s.", "On %s, database and db resolve to %s, %s's address.",
		back, ep.IP, db)
}

func (s *state) checkNone(ctx context.Context) (check.Outcome, error) {
	b, fail, err := s.running(ctx, batch)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	if b.NetworkMode != "none" {
		return judgeNone(b, nil), nil
	}
	res, err := s.probe(ctx, "container:"+b.ID, []string{"ifaces"})
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeNone(b, res[0].Ifaces), nil
}

// judgeNone: batch runs with network mode none, and a probe in it sees lo only (ifaces, read
// only when the mode is none).
func judgeNone(b engine.Container, ifaces []probe.Iface) check.Outcome {
	if b.NetworkMode != "none" {
		return check.Failf("%s est en mode réseau %q, pas none.", "%s uses network mode %q, not none.", batch, b.NetworkMode).
			With("--network none", strings.Join(networkNames(b), " "))
	}
	var names []string
	for _, i := range ifaces {
		names = append(names, i.Name)
	}
	sort.Strings(names)
	if !slices.Equal(names, []string{"lo"}) {
		return check.Failf("Dans %s, la sonde voit les interfaces %s.", "In %s, the probe sees interfaces %s.", batch, strings.Join(names, " ")).
			With("lo seulement", strings.Join(names, " "))
	}
	return check.Passf("%s est sur none : seule l'interface lo existe.", "%s is on none: only the lo interface exists.", batch)
}

func (s *state) checkConnectLive(ctx context.Context) (check.Outcome, error) {
	for _, name := range []string{connectScript, disconnectScript} {
		if o, bad := scriptProblem(s.run.Files, name); bad {
			return o, nil
		}
	}
	a, fail, err := s.running(ctx, api)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	if f, err := s.network(ctx, front); err != nil || f == nil {
		if err != nil {
			return check.Outcome{}, err
		}
		return check.Failf("%s n'existe pas.", "%s does not exist.", front).With(front, "absent"), nil
	}
	if fail, err := s.runBonusScript(ctx, connectScript); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	mid, found, err := s.inspect(ctx, api)
	if err != nil {
		return check.Outcome{}, err
	}
	ep, on := mid.Networks[front]
	if !found || !on {
		return judgeConnected(mid, found, probeResult{}), nil
	}
	url := "http://" + api + ":" + appPort + "/health"
	res, err := s.probe(ctx, front, s.httpCmd(url, 10))
	if err != nil {
		return check.Outcome{}, err
	}
	if o := judgeConnected(mid, found, res[0]); o.Status != check.Pass {
		return o, nil
	}
	if fail, err := s.runBonusScript(ctx, disconnectScript); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	res, err = s.probe(ctx, front, s.httpCmd("http://"+web+":"+appPort+"/health", 10), s.dnsCmd(api),
		s.tcpCmd(net.JoinHostPort(ep.IP, appPort)))
	if err != nil {
		return check.Outcome{}, err
	}
	if !res[0].OK || res[0].Status != 200 {
		return s.controlFailed(ctx, fmt.Sprintf("une sonde sur %s joint %s", front, web), res[0], front)
	}
	after, found, err := s.inspect(ctx, api)
	if err != nil {
		return check.Outcome{}, err
	}
	var afterp *engine.Container
	if found {
		afterp = &after
	}
	return judgeDisconnected(ep.IP, res[1], res[2], a, afterp), nil
}

// judgeConnected: after connect.sh, api (mid; found false when it is gone) is on front and
// answers GET /health from there (reach, read only when it is on front).
func judgeConnected(mid engine.Container, found bool, reach probeResult) check.Outcome {
	if _, on := mid.Networks[front]; !found || !on {
		return check.Failf("Après %s, %s n'est pas sur %s.", "After %s, %s is not on %s.", connectScript, api, front).
			With(api+" sur "+front, strings.Join(networkNames(mid), " "))
	}
	url := "http://" + api + ":" + appPort + "/health"
	if !reach.OK || reach.Status != 200 {
		return check.Failf("Après %s, GET %s depuis %s échoue : %s.", "After %s, GET %s from %s fails: %s.", connectScript, url, front, reach.Why()).
			With("HTTP 200", reach.Why())
	}
	return check.Passf("Après %s, %s répond depuis %s.", "After %s, %s answers from %s.", connectScript, api, front)
}

// judgeDisconnected: after disconnect.sh, api is neither resolved (dns) nor reachable at its
// former address on front, ip (tcp), and it is the container before (running, the same one,
// not restarted); after is nil when it is gone.
func judgeDisconnected(ip string, dns, tcp probeResult, before engine.Container, after *engine.Container) check.Outcome {
	if dns.OK || tcp.OK {
		return check.Failf("Après %s, %s est encore joignable depuis %s.", "After %s, %s is still reachable from %s.", disconnectScript, api, front).
			With(api+" injoignable depuis "+front, fmt.Sprintf("DNS %s : %v ; TCP %s : %v", api, dns.OK, ip, tcp.OK))
	}
	switch {
	case after == nil || after.ID != before.ID:
		return check.Failf("%s a été recréé : connect/disconnect doivent agir sur le conteneur en marche.",
			"%s was recreated: connect/disconnect must act on the running container.", api).With("même conteneur", "recréé")
	case !after.Running || !after.StartedAt.Equal(before.StartedAt) || after.RestartCount != before.RestartCount:
		return check.Failf("%s a redémarré pendant connect/disconnect.", "%s restarted during connect/disconnect.", api).
			With("StartedAt "+before.StartedAt.String(), fmt.Sprintf("StartedAt %s, en marche : %v", after.StartedAt, after.Running))
	}
	return check.Passf("%s joignable depuis %s après %s, plus après %s, sans redémarrage.",
		"%s reachable from %s after %s, no longer after %s, without a restart.", api, front, connectScript, disconnectScript)
}

// controlFailed is the verdict when a positive control probe fails: it is not the student's
// negative result. When the student's topology explains it the check is skipped (see
// attachments); otherwise the environment is at fault and the grader cannot decide.
func (s *state) controlFailed(ctx context.Context, what string, p probeResult, on string) (check.Outcome, error) {
	w, found, err := s.inspect(ctx, web)
	if err != nil {
		return check.Outcome{}, err
	}
	if _, ok := w.Networks[on]; !found || !w.Running || !ok {
		return check.Skipf("Non évalué : le contrôle positif (%s) échoue (%s), car %s n'est pas démarré sur %s (voir lab7.attachments).",
			"Not evaluated: the positive control (%s) fails (%s) because %s is not running on %s (see lab7.attachments).",
			what, p.Why(), web, on), nil
	}
	return check.Outcome{}, fmt.Errorf("positive control failed (%s): %s; the environment, not the submission, is at fault", what, p.Why())
}

// endpointIPs lists a container's addresses on every network.
func endpointIPs(c engine.Container) []string {
	var ips []string
	for _, n := range networkNames(c) {
		if ip := c.Networks[n].IP; ip != "" {
			ips = append(ips, ip)
		}
	}
	return ips
}

// ipv4 keeps the IPv4 addresses of a DNS answer, sorted.
func ipv4(addrs []string) []string {
	var out []string
	for _, a := range addrs {
		if ip, err := netip.ParseAddr(a); err == nil && ip.Is4() {
			out = append(out, a)
		}
	}
	sort.Strings(out)
	return out
}
