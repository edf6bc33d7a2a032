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
	var probs []check.Text
	var seen []string
	for i, n := range names {
		if p := res[i]; p.OK {
			seen = append(seen, fmt.Sprintf("%s → %s", n, strings.Join(ipv4(p.Addrs), " ")))
		} else {
			why := p.Reason()
			if p.Code == "refused" {
				why = check.Lit("127.0.0.11 ne répond pas : pas de DNS intégré, le réseau par défaut bridge n'en a pas",
					"127.0.0.11 does not answer: no embedded DNS, the default bridge network has none")
			}
			probs = append(probs, check.T("%[1]s ne se résout pas depuis %[2]s (%[3]s)", "%[1]s does not resolve from %[2]s (%[4]s)", n, web, why.FR, why.EN))
		}
	}
	h := res[len(names)]
	switch {
	case !h.OK:
		why := h.Reason()
		probs = append(probs, check.T("GET http://api:%[1]s/health depuis %[2]s : %[3]s", "GET http://api:%[1]s/health from %[2]s: %[4]s", appPort, web, why.FR, why.EN))
	case h.Status != 200:
		probs = append(probs, check.T("GET http://api:%s/health depuis %s : HTTP %d", "GET http://api:%s/health from %s: HTTP %d", appPort, web, h.Status))
	}
	if len(probs) > 0 {
		return check.Failf("DNS depuis %[1]s : %[2]s.", "DNS from %[1]s: %[3]s.", web, probs[0].FR, probs[0].EN).
			WithT(check.Lit("api, db et database résolus par 127.0.0.11 ; GET http://api:8080/health → 200",
				"api, db and database resolved by 127.0.0.11; GET http://api:8080/health → 200"),
				check.Join(append(probs, check.Same(strings.Join(seen, "\n"))), "\n", "\n"))
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
			WithT(check.Same(front), missing), nil
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
		return s.controlFailed(ctx, check.T("une sonde sur %s joint %s par son nom", "a probe on %s reaches %s by name", front, web), *control, front)
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
	var probs, blocked []check.Text
	for i, n := range []string{"db", db} {
		if p := res[2+i]; p.OK {
			probs = append(probs, check.T("%s se résout depuis %s (%s)", "%s resolves from %s (%s)", n, front, strings.Join(p.Addrs, " ")))
		}
	}
	for i, ip := range ips {
		p := res[4+i]
		switch {
		case p.OK:
			probs = append(probs, check.T("TCP %s:%s joignable depuis %s", "TCP %s:%s reachable from %s", ip, appPort, front))
		case p.Code == "refused":
			probs = append(probs, check.T("TCP %s:%s répond (connexion refusée) depuis %s : le réseau n'est pas isolé",
				"TCP %s:%s answers (connection refused) from %s: the network is not isolated", ip, appPort, front))
		default:
			why := p.Reason()
			blocked = append(blocked, check.T("%[1]s:%[2]s (%[3]s)", "%[1]s:%[2]s (%[4]s)", ip, appPort, why.FR, why.EN))
		}
	}
	if len(probs) > 0 {
		return check.Failf("La base est visible depuis %[1]s : %[2]s.", "The database is visible from %[1]s: %[3]s.", front, probs[0].FR, probs[0].EN).
			WithT(check.T("db inconnu et %s injoignable depuis %s", "db unknown and %s unreachable from %s", db, front), check.Join(probs, "\n", "\n")), nil
	}
	bl := check.Join(blocked, ", ", ", ")
	return check.Passf("Depuis %[1]s : %[2]s joignable (contrôle), db inconnu, TCP vers %[3]s bloqué.",
		"From %[1]s: %[2]s reachable (control), db unknown, TCP to %[4]s blocked.", front, web, bl.FR, bl.EN), nil
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
		return s.controlFailed(ctx, check.T("%s joint le canari %s", "%s reaches the canary %s", web, c.addr), ctl[0], front)
	}
	// From api's own namespace: a control over back (web answers), then the canary.
	res, err := s.probe(ctx, "container:"+a.ID, s.httpCmd("http://"+web+":"+appPort+"/health", 10), s.httpCmd(c.url(), 0), []string{"routes"})
	if err != nil {
		return check.Outcome{}, err
	}
	if !res[0].OK || res[0].Status != 200 {
		return s.controlFailed(ctx, check.T("%s joint %s sur %s", "%s reaches %s on %s", api, web, back), res[0], back)
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
	route := check.Lit("absente", "none")
	if o.DefaultRoute {
		route = check.Lit("présente", "present")
	}
	nets := check.Same(strings.Join(o.Networks, " "))
	if len(o.Networks) == 0 {
		nets = check.Lit("aucun à lui (il partage l'espace réseau d'un autre conteneur)", "none of its own (it shares another container's network namespace)")
	}
	r := reached(o.Probe)
	seen := check.T("canari %[1]s depuis %[2]s : %[3]s ; réseaux de %[2]s : %[5]s ; route par défaut : %[7]s",
		"canary %[1]s from %[2]s: %[4]s; networks of %[2]s: %[6]s; default route: %[8]s", o.Canary, api, r.FR, r.EN, nets.FR, nets.EN, route.FR, route.EN)
	want := check.T("canari injoignable depuis %s, qui n'est que sur des réseaux --internal", "canary unreachable from %s, which is only on --internal networks", api)
	why := o.Probe.Reason()
	switch {
	case o.Probe.OK:
		way := check.Lit("un réseau --internal l'en empêcherait", "an --internal network would prevent it")
		if len(o.Open) > 0 {
			way = check.T("%s n'est pas --internal", "%s is not --internal", strings.Join(o.Open, ", "))
		}
		return check.Failf("%[1]s joint le canari %[2]s, un conteneur derrière l'hôte : il a une sortie (%[3]s).",
			"%[1]s reaches the canary %[2]s, a container behind the host: it has a way out (%[4]s).", api, o.Canary, way.FR, way.EN).WithT(want, seen)
	case len(o.Open) > 0:
		return check.Failf("%[1]s est rattaché à %[2]s, qui n'est pas --internal : le canari ne répond pas (%[3]s), mais rien n'empêche une sortie.",
			"%[1]s is attached to %[2]s, which is not --internal: the canary does not answer (%[4]s), but nothing stops a way out.",
			api, strings.Join(o.Open, ", "), why.FR, why.EN).WithT(want, seen)
	}
	return check.Passf("Depuis %[1]s, le canari %[2]s (un conteneur derrière l'hôte, que %[3]s joint) est injoignable (%[4]s) : pas de sortie. Route par défaut : %[6]s (non noté).",
		"From %[1]s, the canary %[2]s (a container behind the host, which %[3]s reaches) is unreachable (%[5]s): no way out. Default route: %[7]s (not scored).",
		api, o.Canary, web, why.FR, why.EN, route.FR, route.EN)
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

func reached(p probeResult) check.Text {
	if p.OK {
		return check.T("répond (HTTP %d en %d ms)", "answers (HTTP %d in %d ms)", p.Status, p.MS)
	}
	why := p.Reason()
	return check.T("injoignable (%[1]s)", "unreachable (%[2]s)", why.FR, why.EN)
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
		return check.Failf("%s n'existe pas.", "%s does not exist.", back).WithT(check.Same(back), missing), nil
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
	var probs []check.Text
	for i, n := range names {
		p := res[i]
		got := ipv4(p.Addrs)
		switch {
		case !p.OK:
			why := p.Reason()
			probs = append(probs, check.T("%[1]s ne se résout pas sur %[2]s (%[3]s)", "%[1]s does not resolve on %[2]s (%[4]s)", n, back, why.FR, why.EN))
		case !slices.Equal(got, []string{ep.IP}):
			probs = append(probs, check.T("%s se résout en %s, pas seulement en %s (l'adresse de %s)", "%s resolves to %s, not only to %s (the address of %s)",
				n, strings.Join(got, " "), ep.IP, db))
		}
	}
	if len(probs) > 0 {
		return check.Failf("Alias : %[1]s.", "Aliases: %[2]s.", probs[0].FR, probs[0].EN).
			WithT(check.T("database et db → %s sur %s", "database and db → %s on %s", ep.IP, back),
				check.Join(append(probs, check.T("alias déclarés : %s", "declared aliases: %s", strings.Join(ep.Aliases, " "))), "\n", "\n"))
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
		return check.Failf("%s est en mode réseau %q, pas « none ».", "%s uses network mode %q, not \"none\".", batch, b.NetworkMode).
			WithT(check.Same("--network none"), check.Same(strings.Join(networkNames(b), " ")))
	}
	var names []string
	for _, i := range ifaces {
		names = append(names, i.Name)
	}
	sort.Strings(names)
	if !slices.Equal(names, []string{"lo"}) {
		return check.Failf("Dans %s, la sonde voit les interfaces %s.", "In %s, the probe sees interfaces %s.", batch, strings.Join(names, " ")).
			WithT(check.Lit("lo seulement", "lo only"), check.Same(strings.Join(names, " ")))
	}
	return check.Passf("%s est sur le réseau « none » : seule l'interface lo existe.", "%s is on network \"none\": only the lo interface exists.", batch)
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
		return check.Failf("%s n'existe pas.", "%s does not exist.", front).WithT(check.Same(front), missing), nil
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
		return s.controlFailed(ctx, check.T("une sonde sur %s joint %s", "a probe on %s reaches %s", front, web), res[0], front)
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
			WithT(check.T("%s sur %s", "%s on %s", api, front), check.Same(strings.Join(networkNames(mid), " ")))
	}
	url := "http://" + api + ":" + appPort + "/health"
	if !reach.OK || reach.Status != 200 {
		why := reach.Reason()
		return check.Failf("Après %[1]s, GET %[2]s depuis %[3]s échoue : %[4]s.", "After %[1]s, GET %[2]s from %[3]s fails: %[5]s.", connectScript, url, front, why.FR, why.EN).
			WithT(check.Same("HTTP 200"), why)
	}
	return check.Passf("Après %s, %s répond depuis %s.", "After %s, %s answers from %s.", connectScript, api, front)
}

