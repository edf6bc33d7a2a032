package lab07

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/scriptlab"
)

// wantNetworks is where each container of the contract belongs.
var wantNetworks = map[string][]string{web: {back, front}, api: {back}, db: {back}}

// labLabel is the label every object of the lab carries (docs/labs/README.md §0.1).
const labLabel = "ddlab.lab"

// network reads a network; nil when it does not exist.
func (s *state) network(ctx context.Context, name string) (*engine.Network, error) {
	n, err := s.run.Engine.InspectNetwork(ctx, name)
	if isNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// A name is also matched as an ID prefix: only the exact name counts.
	if n.Name != name {
		return nil, nil
	}
	return &n, nil
}

func (s *state) checkNetworks(ctx context.Context) (check.Outcome, error) {
	f, err := s.network(ctx, front)
	if err != nil {
		return check.Outcome{}, err
	}
	b, err := s.network(ctx, back)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeNetworks(f, b, s.param("subnet")), nil
}

// judgeNetworks: front a labelled bridge, back a labelled internal bridge on subnet; f or b
// is nil when missing.
func judgeNetworks(f, b *engine.Network, subnet string) check.Outcome {
	if probs := networkProblems(f, b, subnet); len(probs) > 0 {
		return check.Failf("Réseaux : %[1]s.", "Networks: %[2]s.", probs[0].FR, probs[0].EN).
			WithT(check.T("%s : bridge ; %s : bridge, --internal, sous-réseau %s ; label %s=lab7 sur les deux",
				"%s: bridge; %s: bridge, --internal, subnet %s; label %s=lab7 on both", front, back, subnet, labLabel), check.Join(probs, "\n", "\n"))
	}
	return check.Passf("%s (bridge) et %s (bridge, interne, %s) existent, avec le label.",
		"%s (bridge) and %s (bridge, internal, %s) exist, labelled.", front, back, subnet)
}

// networkProblems lists what is wrong with the two networks; f or b is nil when missing.
func networkProblems(f, b *engine.Network, subnet string) []check.Text {
	var probs []check.Text
	for _, n := range []struct {
		name string
		net  *engine.Network
	}{{front, f}, {back, b}} {
		if n.net == nil {
			probs = append(probs, notExists(n.name))
			continue
		}
		if n.net.Driver != "bridge" {
			probs = append(probs, check.T("%s utilise le pilote %q, pas bridge", "%s uses driver %q, not bridge", n.name, n.net.Driver))
		}
		if n.net.Labels[labLabel] != "lab7" {
			probs = append(probs, noLabel(n.name))
		}
	}
	if f != nil && f.Internal {
		probs = append(probs, check.T("%s est --internal : le point d'entrée n'aurait aucune sortie (ni port publié)",
			"%s is --internal: the entry point would have no way out (and no published port)", front))
	}
	if b != nil {
		if !b.Internal {
			probs = append(probs, check.T("%s n'est pas --internal", "%s is not --internal", back))
		}
		if !slices.Contains(b.Subnets, subnet) {
			got := check.Same(strings.Join(b.Subnets, ", "))
			if len(b.Subnets) == 0 {
				got = check.Lit("aucun", "none")
			}
			probs = append(probs, check.T("%[1]s a pour sous-réseau %[2]s, pas %[4]s", "%[1]s has subnet %[3]s, not %[4]s", back, got.FR, got.EN, subnet))
		}
	}
	return probs
}

// notExists and noLabel are findings the topology checks share.
func notExists(name string) check.Text {
	return check.T("%s n'existe pas", "%s does not exist", name)
}

func noLabel(name string) check.Text {
	return check.T("%s n'a pas le label %s=lab7", "%s lacks the label %s=lab7", name, labLabel)
}

// missing is the actual value of what does not exist.
var missing = check.Lit("absent", "missing")

