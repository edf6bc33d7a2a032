package lab08

import (
	"errors"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// Every verdict of lab 8 judged from recorded observations, without an engine. The cases
// named after a fixture (testdata/<case>) are what that fixture makes the check observe on
// the real engine; the integration test checks the same verdicts end to end.

func ok(status int, body string) probe.Result {
	return probe.Result{OK: true, Status: status, Body: body}
}

func running(health string) engine.Container {
	return engine.Container{Name: "c", Running: true, Status: "running", Health: health}
}

func TestJudgeValid(t *testing.T) {
	project := func(names ...string) *types.Project {
		p := &types.Project{Services: types.Services{}}
		for _, n := range names {
			p.Services[n] = types.ServiceConfig{Name: n}
		}
		return p
	}
	tests := []struct {
		name string
		l    compose.Loaded
		want check.Status
		msg  string
	}{
		{"solution", compose.Loaded{Declared: "lab8", Files: []string{"compose.yaml", "compose.override.yaml"}, Project: project(web, api, db)},
			check.Pass, "compose.yaml + compose.override.yaml"},
		{"no name", compose.Loaded{Project: project(web, api, db)}, check.Fail, "Aucune clé `name:`"},
		{"another name", compose.Loaded{Declared: "shop", Project: project(web, api, db)}, check.Fail, `il s'appelle "shop"`},
		{"a service too many", compose.Loaded{Declared: "lab8", Project: project(web, api, db, "cache")}, check.Fail, "api, cache, db, web"},
		{"a service missing", compose.Loaded{Declared: "lab8", Project: project(web, api)}, check.Fail, "le projet a : api, web"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeValid(&tt.l), tt.want, tt.msg) })
	}
}

