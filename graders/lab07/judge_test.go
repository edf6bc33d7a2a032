package lab07

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
	"github.com/ddlab/grade/internal/script"
)

// The tests below decide each check from recorded observations, without an engine: the cases
// of the fixtures (testdata/README.md) and those fixtures cannot show cheaply.

func TestJudgeNetworks(t *testing.T) {
	tests := []struct {
		name     string
		change   func(f, b *engine.Network) (*engine.Network, *engine.Network)
		want     check.Status
		contains string
	}{
		{"solution", func(f, b *engine.Network) (*engine.Network, *engine.Network) { return f, b }, check.Pass, "10.77.0.0/24"},
		{"fail-empty: nothing exists", func(*engine.Network, *engine.Network) (*engine.Network, *engine.Network) { return nil, nil },
			check.Fail, "lab7-front n'existe pas"},
		{"starter: no back", func(f, _ *engine.Network) (*engine.Network, *engine.Network) { return f, nil }, check.Fail, "lab7-back n'existe pas"},
		{"fail-topology: back not internal", func(f, b *engine.Network) (*engine.Network, *engine.Network) {
			b.Internal = false
			return f, b
		}, check.Fail, "lab7-back n'est pas --internal"},
		{"wrong subnet", func(f, b *engine.Network) (*engine.Network, *engine.Network) {
			b.Subnets = []string{"172.30.0.0/16"}
			return f, b
		}, check.Fail, "172.30.0.0/16, pas 10.77.0.0/24"},
		{"front internal", func(f, b *engine.Network) (*engine.Network, *engine.Network) {
			f.Internal = true
			return f, b
		}, check.Fail, "lab7-front est --internal"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, b := goodNetworks()
			f, b = tt.change(f, b)
			o := judgeNetworks(f, b, "10.77.0.0/24")
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeAttachments(t *testing.T) {
	good := map[string]*engine.Container{web: ctr(web, front, back), api: ctr(api, back), db: ctr(db, back)}
	bridged := func(name string) *engine.Container { return ctr(name, "bridge") }
	tests := []struct {
		name     string
		ctrs     map[string]*engine.Container
		others   []engine.Container
		want     check.Status
		contains string
	}{
		{"solution", good, []engine.Container{{Name: batch, NetworkMode: "none"}}, check.Pass, "rien sur le bridge"},
		{"fail-empty: nothing exists", map[string]*engine.Container{}, nil, check.Fail, "lab7-web n'existe pas"},
		{"starter: everything on bridge", map[string]*engine.Container{web: bridged(web), api: bridged(api), db: bridged(db)}, nil,
			check.Fail, "lab7-db est sur [bridge]"},
		{"fail-topology: db also on front", map[string]*engine.Container{web: ctr(web, front, back), api: ctr(api, back), db: ctr(db, back, front)}, nil,
			check.Fail, "lab7-db est sur [lab7-back lab7-front]"},
		{"another container of the lab on bridge", good, []engine.Container{*bridged("lab7-extra")}, check.Fail, "lab7-extra est sur le réseau par défaut bridge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeAttachments(tt.ctrs, tt.others)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

// published is a container with port bindings.
func published(name string, ports ...engine.PortBinding) engine.Container {
	return engine.Container{Name: name, Ports: ports}
}

func TestJudgePublish(t *testing.T) {
	good := []engine.Container{published(web, engine.PortBinding{HostIP: "127.0.0.1", HostPort: "8087", ContainerPort: "8080/tcp"}), published(api)}
	url := "http://127.0.0.1:8087/api/health"
	tests := []struct {
		name     string
		obs      publishObs
		want     check.Status
		contains string
	}{
		{"solution", publishObs{Ctrs: good, Port: "8087", URL: url, Status: 200, ServedBy: "lab7-api"}, check.Pass, "GET /api/health → 200"},
		{"remote engine: no request, skipped out of the denominator", publishObs{Ctrs: good, Port: "8087", Remote: true, Host: "tcp://ci:2376"}, check.Skip, "DOCKER_HOST=tcp://ci:2376"},
		{"starter: all interfaces", publishObs{Ctrs: []engine.Container{published(web,
			engine.PortBinding{HostIP: "0.0.0.0", HostPort: "8087", ContainerPort: "8080/tcp"},
			engine.PortBinding{HostIP: "::", HostPort: "8087", ContainerPort: "8080/tcp"})}, Port: "8087"},
			check.Fail, "publie sur 0.0.0.0:8087"},
		{"fail-empty: no web", publishObs{Port: "8087"}, check.Fail, "lab7-web n'existe pas"},
		{"another container publishes", publishObs{Ctrs: append([]engine.Container{published(db,
			engine.PortBinding{HostIP: "127.0.0.1", HostPort: "5432", ContainerPort: "8080/tcp"})}, good...), Port: "8087"},
			check.Fail, "seul lab7-web doit publier"},
		{"fail-topology: the gateway does not reach api", publishObs{Ctrs: good, Port: "8087", URL: url, Status: 502}, check.Fail, "n'atteint pas l'API"},
		{"no answer", publishObs{Ctrs: good, Port: "8087", URL: url, GetErr: errors.New("dial tcp 127.0.0.1:8087:\nconnection refused")},
			check.Fail, "dial tcp 127.0.0.1:8087: connection refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgePublish(tt.obs)
			assert.Equal(t, tt.want, o.Status)
			assert.Equal(t, tt.want == check.Skip, o.Excluded, "only the remote engine's skip leaves the denominator")
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeStaticIP(t *testing.T) {
	withEP := func(ep engine.Endpoint, nets ...string) *engine.Container {
		c := ctr(db, nets...)
		c.Networks[back] = ep
		return c
	}
	tests := []struct {
		name     string
		c        *engine.Container
		want     check.Status
		contains string
	}{
		{"solution", withEP(engine.Endpoint{IP: "10.77.0.10", StaticIP: "10.77.0.10"}), check.Pass, "10.77.0.10"},
		{"missing", nil, check.Fail, "lab7-db n'existe pas"},
		{"starter: not on back", ctr(db, "bridge"), check.Fail, "lab7-db n'est pas sur lab7-back"},
		{"address given by Docker", withEP(engine.Endpoint{IP: "10.77.0.3"}), check.Fail, "aucune adresse demandée (10.77.0.3"},
		{"asked for another", withEP(engine.Endpoint{IP: "10.77.0.11", StaticIP: "10.77.0.11"}), check.Fail, "n'a pas l'adresse fixe"},
		{"asked but not got", withEP(engine.Endpoint{IP: "10.77.0.3", StaticIP: "10.77.0.10"}), check.Fail, "a demandé 10.77.0.10 mais a l'adresse 10.77.0.3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeStaticIP(tt.c, "10.77.0.10")
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func dnsOK(addrs ...string) probeResult { return probeResult{OK: true, Addrs: addrs} }

func TestJudgeDNS(t *testing.T) {
	names := []string{"api", "db", "database"}
	health := probeResult{OK: true, Status: 200}
	tests := []struct {
		name     string
		res      []probeResult
		want     check.Status
		contains string
	}{
		{"solution", []probeResult{dnsOK("10.77.0.2"), dnsOK("10.77.0.10"), dnsOK("10.77.0.10", "fd00::1"), health}, check.Pass, "database → 10.77.0.10"},
		{"starter: no embedded DNS on bridge", []probeResult{{Code: "refused"}, {Code: "refused"}, {Code: "refused"}, {Code: "nxdomain"}},
			check.Fail, "pas de DNS intégré"},
		{"fail-topology: api has no alias", []probeResult{{Code: "nxdomain", Error: "no such host"}, dnsOK("10.77.0.10"), dnsOK("10.77.0.10"), {Code: "nxdomain"}},
			check.Fail, "api ne se résout pas depuis lab7-web"},
		{"api answers 500", []probeResult{dnsOK("10.77.0.2"), dnsOK("10.77.0.10"), dnsOK("10.77.0.10"), {OK: true, Status: 500}},
			check.Fail, "HTTP 500"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeDNS(names, tt.res)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeIsolation(t *testing.T) {
	control := []probeResult{dnsOK("10.77.1.2"), {OK: true, Status: 200}}
	blocked := probeResult{Code: "timeout", MS: 2000}
	tests := []struct {
		name        string
		ips         []string
		res         []probeResult
		wantControl bool
		want        check.Status
		contains    string
	}{
		{"solution", []string{"10.77.0.10"}, append(control, probeResult{Code: "nxdomain"}, probeResult{Code: "nxdomain"}, blocked),
			false, check.Pass, "db inconnu"},
		{"fail-topology: db resolves from front", []string{"10.77.0.10", "10.77.1.5"},
			append(control, dnsOK("10.77.1.5"), dnsOK("10.77.1.5"), blocked, probeResult{OK: true}),
			false, check.Fail, "db se résout depuis lab7-front"},
		{"refused is not isolated", []string{"10.77.0.10"}, append(control, probeResult{Code: "nxdomain"}, probeResult{Code: "nxdomain"}, probeResult{Code: "refused"}),
			false, check.Fail, "connexion refusée"},
		{"control fails: no verdict", []string{"10.77.0.10"}, []probeResult{blocked, blocked, blocked, blocked, blocked}, true, 0, ""},
		{"control answers 502: no verdict", []string{"10.77.0.10"}, []probeResult{dnsOK("10.77.1.2"), {OK: true, Status: 502}, blocked, blocked, blocked}, true, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ctl := judgeIsolation(tt.ips, tt.res)
			if tt.wantControl {
				require.NotNil(t, ctl)
				assert.Equal(t, check.Outcome{}, o)
				return
			}
			require.Nil(t, ctl)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeAlias(t *testing.T) {
	ep := engine.Endpoint{IP: "10.77.0.10", Aliases: []string{"database", "db"}}
	names := []string{"database", "db"}
	tests := []struct {
		name     string
		res      []probeResult
		want     check.Status
		contains string
	}{
		{"solution", []probeResult{dnsOK("10.77.0.10"), dnsOK("10.77.0.10")}, check.Pass, "se résolvent en 10.77.0.10"},
		{"alias missing", []probeResult{{Code: "nxdomain", Error: "no such host"}, dnsOK("10.77.0.10")}, check.Fail, "database ne se résout pas"},
		{"alias shared with another container", []probeResult{dnsOK("10.77.0.10", "10.77.0.4"), dnsOK("10.77.0.10")}, check.Fail, "pas seulement en 10.77.0.10"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeAlias(ep, names, tt.res)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeNone(t *testing.T) {
	none := engine.Container{Name: batch, NetworkMode: "none"}
	tests := []struct {
		name     string
		c        engine.Container
		ifaces   []probe.Iface
		want     check.Status
		contains string
	}{
		{"solution", none, []probe.Iface{{Name: "lo"}}, check.Pass, "seule l'interface lo"},
		{"on bridge", *ctr(batch, "bridge"), nil, check.Fail, "pas « none »"},
		{"an interface besides lo", none, []probe.Iface{{Name: "lo"}, {Name: "eth0"}}, check.Fail, "eth0 lo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeNone(tt.c, tt.ifaces)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeDeploy(t *testing.T) {
	tests := []struct {
		name     string
		res      script.Result
		want     check.Status
		contains string
	}{
		{"solution", script.Result{Duration: 1200 * time.Millisecond}, check.Pass, "code 0 en 1.2s"},
		{"fail-deploy: never returns", script.Result{TimedOut: true, Duration: 3 * time.Second, ExitCode: -1}, check.Fail, "n'a pas fini en 3s"},
		{"fails", script.Result{ExitCode: 1, Output: "docker: Error response from daemon"}, check.Fail, "code 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeDeploy(tt.res)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeIdempotent(t *testing.T) {
	topoOne := topo{Networks: map[string]string{back: "n1"}, Containers: map[string]ctrTopo{db: {ID: "c1", Running: true, Networks: map[string]string{back: "database,db"}}}}
	recreated := topo{Networks: map[string]string{back: "n2"}, Containers: topoOne.Containers}
	ok := &script.Result{}
	tests := []struct {
		name     string
		obs      idempotentObs
		want     check.Status
		contains string
	}{
		{"solution", idempotentObs{Before: topoOne, After: topoOne, Second: ok}, check.Pass, "inchangés (1 réseau, 1 conteneur)"},
		{"fail-empty: nothing to compare", idempotentObs{}, check.Skip, "ni réseau ni conteneur"},
		{"starter: second run conflicts", idempotentObs{Before: topoOne, Second: &script.Result{ExitCode: 125,
			Output: `docker: Error response from daemon: Conflict. The container name "/lab7-web" is already in use`}},
			check.Fail, "is already in use"},
		{"network recreated", idempotentObs{Before: topoOne, After: recreated, Second: ok}, check.Fail, "le réseau lab7-back a été recréé"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeIdempotent(tt.obs)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeCleanup(t *testing.T) {
	before := []check.Text{check.Lit("conteneur lab7-web", "container lab7-web"), check.Lit("réseau lab7-back", "network lab7-back")}
	tests := []struct {
		name     string
		obs      cleanupObs
		want     check.Status
		contains string
	}{
		{"solution", cleanupObs{Before: before, Run: &script.Result{}}, check.Pass, "plus aucun conteneur ni réseau"},
		{"fail-empty: nothing to clean", cleanupObs{}, check.Skip, "rien à nettoyer"},
		{"fail-topology: back remains", cleanupObs{Before: before, Run: &script.Result{}, After: before[1:]}, check.Fail, "réseau lab7-back"},
		{"cleanup.sh fails", cleanupObs{Before: before, Run: &script.Result{ExitCode: 1}}, check.Fail, "code 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeCleanup(tt.obs)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeEgress(t *testing.T) {
	tests := []struct {
		name     string
		obs      egressObs
		want     check.Status
		contains string
	}{
		{"solution: canary unreachable", egressObs{Canary: "172.18.0.1:18087", Probe: probeResult{Code: "unreachable", Error: "network is unreachable"},
			Networks: []string{back}}, check.Pass, "injoignable"},
		{"fail-topology: api on a network that is not internal", egressObs{Canary: "172.18.0.1:18087", Probe: probeResult{OK: true, Status: 200},
			Networks: []string{back}, Open: []string{back}}, check.Fail, "lab7-back n'est pas --internal"},
		{"every network internal by its flag, yet the canary answers: the probe decides", egressObs{Canary: "172.18.0.1:18087",
			Probe: probeResult{OK: true, Status: 200}, DefaultRoute: true, Networks: []string{back}}, check.Fail, "il a une sortie"},
		{"api in another container's namespace: no network of its own to flag", egressObs{Canary: "172.18.0.1:18087",
			Probe: probeResult{OK: true, Status: 200}, DefaultRoute: true}, check.Fail, "aucun à lui"},
		{"a network not internal, though the canary did not answer", egressObs{Canary: "172.18.0.1:18087", Probe: probeResult{Code: "timeout", MS: 2000},
			Networks: []string{back, "lab7-side"}, Open: []string{"lab7-side"}}, check.Fail, "rien n'empêche une sortie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeEgress(tt.obs)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeConnected(t *testing.T) {
	onFront := *ctr(api, back, front)
	tests := []struct {
		name     string
		mid      engine.Container
		found    bool
		reach    probeResult
		want     check.Status
		contains string
	}{
		{"solution", onFront, true, probeResult{OK: true, Status: 200}, check.Pass, "répond depuis lab7-front"},
		{"connect.sh did not connect", *ctr(api, back), true, probeResult{}, check.Fail, "lab7-api n'est pas sur lab7-front"},
		{"api gone", engine.Container{}, false, probeResult{}, check.Fail, "n'est pas sur lab7-front"},
		{"connected but silent", onFront, true, probeResult{Code: "timeout", MS: 2000}, check.Fail, "échoue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeConnected(tt.mid, tt.found, tt.reach)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}

func TestJudgeDisconnected(t *testing.T) {
	before := *ctr(api, back)
	before.StartedAt = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	restarted := before
	restarted.StartedAt = before.StartedAt.Add(time.Minute)
	recreated := before
	recreated.ID = "other"
	gone := probeResult{Code: "nxdomain"}
	blocked := probeResult{Code: "timeout"}
	tests := []struct {
		name     string
		dns, tcp probeResult
		after    *engine.Container
		want     check.Status
		contains string
	}{
		{"solution", gone, blocked, &before, check.Pass, "sans redémarrage"},
		{"still resolved", dnsOK("10.77.1.3"), blocked, &before, check.Fail, "encore joignable"},
		{"still reachable by address", gone, probeResult{OK: true}, &before, check.Fail, "encore joignable"},
		{"recreated", gone, blocked, &recreated, check.Fail, "a été recréé"},
		{"removed", gone, blocked, nil, check.Fail, "a été recréé"},
		{"restarted", gone, blocked, &restarted, check.Fail, "a redémarré"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeDisconnected("10.77.1.3", tt.dns, tt.tcp, before, tt.after)
			assert.Equal(t, tt.want, o.Status)
			assert.Contains(t, o.Message.FR+"\n"+o.Actual.FR, tt.contains)
		})
	}
}