func (s *state) checkAttachments(ctx context.Context) (check.Outcome, error) {
	ctrs := map[string]*engine.Container{}
	for _, name := range []string{web, api, db} {
		c, found, err := s.inspect(ctx, name)
		if err != nil {
			return check.Outcome{}, err
		}
		if found {
			ctrs[name] = &c
		}
	}
	// Nothing of the lab on the default bridge, whatever its name.
	list, err := s.labContainers(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	var others []engine.Container
	for _, sum := range list {
		if _, done := ctrs[sum.Name]; done {
			continue
		}
		c, err := s.run.Engine.InspectContainer(ctx, sum.ID)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return check.Outcome{}, err
		}
		others = append(others, c)
	}
	return judgeAttachments(ctrs, others), nil
}

// judgeAttachments: each contract container (ctrs, by name; missing when absent) on its
// networks, and no other container of the lab (others) on the default bridge.
func judgeAttachments(ctrs map[string]*engine.Container, others []engine.Container) check.Outcome {
	probs := attachmentProblems(ctrs)
	for _, c := range others {
		if onDefaultBridge(c) {
			probs = append(probs, check.T("%s est sur le réseau par défaut bridge", "%s is on the default bridge network", c.Name))
		}
	}
	if len(probs) > 0 {
		return check.Failf("Rattachements : %[1]s.", "Attachments: %[2]s.", probs[0].FR, probs[0].EN).
			WithT(check.T("%s : %s + %s ; %s et %s : %s seulement ; rien sur bridge", "%s: %s + %s; %s and %s: %s only; nothing on bridge",
				web, front, back, api, db, back), check.Join(probs, "\n", "\n"))
	}
	return check.Passf("%s sur %s et %s ; %s et %s sur %s seulement ; rien sur le bridge par défaut.",
		"%s on %s and %s; %s and %s on %s only; nothing on the default bridge.", web, front, back, api, db, back)
}

// attachmentProblems compares each contract container's networks with the contract; a
// container missing from ctrs does not exist.
func attachmentProblems(ctrs map[string]*engine.Container) []check.Text {
	var probs []check.Text
	for _, name := range []string{web, api, db} {
		c := ctrs[name]
		if c == nil {
			probs = append(probs, notExists(name))
			continue
		}
		if !c.Running {
			probs = append(probs, check.T("%s n'est pas démarré (%s)", "%s is not running (%s)", name, c.Status))
		}
		got := networkNames(*c)
		if want := wantNetworks[name]; !slices.Equal(got, want) {
			probs = append(probs, check.T("%s est sur [%s], attendu [%s]", "%s is on [%s], expected [%s]", name, strings.Join(got, " "), strings.Join(want, " ")))
		}
		if c.Labels[labLabel] != "lab7" {
			probs = append(probs, noLabel(name))
		}
	}
	return probs
}

