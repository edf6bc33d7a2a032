package lab13

import (
	"context"
	"errors"
	"maps"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// Every verdict of lab 13 judged from recorded observations, without an engine. The cases
// named after a fixture (testdata/<case>) are what that fixture makes the check observe on
// the real engine; the integration test checks the same verdicts end to end.

func str(s string) *string { return &s }

func ok(status int, body string) probe.Result {
	return probe.Result{OK: true, Status: status, Body: body}
}

func running(health string) engine.Container {
	return engine.Container{Name: "c", Running: true, Status: "running", Health: health}
}

func checked() *types.HealthCheckConfig {
	return &types.HealthCheckConfig{Test: []string{"CMD", "true"}}
}

func TestJudgeValid(t *testing.T) {
	solution := func() *types.Project {
		p := &types.Project{Services: types.Services{}}
		for _, n := range append(required, ambassador) {
			p.Services[n] = types.ServiceConfig{Name: n, HealthCheck: checked()}
		}
		m := p.Services[migrate]
		m.HealthCheck = nil // a job needs none
		p.Services[migrate] = m
		return p
	}
	starter := &types.Project{Services: types.Services{gateway: {Name: gateway}, catalog: {Name: catalog}, orders: {Name: orders}, "db": {Name: "db"}}}
	unchecked := solution()
	unchecked.Services[ordersDB] = types.ServiceConfig{Name: ordersDB}
	disabled := solution()
	disabled.Services[catalog] = types.ServiceConfig{Name: catalog, HealthCheck: &types.HealthCheckConfig{Disable: true}}
	seed := solution()
	seed.Services["seed"] = types.ServiceConfig{Name: "seed"}
	o := seed.Services[orders]
	o.DependsOn = types.DependsOnConfig{"seed": {Condition: types.ServiceConditionCompletedSuccessfully}}
	seed.Services[orders] = o
	tests := []struct {
		name string
		p    *types.Project
		want check.Status
		msg  string
	}{
		{"solution", solution(), check.Pass, "8 services, chacun avec son healthcheck"},
		{"starter: services missing", starter, check.Fail, "Services absents du projet : catalog-db, orders-db, orders-migrate, orders-logship"},
		{"a database without healthcheck", unchecked, check.Fail, "sans healthcheck dans compose.yaml : orders-db"},
		{"a healthcheck disabled", disabled, check.Fail, "sans healthcheck dans compose.yaml : catalog"},
		{"another job, waited for as completed", seed, check.Pass, "9 services"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeValid(&compose.Loaded{Project: tt.p}), tt.want, tt.msg) })
	}
}