func TestJudgeOffline(t *testing.T) {
	tests := []struct {
		name string
		o    offlineObs
		want check.Status
		msg  string
	}{
		{"solution", offlineObs{Pulled: map[string]string{web: "ddlab/gateway:1", db: "ddlab/kv:1"}}, check.Pass, "Toutes les images"},
		{"fail-offline: db on redis", offlineObs{Pulled: map[string]string{web: "ddlab/gateway:1", db: "redis:7-alpine"}, Missing: map[string]string{db: "redis:7-alpine"}},
			check.Fail, `db: "redis:7-alpine"`},
		{"a ddlab image not built yet", offlineObs{Pulled: map[string]string{db: "ddlab/kv:1"}, Missing: map[string]string{db: "ddlab/kv:1"}},
			check.Fail, "grade images"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeOffline(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeUpHealthy(t *testing.T) {
	all := func(w, a, d engine.Container) map[string][]engine.Container {
		return map[string][]engine.Container{web: {w}, api: {a}, db: {d}}
	}
	unhealthy := running("unhealthy")
	unhealthy.HealthLog = []string{"curl: (7) refused"}
	tests := []struct {
		name string
		o    healthObs
		done bool
		want check.Status
		msg  string
	}{
		{"solution", healthObs{Containers: all(running("healthy"), running("healthy"), running("healthy")), Elapsed: 7 * time.Second},
			true, check.Pass, "sains (7s après up)"},
		{"starter: api has no healthcheck", healthObs{Containers: all(running("healthy"), running(""), running("healthy"))},
			true, check.Fail, "api : pas de healthcheck"},
		{"still starting, wait not over", healthObs{Containers: all(running("healthy"), running("starting"), running("healthy"))}, false, 0, ""},
		{"still starting when the wait is over", healthObs{Containers: all(running("healthy"), running("starting"), running("healthy")), Late: true, Wait: time.Minute},
			true, check.Fail, "api : encore « starting »"},
		{"unhealthy, with its health log", healthObs{Containers: all(running("healthy"), unhealthy, running("healthy"))},
			true, check.Fail, "api : unhealthy (« curl: (7) refused »)"},
		{"fail-offline: db never created", healthObs{Containers: map[string][]engine.Container{},
			UpFailure: check.T("image absente de la machine (rien n'est téléchargé) : %s", "image missing from this machine (nothing is downloaded): %s", "No such image: redis:7-alpine")},
			true, check.Fail, "No such image: redis:7-alpine"},
		{"exited", healthObs{Containers: all(running("healthy"), running("healthy"), engine.Container{Status: "exited", ExitCode: 1})},
			true, check.Fail, "db : exited (code 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeUpHealthy(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func event(svc, action string, at time.Time) engine.Event {
	return engine.Event{Type: "container", Action: action, Time: at, Attrs: map[string]string{"com.docker.compose.service": svc}}
}

func TestJudgeDependsHealthy(t *testing.T) {
	healthy := types.ServiceConditionHealthy
	t0 := time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)
	a, b := t0.Add(time.Second), t0.Add(2*time.Second)
	dbFirst := []engine.Event{event(db, "start", t0), event(db, "health_status: healthy", a), event(api, "start", b)}
	apiFirst := []engine.Event{event(db, "start", t0), event(api, "start", a), event(db, "health_status: healthy", b)}
	conds := func(apiDB, webAPI string) map[[2]string]string {
		return map[[2]string]string{{api, db}: apiDB, {web, api}: webAPI}
	}
	tests := []struct {
		name string
		o    dependsObs
		want check.Status
		msg  string
	}{
		{"db healthy, then api starts", dependsObs{conds(healthy, healthy), dbFirst}, check.Pass, "db sain, puis api démarré 1s plus tard"},
		{"api starts before db is healthy", dependsObs{conds(healthy, healthy), apiFirst}, check.Fail, "avant que db soit sain"},
		{"db never healthy", dependsObs{conds(healthy, healthy), []engine.Event{event(api, "start", a)}}, check.Fail, "jamais devenu sain"},
		{"api never starts", dependsObs{conds(healthy, healthy), []engine.Event{event(db, "health_status: healthy", a)}}, check.Fail, "api n'a pas démarré"},
		{"starter, fail-wiring: service_started", dependsObs{conds(types.ServiceConditionStarted, healthy), dbFirst}, check.Fail, "api.depends_on.db doit avoir `condition: service_healthy` (trouvé : service_started)"},
		{"web does not wait", dependsObs{conds(healthy, ""), dbFirst}, check.Fail, "web.depends_on.api doit avoir `condition: service_healthy` (trouvé : absent)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeDependsHealthy(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeSegmentation(t *testing.T) {
	refused := probe.Result{Code: "refused"}
	nx := probe.Result{Code: "nxdomain"}
	isolated := []probe.Result{ok(200, "ok"), nx, nx}
	tests := []struct {
		name string
		o    segmentationObs
		want check.Status
		msg  string
	}{
		{"solution", segmentationObs{Control: ok(0, ""), FromWeb: isolated, BackDeclared: true, BackInternal: true}, check.Pass, "back est interne"},
		{"db unreachable from api", segmentationObs{Control: refused}, check.Fail, "Depuis api, db:8080 est injoignable (connexion refusée)"},
		{"api does not answer web", segmentationObs{Control: ok(0, ""), FromWeb: []probe.Result{{Code: "timeout", MS: 2000}, nx, nx}}, check.Fail, "ne répond pas 200 (délai dépassé"},
		{"starter: one network, db resolves from web", segmentationObs{Control: ok(0, ""), FromWeb: []probe.Result{ok(200, ""), {OK: true, Addrs: []string{"172.18.0.3"}}, ok(0, "")}},
			check.Fail, "le nom db se résout (172.18.0.3)"},
		{"db reachable from web", segmentationObs{Control: ok(0, ""), FromWeb: []probe.Result{ok(200, ""), nx, ok(0, "")}}, check.Fail, "db:8080 est joignable"},
		{"back not declared", segmentationObs{Control: ok(0, ""), FromWeb: isolated}, check.Fail, "back n'est pas déclaré"},
		{"fail-wiring: back not internal", segmentationObs{Control: ok(0, ""), FromWeb: isolated, BackDeclared: true}, check.Fail, "back n'est pas interne"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeSegmentation(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgePorts(t *testing.T) {
	published := func(ip, port string) engine.Container {
		c := running("healthy")
		c.Ports = []engine.PortBinding{{HostIP: ip, HostPort: port}, {HostIP: "", HostPort: ""}}
		return c
	}
	webOn := func(c engine.Container) map[string][]engine.Container {
		return map[string][]engine.Container{web: {c}, api: {running("healthy")}, db: {running("healthy")}}
	}
	declared := func(svc, ip, port string) map[string][]types.ServicePortConfig {
		return map[string][]types.ServicePortConfig{svc: {{HostIP: ip, Published: port, Target: 8080}}}
	}
	tests := []struct {
		name string
		o    portsObs
		want check.Status
		msg  string
	}{
		{"solution", portsObs{Port: "8088", Containers: webOn(published("127.0.0.1", "8088"))}, check.Pass, "sur 127.0.0.1:8088"},
		{"starter: db declares 0.0.0.0:18088", portsObs{Port: "8088", Declared: declared(db, "", "18088"), Containers: webOn(published("127.0.0.1", "8088"))},
			check.Fail, "db déclare des ports publiés (0.0.0.0:18088)"},
		{"fail-layout: api declares 127.0.0.1:18089", portsObs{Port: "8088", Declared: declared(api, "127.0.0.1", "18089"), Containers: webOn(published("127.0.0.1", "8088"))},
			check.Fail, "api déclare des ports publiés (127.0.0.1:18089)"},
		{"api binds a port", portsObs{Port: "8088", Containers: map[string][]engine.Container{web: {published("127.0.0.1", "8088")}, api: {published("0.0.0.0", "9000")}}},
			check.Fail, "api publie le port 0.0.0.0:9000"},
		{"web on every address", portsObs{Port: "8088", Containers: webOn(published("0.0.0.0", "8088"))}, check.Fail, "web publie 0.0.0.0:8088"},
		{"fail-offline: web not running", portsObs{Port: "8088", Containers: map[string][]engine.Container{web: {{Status: "created"}}}},
			check.Fail, "Le service web ne tourne pas (created"},
		{"web publishes nothing", portsObs{Port: "8088", Containers: webOn(running("healthy"))}, check.Fail, "web ne publie pas 127.0.0.1:8088"},
		{"no answer from the host", portsObs{Port: "8088", Containers: webOn(published("127.0.0.1", "8088")), HostErr: errors.New("connection reset")},
			check.Fail, "ne répond pas depuis l'hôte : « connection reset »"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgePorts(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeE2E(t *testing.T) {
	tests := []struct {
		name       string
		post, list probe.Result
		want       check.Status
		msg        string
	}{
		{"solution", ok(201, `{"name":"n-1"}`), ok(200, `[{"name":"n-1"}]`), check.Pass, "l'élément n-1 est stocké"},
		{"fail-wiring: api cannot reach db", probe.Result{OK: true, Status: 502, Body: "bad gateway"}, probe.Result{}, check.Fail, "répond HTTP 502 au lieu de 201"},
		{"the item is not listed", ok(201, ""), ok(200, `[]`), check.Fail, "ne contient pas l'élément n-1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeE2E("n-1", tt.post, tt.list), tt.want, tt.msg) })
	}
}

func TestJudgeRestart(t *testing.T) {
	policy := func(name string) []engine.Container {
		return []engine.Container{{Restart: engine.RestartPolicy{Name: name}}}
	}
	tests := []struct {
		name    string
		api, db []engine.Container
		want    check.Status
		msg     string
	}{
		{"solution", policy("unless-stopped"), policy("unless-stopped"), check.Pass, "unless-stopped"},
		{"starter: no policy", policy(""), policy("unless-stopped"), check.Fail, `api est "no"`},
		{"fail-wiring: on-failure", policy("on-failure"), policy("unless-stopped"), check.Fail, `"on-failure"`},
		{"db has no container", policy("unless-stopped"), nil, check.Fail, "Le service db n'a pas de conteneur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checktest.Verdict(t, judgeRestart(map[string][]engine.Container{api: tt.api, db: tt.db}), tt.want, tt.msg)
		})
	}
}

func TestJudgePersistence(t *testing.T) {
	withMount := func(src, dst string) []engine.Container {
		c := running("healthy")
		c.Mounts = []engine.Mount{{Type: "volume", Source: src, Destination: dst}}
		return []engine.Container{c}
	}
	mounted := withMount("lab8-x_dbdata", "/data")
	listed, empty := ok(200, `[{"name":"n-1"}]`), ok(200, `[]`)
	base := persistenceObs{Volume: "lab8-x_dbdata", DB: mounted, Item: "n-1"}
	with := func(f func(*persistenceObs)) persistenceObs { o := base; f(&o); return o }
	tests := []struct {
		name string
		o    persistenceObs
		done bool
		want check.Status
		msg  string
	}{
		{"starter: no dbdata", persistenceObs{DB: mounted}, true, check.Fail, "Aucun volume nommé dbdata"},
		{"fail-layout: db on an anonymous volume", with(func(o *persistenceObs) { o.DB = withMount("3f2a", "/data") }), true, check.Fail, "db ne monte pas le volume lab8-x_dbdata sur /data"},
		{"db not running", with(func(o *persistenceObs) { o.DB = nil }), true, check.Fail, "Le service db ne tourne pas"},
		{"fail-wiring: no item can be created", with(func(o *persistenceObs) { o.Created = &probe.Result{OK: true, Status: 502} }), true, check.Fail, "Impossible de créer un élément (POST /api/items : HTTP 502)"},
		{"mounted: cycle next", base, false, 0, ""},
		{"down/up fails", with(func(o *persistenceObs) { o.Down = &cycleObs{Err: errors.New("container lab8-x-db-1 is unhealthy")} }), true, check.Fail, "ne redémarre pas après down puis up"},
		{"item gone after down/up", with(func(o *persistenceObs) { o.Down = &cycleObs{Items: empty} }), true, check.Fail, "l'élément n-1 a disparu"},
		{"items unreadable after down/up", with(func(o *persistenceObs) { o.Down = &cycleObs{Items: probe.Result{OK: true, Status: 500}} }), true, check.Fail, "GET /api/items via web répond HTTP 500"},
		{"kept after down/up: down -v next", with(func(o *persistenceObs) { o.Down = &cycleObs{Items: listed} }), false, 0, ""},
		{"item still there after down -v", with(func(o *persistenceObs) { o.Down, o.DownV = &cycleObs{Items: listed}, &cycleObs{Items: listed} }), true, check.Fail, "toujours là"},
		{"solution", with(func(o *persistenceObs) { o.Down, o.DownV = &cycleObs{Items: listed}, &cycleObs{Items: empty} }), true, check.Pass, "volume lab8-x_dbdata"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgePersistence(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeEnv(t *testing.T) {
	str := func(s string) *string { return &s }
	hi, salut := ok(200, "Bonjour\n"), ok(200, "Salut")
	base := envObs{Want: "Bonjour", Override: "Salut"}
	with := func(f func(*envObs)) envObs { o := base; f(&o); return o }
	loaded := func(o *envObs) { o.Before, o.Loaded, o.Greeting = &hi, true, str("Salut") }
	tests := []struct {
		name string
		o    envObs
		done bool
		want check.Status
		msg  string
	}{
		{"nothing asked yet", base, false, 0, ""},
		{"hello fails", with(func(o *envObs) { o.Before = &probe.Result{OK: true, Status: 404} }), true, check.Fail, "GET /api/hello via web répond HTTP 404"},
		{"another default greeting", with(func(o *envObs) { o.Before = &salut }), true, check.Fail, `répond "Salut" au lieu de "Bonjour"`},
		{"default right: load the variant next", with(func(o *envObs) { o.Before = &hi }), false, 0, ""},
		{"the variant does not load", with(func(o *envObs) {
			o.Before, o.Loaded, o.Problems = &hi, true, []compose.Problem{{File: "compose.yaml", Line: 3, Message: "x"}}
		}), true, check.Fail, "ne se charge plus : compose.yaml:3"},
		{"starter, fail-wiring: greeting hard-coded", with(func(o *envObs) { o.Before, o.Loaded, o.Greeting = &hi, true, str("Bonjour") }),
			true, check.Fail, "GREETING de api ne change pas"},
		{"interpolated: recreate next", with(loaded), false, 0, ""},
		{"recreation fails", with(func(o *envObs) { loaded(o); o.Recreated, o.RecreateErr = true, errors.New("unhealthy") }), true, check.Fail, "la recréation de api"},
		{"recreated: hello next", with(func(o *envObs) { loaded(o); o.Recreated = true }), false, 0, ""},
		{"the new greeting is not served", with(func(o *envObs) { loaded(o); o.Recreated, o.After = true, &hi }), true, check.Fail, `/api/hello répond "Bonjour"`},
		{"solution", with(func(o *envObs) { loaded(o); o.Recreated, o.After = true, &salut }), true, check.Pass, `"Bonjour" avec .env, "Salut"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeEnv(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeScale(t *testing.T) {
	served := func(by ...string) []probe.Result {
		var out []probe.Result
		for _, b := range by {
			out = append(out, probe.Result{OK: true, Status: 200, Headers: map[string]string{"X-Served-By": b}})
		}
		return out
	}
	three := []engine.Container{running("healthy"), running("healthy"), running("healthy")}
	base := scaleObs{N: 3, Requests: 20}
	with := func(f func(*scaleObs)) scaleObs { o := base; f(&o); return o }
	tests := []struct {
		name string
		o    scaleObs
		done bool
		want check.Status
		msg  string
	}{
		{"fail-layout: container_name", with(func(o *scaleObs) { o.ContainerName = "lab8-api-fixe" }), true, check.Fail, "container_name (lab8-api-fixe)"},
		{"not scaled yet", base, false, 0, ""},
		{"Compose cannot scale", with(func(o *scaleObs) { o.Scaled, o.ScaleErr = true, errors.New("timeout") }), true, check.Fail, "api ne passe pas à 3 répliques : « timeout »"},
		{"starter: replicas never healthy", with(func(o *scaleObs) {
			o.Scaled, o.Containers = true, []engine.Container{running(""), running(""), running("")}
		}), true, check.Fail, "Aucune des 3 répliques de api n'est saine"},
		{"healthy: requests next", with(func(o *scaleObs) { o.Scaled, o.Containers = true, three }), false, 0, ""},
		{"one replica answers", with(func(o *scaleObs) { o.Scaled, o.Containers, o.Results = true, three, served("a", "a", "a") }), true, check.Fail, "n'ont atteint qu'une réplique de api"},
		{"solution", with(func(o *scaleObs) { o.Scaled, o.Containers, o.Results = true, three, served("a", "b", "c") }), true, check.Pass, "en ont atteint 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeScale(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeDevOverride(t *testing.T) {
	served := ok(200, "grade dev-override 1")
	tests := []struct {
		name string
		o    devObs
		done bool
		want check.Status
		msg  string
	}{
		{"starter, fail-layout: no override", devObs{}, true, check.Fail, "Pas de compose.override.yaml"},
		{"remote engine", devObs{Override: true, Remote: true, Host: "tcp://ci:2376"}, true, check.Skip, "distant (DOCKER_HOST=tcp://ci:2376) : il ne voit pas"},
		{"override without the bind mount", devObs{Override: true}, true, check.Fail, "ne monte pas ./api/static"},
		{"bound: request next", devObs{Override: true, Bound: true}, false, 0, ""},
		{"not served", devObs{Override: true, Bound: true, Name: "g.txt", Body: "grade dev-override 1", Served: &probe.Result{OK: true, Status: 404}},
			true, check.Fail, "n'est pas servi par /api/static/g.txt (HTTP 404)"},
		{"solution", devObs{Override: true, Bound: true, Name: "g.txt", Body: "grade dev-override 1", Served: &served}, true, check.Pass, "sans rebuild"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeDevOverride(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
			assert.Equal(t, tt.want == check.Skip, o.Excluded, "only the remote engine's skip leaves the denominator")
		})
	}
}

func TestJudgeProfiles(t *testing.T) {
	debug := profilesObs{Disabled: true, Profiles: []string{"debug"}}
	with := func(f func(*profilesObs)) profilesObs { o := debug; f(&o); return o }
	tests := []struct {
		name string
		o    profilesObs
		done bool
		want check.Status
		msg  string
	}{
		{"starter: no debug service", profilesObs{}, true, check.Fail, "Pas de service debug"},
		{"debug without a profile", profilesObs{Enabled: true}, true, check.Fail, "démarre avec un `up` ordinaire"},
		{"fail-layout: profile dbg", profilesObs{Disabled: true, Profiles: []string{"dbg"}}, true, check.Fail, "profils [dbg]"},
		{"started by a plain up", with(func(o *profilesObs) { o.Plain = []engine.Container{{Name: "lab8-x-debug-1"}} }), true, check.Fail, "démarré par un `up` sans profil"},
		{"declared right: load with the profile next", debug, false, 0, ""},
		{"the profile does not load", with(func(o *profilesObs) {
			o.Loaded, o.Problems = true, []compose.Problem{{File: "compose.yaml", Message: "x"}}
		}), true, check.Fail, "--profile debug, le projet ne se charge pas"},
		{"loaded: up next", with(func(o *profilesObs) { o.Loaded = true }), false, 0, ""},
		{"up fails", with(func(o *profilesObs) { o.Loaded, o.Up, o.UpErr = true, true, errors.New("no such image") }), true, check.Fail, "`up --profile debug` échoue : « no such image »"},
		{"debug exits", with(func(o *profilesObs) { o.Loaded, o.Up, o.After = true, true, []engine.Container{{Status: "exited"}} }), true, check.Fail, "le service debug ne tourne pas"},
		{"solution", with(func(o *profilesObs) { o.Loaded, o.Up, o.After = true, true, []engine.Container{running("")} }), true, check.Pass, "qu'avec --profile debug"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeProfiles(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}