// networkNames lists a container's networks, sorted.
func networkNames(c engine.Container) []string {
	names := make([]string, 0, len(c.Networks))
	for n := range c.Networks {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// onDefaultBridge: attached to the network named bridge, or created with the default mode.
func onDefaultBridge(c engine.Container) bool {
	if _, ok := c.Networks["bridge"]; ok {
		return true
	}
	return c.NetworkMode == "default" && len(c.Networks) == 0
}

func (s *state) checkPublish(ctx context.Context) (check.Outcome, error) {
	list, err := s.labContainers(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o := publishObs{Port: s.param("port"), Remote: s.remote, Host: s.run.Engine.Host()}
	for _, sum := range list {
		c, err := s.run.Engine.InspectContainer(ctx, sum.ID)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return check.Outcome{}, err
		}
		o.Ctrs = append(o.Ctrs, c)
	}
	// The request through the port is made only when the bindings are right, from here.
	if len(publishProblems(o.Ctrs, o.Port)) == 0 && !o.Remote {
		o.URL = fmt.Sprintf("http://127.0.0.1:%s/api/health", o.Port)
		o.Status, o.ServedBy, o.GetErr = httpGet(ctx, o.URL, 10*time.Second)
		if o.GetErr != nil && ctx.Err() != nil {
			return check.Outcome{}, ctx.Err()
		}
	}
	return judgePublish(o), nil
}

// publishObs is what lab7.publish sees: the lab's containers and, when their bindings are
// right and the engine is local, a GET through the published port.
type publishObs struct {
	Ctrs     []engine.Container
	Port     string
	Remote   bool
	Host     string // DOCKER_HOST, for the remote engine's skip
	URL      string // "" when no request was made
	Status   int
	ServedBy string
	GetErr   error
}

// judgePublish: only web publishes, on 127.0.0.1:port → 8080/tcp, and its gateway reaches the
// API through it.
func judgePublish(o publishObs) check.Outcome {
	want := check.T("%s : 127.0.0.1:%s→8080/tcp, et rien d'autre de publié", "%s: 127.0.0.1:%s→8080/tcp, and nothing else published", web, o.Port)
	if probs := publishProblems(o.Ctrs, o.Port); len(probs) > 0 {
		return check.Failf("Publication : %[1]s.", "Publishing: %[2]s.", probs[0].FR, probs[0].EN).WithT(want, check.Join(probs, "\n", "\n"))
	}
	if o.Remote || o.URL == "" {
		// Half a check is not a pass: the request through the port is what the title promises.
		return check.RemoteSkip(o.Host, fmt.Sprintf("seul %s publie, sur 127.0.0.1:%s, mais la requête HTTP par ce port ne peut pas partir d'ici.", web, o.Port),
			fmt.Sprintf("only %s publishes, on 127.0.0.1:%s, but the HTTP request through that port cannot be made from here.", web, o.Port))
	}
	if o.GetErr != nil || o.Status != http.StatusOK {
		got := fmt.Sprintf("HTTP %d", o.Status)
		if o.GetErr != nil {
			got = check.OneLine(o.GetErr.Error(), 200)
		}
		return check.Failf("GET %s ne répond pas 200 : la passerelle de %s (ROUTES=/api=http://api:8080) n'atteint pas l'API.",
			"GET %s does not answer 200: %s's gateway (ROUTES=/api=http://api:8080) does not reach the API.", o.URL, web).
			WithT(check.T("HTTP 200 (réponse de %s)", "HTTP 200 (answered by %s)", api), check.Same(got))
	}
	return check.Passf("Seul %s publie, sur 127.0.0.1:%s ; GET /api/health → 200 (servi par %s).",
		"Only %s publishes, on 127.0.0.1:%s; GET /api/health → 200 (served by %s).", web, o.Port, o.ServedBy)
}

// publishProblems: only web publishes, only 127.0.0.1:port → 8080/tcp.
func publishProblems(ctrs []engine.Container, port string) []check.Text {
	var probs []check.Text
	webFound := false
	for _, c := range ctrs {
		var bound []engine.PortBinding
		for _, p := range c.Ports {
			if p.HostPort != "" {
				bound = append(bound, p)
			}
		}
		if c.Name != web {
			for _, p := range bound {
				probs = append(probs, check.T("%s publie %s:%s→%s : seul %s doit publier", "%s publishes %s:%s→%s: only %s may publish",
					c.Name, hostIP(p.HostIP), p.HostPort, p.ContainerPort, web))
			}
			continue
		}
		webFound = true
		if len(bound) == 0 {
			probs = append(probs, check.T("%s ne publie aucun port", "%s publishes no port", web))
		}
		for _, p := range bound {
			switch {
			case p.HostIP != "127.0.0.1":
				probs = append(probs, check.T("%s publie sur %s:%s : toutes les interfaces de la machine, pas seulement 127.0.0.1",
					"%s publishes on %s:%s: every interface of the machine, not only 127.0.0.1", web, hostIP(p.HostIP), p.HostPort))
			case p.HostPort != port || p.ContainerPort != "8080/tcp":
				probs = append(probs, check.T("%s publie 127.0.0.1:%s→%s, attendu 127.0.0.1:%s→8080/tcp", "%s publishes 127.0.0.1:%s→%s, expected 127.0.0.1:%s→8080/tcp",
					web, p.HostPort, p.ContainerPort, port))
			}
		}
	}
	if !webFound {
		probs = append(probs, notExists(web))
	}
	return probs
}

func hostIP(ip string) string {
	switch ip {
	case "", "0.0.0.0":
		return "0.0.0.0"
	case "::":
		return "[::]"
	}
	return ip
}

// httpGet calls url from the grader itself (the engine is local), retrying until it answers
// 200 or wait has passed: network.sh may have just started the containers.
func httpGet(ctx context.Context, url string, wait time.Duration) (int, string, error) {
	rep := scriptlab.NewClient(2*time.Second).GetReady(ctx, url, wait, nil,
		func(r scriptlab.Reply) bool { return r.Err == nil && r.Status == http.StatusOK })
	switch {
	case rep.Err != nil && ctx.Err() != nil:
		return 0, "", ctx.Err()
	case rep.Err != nil:
		return 0, "", rep.Err
	}
	return rep.Status, rep.Header.Get("X-Served-By"), nil
}

func (s *state) checkStaticIP(ctx context.Context) (check.Outcome, error) {
	c, found, err := s.inspect(ctx, db)
	if err != nil {
		return check.Outcome{}, err
	}
	if !found {
		return judgeStaticIP(nil, s.param("db-ip")), nil
	}
	return judgeStaticIP(&c, s.param("db-ip")), nil
}

// judgeStaticIP: db (nil when missing) has the address want on back, asked for with --ip.
func judgeStaticIP(c *engine.Container, want string) check.Outcome {
	if c == nil {
		return check.Failf("%s n'existe pas.", "%s does not exist.", db).WithT(check.Same(want), missing)
	}
	ep, ok := c.Networks[back]
	switch {
	case !ok:
		return check.Failf("%s n'est pas sur %s.", "%s is not on %s.", db, back).
			WithT(check.T("%s sur %s", "%s on %s", want, back), check.Same(strings.Join(networkNames(*c), " ")))
	case ep.StaticIP != want:
		got := check.Same(ep.StaticIP)
		if ep.StaticIP == "" {
			got = check.T("aucune adresse demandée (%s attribuée par Docker)", "no address asked for (%s assigned by Docker)", ep.IP)
		}
		return check.Failf("%s n'a pas l'adresse fixe %s sur %s.", "%s does not have the fixed address %s on %s.", db, want, back).
			WithT(check.Same("--ip "+want), got)
	case ep.IP != want:
		return check.Failf("%s a demandé %s mais a l'adresse %s.", "%s asked for %s but has address %s.", db, want, ep.IP).With(want, ep.IP)
	}
	return check.Passf("%s est à %s sur %s (adresse demandée avec --ip).", "%s is at %s on %s (address asked with --ip).", db, want, back)
}

// topo is what a second network.sh must leave unchanged.
type topo struct {
	Networks   map[string]string // name → ID, for the contract's networks that exist
	Containers map[string]ctrTopo
}

type ctrTopo struct {
	ID       string
	Running  bool
	Networks map[string]string // network → its aliases given by the student, sorted and joined
	Ports    string
}

func (s *state) topology(ctx context.Context) (topo, error) {
	t := topo{Networks: map[string]string{}, Containers: map[string]ctrTopo{}}
	for _, name := range []string{front, back} {
		n, err := s.network(ctx, name)
		if err != nil {
			return t, err
		}
		if n != nil {
			t.Networks[name] = n.ID
		}
	}
	list, err := s.labContainers(ctx)
	if err != nil {
		return t, err
	}
	for _, sum := range list {
		c, err := s.run.Engine.InspectContainer(ctx, sum.ID)
		if isNotFound(err) {
			continue
		} else if err != nil {
			return t, err
		}
		t.Containers[c.Name] = topoOf(c)
	}
	return t, nil
}

func topoOf(c engine.Container) ctrTopo {
	ct := ctrTopo{ID: c.ID, Running: c.Running, Networks: map[string]string{}}
	for name, ep := range c.Networks {
		var aliases []string
		for _, a := range ep.Aliases {
			// The engine adds the short ID (and recent engines the name): not the student's.
			if a == c.Name || (len(a) >= 12 && strings.HasPrefix(c.ID, a)) {
				continue
			}
			aliases = append(aliases, a)
		}
		sort.Strings(aliases)
		ct.Networks[name] = strings.Join(slices.Compact(aliases), ",")
	}
	var ports []string
	for _, p := range c.Ports {
		if p.HostPort != "" {
			ports = append(ports, net.JoinHostPort(p.HostIP, p.HostPort)+"→"+p.ContainerPort)
		}
	}
	sort.Strings(ports)
	ct.Ports = strings.Join(ports, " ")
	return ct
}

// empty: neither a network nor a container of the contract.
func (t topo) empty() bool { return len(t.Networks) == 0 && len(t.Containers) == 0 }

func (t topo) summary() check.Text {
	return check.Join([]check.Text{
		check.Count(len(t.Networks), "%d réseau", "%d réseaux", "%d network", "%d networks"),
		check.Count(len(t.Containers), "%d conteneur", "%d conteneurs", "%d container", "%d containers"),
	}, ", ", ", ")
}

// compareTopology lists what changed between two snapshots. A container recreated with the
// same attachments is not a change of topology; a network recreated is (its ID changes, and
// every container on it was disconnected meanwhile).
func compareTopology(a, b topo) []check.Text {
	var diff []check.Text
	for _, name := range sortedKeys(a.Networks) {
		switch idB, ok := b.Networks[name]; {
		case !ok:
			diff = append(diff, check.T("le réseau %s a disparu", "network %s is gone", name))
		case idB != a.Networks[name]:
			diff = append(diff, check.T("le réseau %s a été recréé (ID %.12s → %.12s)", "network %s was recreated (ID %.12s → %.12s)", name, a.Networks[name], idB))
		}
	}
	for _, name := range sortedKeys(b.Networks) {
		if _, ok := a.Networks[name]; !ok {
			diff = append(diff, check.T("le réseau %s est apparu", "network %s appeared", name))
		}
	}
	for _, name := range sortedKeys(a.Containers) {
		ca := a.Containers[name]
		cb, ok := b.Containers[name]
		if !ok {
			diff = append(diff, check.T("le conteneur %s a disparu", "container %s is gone", name))
			continue
		}
		if ca.Running && !cb.Running {
			diff = append(diff, check.T("le conteneur %s ne tourne plus", "container %s no longer runs", name))
		}
		for _, n := range sortedKeys(ca.Networks) {
			switch al, ok := cb.Networks[n]; {
			case !ok:
				diff = append(diff, check.T("%s n'est plus sur %s", "%s is no longer on %s", name, n))
			case al != ca.Networks[n]:
				diff = append(diff, check.T("les alias de %s sur %s ont changé : [%s] → [%s]", "the aliases of %s on %s changed: [%s] → [%s]", name, n, ca.Networks[n], al))
			}
		}
		for _, n := range sortedKeys(cb.Networks) {
			if _, ok := ca.Networks[n]; !ok {
				diff = append(diff, check.T("%s est maintenant aussi sur %s", "%s is now also on %s", name, n))
			}
		}
		if ca.Ports != cb.Ports {
			diff = append(diff, check.T("les ports publiés de %s ont changé : [%s] → [%s]", "the published ports of %s changed: [%s] → [%s]", name, ca.Ports, cb.Ports))
		}
	}
	for _, name := range sortedKeys(b.Containers) {
		if _, ok := a.Containers[name]; !ok {
			diff = append(diff, check.T("un conteneur %s est apparu", "a container %s appeared", name))
		}
	}
	return diff
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