func TestJudgeUp(t *testing.T) {
	names := []string{catalog, migrate, logship}
	jobs := map[string]bool{migrate: true}
	ended := func(code int) engine.Container { return engine.Container{Status: "exited", ExitCode: code} }
	unhealthy := running("unhealthy")
	unhealthy.HealthLog = []string{"exit 1"}
	obs := func(c, m, l engine.Container) upObs {
		return upObs{Services: names, Jobs: jobs, Containers: map[string][]engine.Container{catalog: {c}, migrate: {m}, logship: {l}}, Elapsed: 21 * time.Second}
	}
	late := obs(running("healthy"), ended(0), running("starting"))
	late.Late = true
	failed := obs(running("healthy"), ended(0), unhealthy)
	failed.UpFailure = check.T("un conteneur est resté « unhealthy » : %s", "a container stayed \"unhealthy\": %s", "container lab13-x-orders-logship-1 is unhealthy")
	tests := []struct {
		name string
		o    upObs
		done bool
		want check.Status
		msg  string
	}{
		{"solution", obs(running("healthy"), ended(0), running("healthy")), true, check.Pass, "3 services démarrés et sains en 21s"},
		{"a service without healthcheck only runs", obs(running(""), ended(0), running("healthy")), true, check.Pass, "sains"},
		{"fail-up: the sidecar unhealthy", failed, true, check.Fail, "orders-logship : unhealthy (« exit 1 ») — un conteneur est resté"},
		{"the job failed", obs(running("healthy"), ended(3), running("healthy")), true, check.Fail, "orders-migrate : terminé avec le code 3"},
		{"a service exited", obs(ended(2), ended(0), running("healthy")), true, check.Fail, "catalog : exited (code 2)"},
		{"still starting", obs(running("healthy"), ended(0), running("starting")), false, 0, ""},
		{"still starting when the wait is over", late, true, check.Fail, "orders-logship : encore « starting »"},
		{"no container", upObs{Services: names, Jobs: jobs}, true, check.Fail, "catalog : aucun conteneur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeUp(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeOneProcess(t *testing.T) {
	proc := func(image string, argv ...string) engine.Container {
		return engine.Container{Running: true, ImageID: image, Image: image, Entrypoint: argv[:1], Cmd: argv[1:], Pid: 100}
	}
	// What runs: PID 1 as the engine's host lists it (host PID 100), and what runs under it.
	runs := func(args string, children ...string) []engine.Process {
		ps := []engine.Process{{PID: 100, PPID: 9, Args: args}, {PID: 130, PPID: 8, Args: "/service healthcheck"}}
		for i, c := range children {
			ps = append(ps, engine.Process{PID: 101 + i, PPID: 100, Args: c})
		}
		return ps
	}
	own := oneProcessObs{
		Containers: map[string][]engine.Container{gateway: {proc("g", "/gateway")}, catalog: {proc("c", "/service")}, orders: {proc("o", "/service")}},
		Processes:  map[string][]engine.Process{gateway: runs("/gateway"), catalog: runs("/service"), orders: runs("/service")},
	}
	with := func(svc string, c engine.Container, ps ...engine.Process) oneProcessObs {
		o := oneProcessObs{Containers: map[string][]engine.Container{}, Processes: map[string][]engine.Process{}}
		maps.Copy(o.Containers, own.Containers)
		maps.Copy(o.Processes, own.Processes)
		o.Containers[svc] = []engine.Container{c}
		if ps != nil {
			o.Processes[svc] = ps
		}
		return o
	}
	tests := []struct {
		name    string
		running oneProcessObs
		want    check.Status
		msg     string
	}{
		{"solution", own, check.Pass, "le binaire est le PID 1"},
		{"starter: shell form", with(catalog, proc("c", "/bin/sh", "-c", "/service")), check.Fail, `Le PID 1 de catalog est "/bin/sh -c /service"`},
		{"a supervisor", with(orders, proc("o", "/usr/bin/tini", "--", "/service")), check.Fail, "tini"},
		{"nothing to run", with(gateway, engine.Container{Running: true, ImageID: "g"}), check.Fail, "gateway n'a ni ENTRYPOINT ni CMD"},
		{"a service stopped", with(catalog, engine.Container{Status: "exited", ExitCode: 2}), check.Fail, "Le service catalog ne tourne pas (exited, code 2)"},
		{"one image for two services", with(orders, proc("c", "/service")), check.Fail, "catalog et orders tournent avec la même image"},
		{"shortcut: a script with a shebang", with(orders, proc("o", "/entrypoint.sh"), runs("/bin/sh /entrypoint.sh", "/service")...), check.Fail,
			"Le PID 1 d'orders est « /bin/sh /entrypoint.sh » (ENTRYPOINT /entrypoint.sh)"},
		{"shortcut: env runs the shell", with(catalog, proc("c", "/usr/bin/env", "sh", "-c", "/service; true"), runs("sh -c /service; true", "/service")...), check.Fail,
			"Le PID 1 de catalog est « sh -c /service; true »"},
		{"shortcut: the service in the background", with(gateway, proc("g", "/start"), runs("sleep infinity", "/gateway")...), check.Fail,
			"lance d'autres processus : /gateway"},
		{"alternative: a script that ends with exec", with(orders, proc("o", "/entrypoint.sh"), runs("/service")...), check.Pass, "le binaire est le PID 1"},
		{"the container restarted under the check", with(orders, proc("o", "/service"), engine.Process{PID: 200, PPID: 9, Args: "/service"}), check.Fail, "ne tourne plus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeOneProcess(tt.running), tt.want, tt.msg) })
	}
	for _, argv0 := range []string{"sh", "bash", "supervisord", "tini"} {
		assert.True(t, wrappers[argv0], argv0)
	}
	assert.False(t, wrappers["service"])
}

func TestJudgeInitJob(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	job := func(f func(*engine.Container)) []engine.Container {
		c := engine.Container{Status: "exited", FinishedAt: t0, Restart: engine.RestartPolicy{Name: "no"}}
		if f != nil {
			f(&c)
		}
		return []engine.Container{c}
	}
	ord := running("healthy")
	ord.StartedAt = t0.Add(time.Second)
	early := ord
	early.StartedAt = t0.Add(-2 * time.Second)
	tests := []struct {
		name         string
		jobs, orders []engine.Container
		want         check.Status
		msg          string
	}{
		{"solution", job(nil), []engine.Container{ord}, check.Pass, "avant le démarrage d'orders"},
		{"starter: no job", nil, []engine.Container{ord}, check.Fail, "n'a pas été lancé"},
		{"still running", job(func(c *engine.Container) { c.Running, c.Status = true, "running" }), []engine.Container{ord}, check.Fail, "tourne encore"},
		{"exit code", job(func(c *engine.Container) { c.ExitCode = 1 }), []engine.Container{ord}, check.Fail, "terminé avec le code 1"},
		{"fail-patterns: restart on-failure", job(func(c *engine.Container) { c.Restart.Name = "on-failure" }), []engine.Container{ord}, check.Fail, `la politique "on-failure"`},
		{"restarted", job(func(c *engine.Container) { c.Restart.Name, c.RestartCount = "", 2 }), []engine.Container{ord}, check.Fail, "(2 redémarrages)"},
		{"orders not running", job(nil), nil, check.Fail, "Le service orders ne tourne pas"},
		{"orders started first", job(nil), []engine.Container{early}, check.Fail, "orders a démarré 2s avant la fin de orders-migrate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeInitJob(tt.jobs, tt.orders), tt.want, tt.msg) })
	}
}

func TestJudgeDBPerService(t *testing.T) {
	nx := probe.Result{Code: "nxdomain"}
	isolated := []probe.Result{ok(0, ""), nx, nx}
	vol := func(src string, ro bool) []engine.Mount {
		return []engine.Mount{{Type: "volume", Source: src, Destination: "/data", ReadOnly: ro}}
	}
	own := map[string][]engine.Mount{ordersDB: vol("ordersdata", false), catalogDB: vol("catalogdata", false),
		orders: vol("logs", false), logship: vol("logs", true)}
	shared := map[string][]engine.Mount{ordersDB: vol("data", false), catalogDB: vol("data", false)}
	tests := []struct {
		name string
		o    dbObs
		done bool
		want check.Status
		msg  string
	}{
		{"starter: one shared db, orders-db absent", dbObs{Probes: [][]probe.Result{{{Code: "nxdomain"}, nx, nx}}}, true, check.Fail, "Depuis orders, sa propre base orders-db est injoignable (nom inconnu)"},
		{"fail-patterns: orders on catalog-net", dbObs{Probes: [][]probe.Result{{ok(0, ""), {OK: true, Addrs: []string{"172.20.0.4"}}, ok(0, "")}}},
			true, check.Fail, "Depuis orders, le nom catalog-db se résout (172.20.0.4)"},
		{"reachable by address", dbObs{Probes: [][]probe.Result{isolated, {ok(0, ""), nx, ok(0, "")}}}, true, check.Fail, "Depuis catalog, orders-db:8080 est joignable"},
		{"orders isolated: catalog next", dbObs{Probes: [][]probe.Result{isolated}}, false, 0, ""},
		{"both isolated: volumes next", dbObs{Probes: [][]probe.Result{isolated, isolated}}, false, 0, ""},
		{"one data volume for both", dbObs{Probes: [][]probe.Result{isolated, isolated}, Mounts: shared}, true, check.Fail, "data (catalog-db, orders-db)"},
		{"solution: only the logs volume is shared", dbObs{Probes: [][]probe.Result{isolated, isolated}, Mounts: own}, true, check.Pass, "sa propre base"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeDBPerService(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeGatewayOnly(t *testing.T) {
	published := func(ip, port string) []engine.Container {
		c := running("healthy")
		c.Ports = []engine.PortBinding{{HostIP: ip, HostPort: port}, {}}
		return []engine.Container{c}
	}
	names := []string{catalog, gateway, ordersDB}
	tests := []struct {
		name string
		o    gatewayObs
		want check.Status
		msg  string
	}{
		{"solution", gatewayObs{Port: "8093", Services: names, Containers: map[string][]engine.Container{gateway: published("127.0.0.1", "8093")}}, check.Pass, "Seul gateway est publié, sur 127.0.0.1:8093"},
		{"fail-patterns: orders-db declares a port on an internal network", gatewayObs{Port: "8093", Services: names,
			Declared:   map[string][]types.ServicePortConfig{ordersDB: {{HostIP: "127.0.0.1", Published: "18094", Target: 8080}}},
			Containers: map[string][]engine.Container{gateway: published("127.0.0.1", "8093")}}, check.Fail, "orders-db déclare des ports publiés (127.0.0.1:18094)"},
		{"a database declares a port on every address", gatewayObs{Port: "8093", Services: names,
			Declared: map[string][]types.ServicePortConfig{ordersDB: {{Published: "18094", Target: 8080}}}}, check.Fail, "(0.0.0.0:18094)"},
		{"catalog binds a port", gatewayObs{Port: "8093", Services: names, Containers: map[string][]engine.Container{
			gateway: published("127.0.0.1", "8093"), catalog: published("127.0.0.1", "9000")}}, check.Fail, "catalog publie le port 127.0.0.1:9000"},
		{"gateway on every address", gatewayObs{Port: "8093", Services: names, Containers: map[string][]engine.Container{gateway: published("0.0.0.0", "8093")}},
			check.Fail, "gateway publie 0.0.0.0:8093"},
		{"gateway declares its port but nothing runs", gatewayObs{Port: "8093", Services: names}, check.Fail, "gateway ne publie pas 127.0.0.1:8093"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeGatewayOnly(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeE2E(t *testing.T) {
	created := probe.Result{OK: true, Status: 201, Headers: map[string]string{"X-Request-Id": "abc"}}
	bad := probe.Result{OK: true, Status: 502, Body: "bad gateway"}
	tests := []struct {
		name string
		o    e2eObs
		done bool
		want check.Status
		msg  string
	}{
		{"nothing sent yet", e2eObs{}, false, 0, ""},
		{"fail-up: orders asks catalog on a wrong port", e2eObs{Order: &bad}, true, check.Fail, "répond HTTP 502 au lieu de 201"},
		{"created: logs next", e2eObs{Order: &created}, false, 0, ""},
		{"catalog never asked", e2eObs{Order: &created, Catalog: &logsObs{Want: e2eWants(created), Logs: "GET /health\n"}}, true, check.Fail, "orders doit interroger catalog"},
		{"solution", e2eObs{Order: &created, Catalog: &logsObs{Want: e2eWants(created), Found: true}}, true, check.Pass, "catalog a validé p1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeE2E(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
	assert.Equal(t, []string{"/products/p1", "abc"}, e2eWants(created))
	assert.Equal(t, []string{"/products/p1"}, e2eWants(probe.Result{Status: 201}), "without a request ID, the call alone")
}

func TestJudgeSidecar(t *testing.T) {
	logs := func(ro bool) []engine.Mount {
		return []engine.Mount{{Type: "volume", Source: "lab13-x_orders-logs", ReadOnly: ro}}
	}
	created := probe.Result{OK: true, Status: 201, Headers: map[string]string{"X-Request-Id": "abc"}}
	written := "time=t level=INFO msg=accès method=GET path=/orders status=200 request_id=r-0001 duration_ms=1\n" +
		"time=t level=INFO msg=accès method=POST path=/ status=201 request_id=r-7f3a duration_ms=3\n"
	empty := ""
	right := sidecarObs{Sidecar: logs(true), Orders: logs(false)}
	with := func(f func(*sidecarObs)) sidecarObs { o := right; f(&o); return o }
	tests := []struct {
		name string
		o    sidecarObs
		done bool
		want check.Status
		msg  string
	}{
		{"fail-patterns: read-write", sidecarObs{Sidecar: logs(false), Orders: logs(false)}, true, check.Fail, "monte lab13-x_orders-logs en écriture"},
		{"no shared volume", sidecarObs{Sidecar: []engine.Mount{{Type: "volume", Source: "other", ReadOnly: true}}, Orders: logs(false)}, true, check.Fail, "ne partage aucun volume"},
		{"mounted right: order next", right, false, 0, ""},
		{"the order fails", with(func(o *sidecarObs) { o.Order = &probe.Result{OK: true, Status: 500} }), true, check.Fail, "HTTP 500 au lieu de 201"},
		{"ordered: the volume next", with(func(o *sidecarObs) { o.Order = &created }), false, 0, ""},
		{"orders writes nothing in the shared volume", with(func(o *sidecarObs) { o.Order, o.Volume = &created, &empty }), true, check.Fail, "ne contient aucune ligne POST"},
		{"written: output next", with(func(o *sidecarObs) { o.Order, o.Volume = &created, &written }), false, 0, ""},
		{"not shipped", with(func(o *sidecarObs) {
			o.Order, o.Volume, o.Shipped = &created, &written, &logsObs{Want: []string{"r-7f3a"}, Logs: "started\n"}
		}), true, check.Fail, "ne contient pas la ligne du journal d'accès (r-7f3a)"},
		{"solution", with(func(o *sidecarObs) {
			o.Order, o.Volume, o.Shipped = &created, &written, &logsObs{Want: []string{"r-7f3a"}, Found: true}
		}), true, check.Pass, "en lecture seule"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeSidecar(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

// The sidecar must show the ID orders wrote, not a word any log holds: "POST" alone, or the
// gateway's own ID when it does not propagate it, is not the line.
func TestWrittenID(t *testing.T) {
	tests := []struct{ name, volume, want string }{
		{"text lines: the last POST", "method=POST request_id=a1\nmethod=GET request_id=b2\nmethod=POST path=/ request_id=c3 status=201\n", "c3"},
		{"JSON lines", `{"level":"INFO","method":"POST","request_id":"d4-e5"}` + "\n", "d4-e5"},
		{"no POST line", "method=GET request_id=b2\n", ""},
		{"a POST line without an ID", "POST something\n", ""},
		{"nothing written", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, writtenID(tt.volume)) })
	}
}

func TestJudgeCorrelation(t *testing.T) {
	created := ok(201, "")
	tests := []struct {
		name string
		o    correlationObs
		done bool
		want check.Status
		msg  string
	}{
		{"nothing sent yet", correlationObs{ID: "r-1"}, false, 0, ""},
		{"fail-up: the order fails", correlationObs{ID: "r-1", Order: &probe.Result{OK: true, Status: 502}}, true, check.Fail, "HTTP 502"},
		{"sent: logs next", correlationObs{ID: "r-1", Order: &created}, false, 0, ""},
		{"starter, fail-patterns: not propagated", correlationObs{ID: "r-1", Order: &created, Read: true, Missing: []string{catalog, orders}},
			true, check.Fail, "n'apparaît pas dans les journaux de : catalog, orders"},
		{"solution", correlationObs{ID: "r-1", Order: &created, Read: true}, true, check.Pass, "r-1 suit la requête"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeCorrelation(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeAmbassador(t *testing.T) {
	served := func(by string) *probe.Result {
		return &probe.Result{OK: true, Status: 200, Headers: map[string]string{"X-Served-By": by}}
	}
	right := ambassadorObs{Declared: true, NetworkMode: "container:o1", Shown: "container:o1", OrdersID: "o1", OrdersHost: "orders-host"}
	with := func(f func(*ambassadorObs)) ambassadorObs { o := right; f(&o); return o }
	tests := []struct {
		name string
		o    ambassadorObs
		done bool
		want check.Status
		msg  string
	}{
		{"starter: no ambassador", ambassadorObs{}, true, check.Fail, "Pas de service orders-ambassador"},
		{"declared: containers next", ambassadorObs{Declared: true}, false, 0, ""},
		{"fail-patterns: catalog's namespace", with(func(o *ambassadorObs) { o.NetworkMode, o.Shown = "container:c1", "service:catalog" }), true, check.Fail, "network_mode : service:catalog"},
		{"its own namespace", with(func(o *ambassadorObs) { o.NetworkMode, o.Shown = "lab13_default", "lab13_default" }), true, check.Fail, "network_mode : lab13_default"},
		{"namespace right: request next", right, false, 0, ""},
		{"another server answers", with(func(o *ambassadorObs) { o.Health = served("catalog-host") }), true, check.Fail, `servi par "catalog-host"`},
		{"solution", with(func(o *ambassadorObs) { o.Health = served("orders-host") }), true, check.Pass, "localhost:8080 y est orders"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeAmbassador(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeSingleDockerfile(t *testing.T) {
	build := func(svc, context string, arg, cached bool) compose.Built {
		b := compose.Built{Service: svc, Config: types.BuildConfig{Context: context}}
		if arg {
			b.Config.Args = types.MappingWithEquals{"SERVICE": str(svc)}
		}
		b.Result.Steps = []engine.Step{{Name: "[build 3/6] RUN go mod download", Cached: cached}}
		return b
	}
	one := []compose.Built{build(gateway, "/s", true, false), build(catalog, "/s", true, true), build(orders, "/s", true, true)}
	parse := func(src string) *dockerfile.Analysis {
		a := dockerfile.Analyze(context.Background(), "Dockerfile", []byte(src))
		require.Nil(t, a.ParseError)
		return a
	}
	good := parse("FROM ddlab/go:1 AS build\nCOPY go.mod go.sum ./\nRUN  go mod download\nARG SERVICE\nRUN go build ./cmd/$SERVICE\n")
	argFirst := parse("FROM ddlab/go:1 AS build\nARG SERVICE\nRUN go mod download\n")
	// The shortcut: a comment names the step before ARG SERVICE, the real step comes after.
	commentFirst := parse("# go mod download\nFROM ddlab/go:1 AS build\nARG SERVICE=gateway\nRUN go mod \\\n  download\nRUN go build ./cmd/$SERVICE\n")
	twoStages := parse("FROM ddlab/go:1 AS deps\nRUN go mod download\nFROM deps\nARG VERSION SERVICE\nRUN go build ./cmd/$SERVICE\n")
	noDownload := parse("FROM ddlab/go:1\nLABEL note=\"go mod download\"\nARG SERVICE\nRUN go build ./cmd/$SERVICE\n")
	tests := []struct {
		name string
		o    dockerfileObs
		done bool
		want check.Status
		msg  string
	}{
		{"starter: one Dockerfile per service, no SERVICE", dockerfileObs{Builds: []compose.Built{build(gateway, "/s/gateway", false, false)}}, true, check.Fail, "La construction de gateway ne passe pas d'argument SERVICE"},
		{"a Go service not built", dockerfileObs{Builds: one[:2]}, true, check.Fail, "orders n'est pas construit"},
		{"two Dockerfiles", dockerfileObs{Builds: []compose.Built{one[0], one[1], build(orders, "/s/orders", true, true)}}, true, check.Fail, "utilisent 2 Dockerfile différents"},
		{"one Dockerfile: its text next", dockerfileObs{Builds: one}, false, 0, ""},
		{"ARG SERVICE before the dependencies", dockerfileObs{Builds: one, File: argFirst}, true, check.Fail, "(ligne 3) doit venir avant ARG SERVICE (ligne 2)"},
		{"shortcut: a comment names the step first", dockerfileObs{Builds: one, File: commentFirst}, true, check.Fail, "(ligne 4) doit venir avant ARG SERVICE (ligne 3)"},
		{"shortcut: the words outside a RUN", dockerfileObs{Builds: one, File: noDownload}, true, check.Fail, "aucune instruction RUN `go mod download`"},
		{"the dependencies rebuilt", dockerfileObs{Builds: []compose.Built{one[0], build(catalog, "/s", true, false), one[2]}, File: good}, true, check.Fail, "La construction de catalog (après gateway)"},
		{"solution", dockerfileObs{Builds: one, File: good}, true, check.Pass, "catalog et orders réutilisent"},
		{"alternative: dependencies in their own stage, ARG of two keys after", dockerfileObs{Builds: one, File: twoStages}, true, check.Pass, "catalog et orders réutilisent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeSingleDockerfile(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeFailureIsolation(t *testing.T) {
	budget := 2 * time.Second
	answered := func(status int, ms int64) probe.Result { return probe.Result{OK: true, Status: status, MS: ms} }
	tests := []struct {
		name           string
		catalog, order probe.Result
		want           check.Status
		msg            string
	}{
		{"solution", ok(200, ""), answered(504, 1010), check.Pass, "/api/orders 504 en 1010 ms"},
		{"catalog blocked too", probe.Result{Code: "timeout", MS: 2000}, answered(504, 1000), check.Fail, "/api/catalog répond délai dépassé"},
		{"starter: no timeout, the gateway hangs", ok(200, ""), probe.Result{Code: "timeout", MS: 6000}, check.Fail, "ne répond pas en 6s"},
		{"an error other than 504", ok(200, ""), answered(502, 10), check.Fail, "répond 502 au lieu de 504"},
		{"fail-patterns: 504 after 3 s", ok(200, ""), answered(504, 3004), check.Fail, "504 mais en 3004 ms (budget 2s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checktest.Verdict(t, judgeFailureIsolation(isolationObs{Budget: budget, Wait: 3 * budget, Catalog: tt.catalog, Order: tt.order}), tt.want, tt.msg)
		})
	}
}

func TestJudgeDiscovery(t *testing.T) {
	routes := func(r string) *types.Project {
		return &types.Project{Services: types.Services{gateway: {Name: gateway, Environment: types.MappingWithEquals{
			"LISTEN": str("0.0.0.0:8080"), "ROUTES": str(r)}}}}
	}
	names := routes("/api/catalog=http://catalog:8080")
	backend, none := "lab13-x_backend", ""
	found := []probe.Result{ok(200, ""), ok(201, "")}
	broken := []probe.Result{ok(200, ""), {OK: true, Status: 502}}
	base := discoveryObs{Project: names, Network: &backend, OldIP: "172.20.0.3", NewIP: "172.20.0.9", Recreated: true, Window: 10 * time.Second}
	with := func(f func(*discoveryObs)) discoveryObs { o := base; f(&o); return o }
	tests := []struct {
		name string
		o    discoveryObs
		done bool
		want check.Status
		msg  string
	}{
		{"starter: an IP literal in ROUTES", discoveryObs{Project: routes("/api/catalog=http://172.29.13.11:8080")}, true, check.Fail, "gateway.ROUTES contient une adresse IP (172.29.13.11)"},
		{"names: containers next", discoveryObs{Project: names}, false, 0, ""},
		{"no shared network", discoveryObs{Project: names, Network: &none}, true, check.Fail, "ne partagent aucun réseau"},
		{"catalog does not come back", with(func(o *discoveryObs) { o.RecreateErr = errors.New("container unhealthy") }), true, check.Fail, "ne revient pas après sa recréation : « container unhealthy »"},
		{"recreated: requests next", with(func(o *discoveryObs) { o.Recreated = false }), false, 0, ""},
		{"not yet found, window open", with(func(o *discoveryObs) { o.Last = broken }), false, 0, ""},
		{"fail-up: orders never answers", with(func(o *discoveryObs) { o.Last, o.Late = broken, true }), true, check.Fail, "POST /api/orders HTTP 502"},
		{"solution", with(func(o *discoveryObs) { o.Last = found }), true, check.Pass, "172.20.0.3 → 172.20.0.9"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeDiscovery(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
	a := engine.Container{Networks: map[string]engine.Endpoint{"catalog-net": {}, backend: {}}}
	b := engine.Container{Networks: map[string]engine.Endpoint{backend: {}}}
	assert.Equal(t, backend, sharedNetwork(a, b))
	assert.Empty(t, sharedNetwork(a, engine.Container{}))
}

func TestJudgeScaleLB(t *testing.T) {
	served := func(by ...string) []probe.Result {
		var out []probe.Result
		for _, b := range by {
			out = append(out, probe.Result{OK: true, Status: 200, Headers: map[string]string{"X-Served-By": b}})
		}
		return out
	}
	base := scaleObs{N: 3, Requests: 12}
	with := func(f func(*scaleObs)) scaleObs { o := base; f(&o); return o }
	tests := []struct {
		name string
		o    scaleObs
		done bool
		want check.Status
		msg  string
	}{
		{"fail-patterns: container_name", with(func(o *scaleObs) { o.ContainerName = "lab13-catalog-fixe" }), true, check.Fail, "container_name (lab13-catalog-fixe)"},
		{"not scaled yet", base, false, 0, ""},
		{"starter: fixed addresses", with(func(o *scaleObs) { o.Scaled, o.ScaleErr = true, errors.New("Address already in use") }), true, check.Fail, "ne passe pas à 3 répliques"},
		{"scaled: requests next", with(func(o *scaleObs) { o.Scaled = true }), false, 0, ""},
		{"one replica reached", with(func(o *scaleObs) { o.Scaled, o.Results = true, served("a", "a") }), true, check.Fail, "n'ont atteint qu'une réplique de catalog"},
		{"solution", with(func(o *scaleObs) { o.Scaled, o.Results = true, served("a", "b", "a") }), true, check.Pass, "12 requêtes en ont atteint 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeScaleLB(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestAddressed(t *testing.T) {
	for v, want := range map[string]bool{
		"http://catalog:8080": false, "0.0.0.0:8080": false, "http://127.0.0.1:8080": false,
		"http://10.0.0.7:8080": true, "/a=http://catalog:8080,/b=http://172.29.13.12:8080": true,
	} {
		assert.Equal(t, want, addressed(v), v)
	}
}