// judgeDisconnected: after disconnect.sh, api is neither resolved (dns) nor reachable at its
// former address on front, ip (tcp), and it is the container before (running, the same one,
// not restarted); after is nil when it is gone.
func judgeDisconnected(ip string, dns, tcp probeResult, before engine.Container, after *engine.Container) check.Outcome {
	if dns.OK || tcp.OK {
		return check.Failf("Après %s, %s est encore joignable depuis %s.", "After %s, %s is still reachable from %s.", disconnectScript, api, front).
			WithT(check.T("%s injoignable depuis %s", "%s unreachable from %s", api, front), check.T("DNS %s : %v ; TCP %s : %v", "DNS %s: %v; TCP %s: %v", api, dns.OK, ip, tcp.OK))
	}
	switch {
	case after == nil || after.ID != before.ID:
		return check.Failf("%s a été recréé : connect/disconnect doivent agir sur le conteneur en marche.",
			"%s was recreated: connect/disconnect must act on the running container.", api).
			WithT(check.Lit("même conteneur", "same container"), check.Lit("recréé", "recreated"))
	case !after.Running || !after.StartedAt.Equal(before.StartedAt) || after.RestartCount != before.RestartCount:
		return check.Failf("%s a redémarré pendant connect/disconnect.", "%s restarted during connect/disconnect.", api).
			WithT(check.Same("StartedAt "+before.StartedAt.String()), check.T("StartedAt %s, en marche : %v", "StartedAt %s, running: %v", after.StartedAt, after.Running))
	}
	return check.Passf("%s joignable depuis %s après %s, plus après %s, sans redémarrage.",
		"%s reachable from %s after %s, no longer after %s, without a restart.", api, front, connectScript, disconnectScript)
}

// controlFailed is the verdict when a positive control probe fails: it is not the student's
// negative result. When the student's topology explains it the check is skipped (see
// attachments); otherwise the environment is at fault and the grader cannot decide.
func (s *state) controlFailed(ctx context.Context, what check.Text, p probeResult, on string) (check.Outcome, error) {
	w, found, err := s.inspect(ctx, web)
	if err != nil {
		return check.Outcome{}, err
	}
	why := p.Reason()
	if _, ok := w.Networks[on]; !found || !w.Running || !ok {
		return check.Skipf("Non évalué : le contrôle positif (%[1]s) échoue (%[3]s), car %[5]s n'est pas démarré sur %[6]s (voir lab7.attachments).",
			"Not evaluated: the positive control (%[2]s) fails (%[4]s) because %[5]s is not running on %[6]s (see lab7.attachments).",
			what.FR, what.EN, why.FR, why.EN, web, on), nil
	}
	return check.Outcome{}, fmt.Errorf("positive control failed (%s): %s; the environment, not the submission, is at fault", what.EN, why.EN)
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
