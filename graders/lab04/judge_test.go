package lab04

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
)

func TestJudgeLimits(t *testing.T) {
	want := wantLimits{Memory: 64 << 20, NanoCPUs: 5e8, Pids: 64}
	good := engine.Resources{Memory: 64 << 20, MemorySwap: 64 << 20, NanoCPUs: 5e8, PidsLimit: 64}
	tests := []struct {
		name string
		edit func(*engine.Resources)
		want check.Status
		msg  string
	}{
		{"fixture solution", func(*engine.Resources) {}, check.Pass, "64 Mio de mémoire sans swap"},
		{"cpu quota spelling", func(r *engine.Resources) { r.NanoCPUs, r.CPUQuota, r.CPUPeriod = 0, 50000, 100000 }, check.Pass, ""},
		{"fixture fail-config: no --memory-swap", func(r *engine.Resources) { r.MemorySwap = 128 << 20 }, check.Fail, "mémoire + swap 128 Mio au lieu de 64 Mio (--memory-swap)"},
		{"swap left to the engine", func(r *engine.Resources) { r.MemorySwap = 0 }, check.Fail, "--memory-swap absent"},
		{"unlimited swap", func(r *engine.Resources) { r.MemorySwap = -1 }, check.Fail, "swap illimité"},
		{"fixture fail-restart-always: no memory limit", func(r *engine.Resources) { r.Memory, r.MemorySwap = 0, 0 }, check.Fail, "mémoire illimitée au lieu de 64 Mio (--memory)"},
		{"one cpu", func(r *engine.Resources) { r.NanoCPUs = 1e9 }, check.Fail, "1 CPU au lieu de 0.5"},
		{"no pids limit", func(r *engine.Resources) { r.PidsLimit = 0 }, check.Fail, "limite de PID aucune limite"},
		{"everything wrong at once", func(r *engine.Resources) { *r = engine.Resources{} }, check.Fail, " ; "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := good
			tt.edit(&r)
			o := judgeLimits(r, want)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
			if tt.want == check.Fail {
				assert.Contains(t, o.Expected.FR, "MemorySwap=67108864")
				assert.Contains(t, o.Actual.FR, "Memory=")
				assert.NotContains(t, o.Message.EN, "mémoire")
			}
		})
	}
}

func TestJudgeBinding(t *testing.T) {
	b := func(ip, port string) engine.PortBinding {
		return engine.PortBinding{ContainerPort: "8080/tcp", HostIP: ip, HostPort: port}
	}
	tests := []struct {
		name  string
		ports []engine.PortBinding
		ok    bool
		msg   string
	}{
		{"loopback only", []engine.PortBinding{b("127.0.0.1", "8084")}, true, ""},
		{"all interfaces", []engine.PortBinding{b("0.0.0.0", "8084")}, false, "toutes les interfaces"},
		{"all interfaces, IPv6 too", []engine.PortBinding{b("0.0.0.0", "8084"), b("::", "8084")}, false, "toutes les interfaces"},
		{"loopback plus all interfaces", []engine.PortBinding{b("127.0.0.1", "8084"), b("0.0.0.0", "9000")}, false, "toutes les interfaces"},
		{"another port", []engine.PortBinding{b("127.0.0.1", "8080")}, false, "pas publié sur 127.0.0.1:8084"},
		{"nothing published", nil, false, "pas publié"},
		{"also on another loopback port", []engine.PortBinding{b("127.0.0.1", "8084"), b("127.0.0.1", "9000")}, false, "ailleurs aussi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok := judgeBinding(tt.ports, "127.0.0.1", "8084")
			assert.Equal(t, tt.ok, ok)
			if !tt.ok {
				assert.Equal(t, check.Fail, o.Status)
				assert.Contains(t, o.Message.FR, tt.msg)
				assert.Equal(t, "127.0.0.1:8084 → 8080/tcp", o.Expected.FR)
			}
		})
	}
}

// logLine is a log line as `docker logs --timestamps` prints it.
func logLine(sec int, msg string) string {
	return fmt.Sprintf("2026-05-01T10:00:%02d.%09dZ time=… msg=%s", sec, 123456789, msg)
}

func TestJudgeLogs(t *testing.T) {
	var log []string
	for i := range 20 {
		log = append(log, logLine(i, fmt.Sprint("req", i)))
	}
	before := log[:15] // the grader's 7 requests end at line 15
	after := log       // health checks went on while logs.sh ran
	out := func(lines ...string) string { return strings.Join(lines, "\n") + "\n" }
	strip := func(lines []string) []string {
		var o []string
		for _, l := range lines {
			_, msg, _ := strings.Cut(l, " ")
			o = append(o, msg)
		}
		return o
	}
	tests := []struct {
		name   string
		output string
		want   check.Status
		msg    string
	}{
		{"the last 5 when logs.sh ran", out(log[10:15]...), check.Pass, ""},
		{"a line came in meanwhile", out(log[12:17]...), check.Pass, ""},
		{"the latest 5", out(log[15:20]...), check.Pass, ""},
		{"stderr printed first", out(log[13], log[14], log[10], log[11], log[12]), check.Pass, ""},
		{"blank lines and CRLF", "\n" + strings.Join(log[10:15], "\r\n") + "\r\n\n", check.Pass, ""},
		{"older than the grader's requests", out(log[5:10]...), check.Fail, "ne sont pas les 5 dernières"},
		{"no timestamps", out(strip(log[10:15])...), check.Fail, "pas d'horodatage"},
		{"tail 10", out(log[5:15]...), check.Fail, "10 lignes"},
		{"tail 4", out(log[11:15]...), check.Fail, "4 lignes"},
		{"nothing", "", check.Fail, "rien affiché"},
		{"a header line", out(append([]string{"Journal :"}, log[10:15]...)...), check.Fail, "6 lignes"},
		{"a line edited", out(log[10], log[11], log[12], log[13], log[14]+"!"), check.Fail, "ne sont pas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeLogs(tt.output, before, after, 5)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
			if tt.want == check.Fail {
				assert.Contains(t, o.Expected.FR, "req19", "expected shows the latest lines")
			}
		})
	}
}

// FuzzJudgeLogs: any script output gets a verdict with a message, never a panic, and passes
// only when it holds exactly the requested number of lines.
func FuzzJudgeLogs(f *testing.F) {
	log := []string{logLine(1, "a"), logLine(2, "b"), logLine(3, "c"), logLine(4, "d"), logLine(5, "e"), logLine(6, "f")}
	f.Add(strings.Join(log[1:], "\n"), 2)
	f.Add("", 5)
	f.Add("2026-05-01T10:00:01Z x\n\n\r\n", 1)
	f.Fuzz(func(t *testing.T, output string, cut int) {
		if cut < 0 || cut > len(log) {
			cut = len(log) / 2
		}
		o := judgeLogs(output, log[:cut], log, 5)
		if o.Message.FR == "" || o.Message.EN == "" {
			t.Fatal("verdict without a message")
		}
		if o.Status == check.Pass && len(nonEmptyLines(output)) != 5 {
			t.Fatalf("passed with %d lines", len(nonEmptyLines(output)))
		}
	})
}

func TestStamp(t *testing.T) {
	assert.Equal(t, "2026-05-01T10:00:01.000000001Z", stamp("2026-05-01T10:00:01.000000001Z msg"))
	assert.Equal(t, "2026-05-01T10:00:01+02:00", stamp("2026-05-01T10:00:01+02:00 msg"))
	assert.Empty(t, stamp("time=2026-05-01T10:00:01Z msg"))
	assert.Empty(t, stamp(""))
}

func TestJudgeIP(t *testing.T) {
	ips := []string{"172.17.0.2"}
	tests := []struct {
		name, out string
		ips       []string
		want      check.Status
		msg       string
	}{
		{"the address", "172.17.0.2\n", ips, check.Pass, ""},
		{"spaces around", "  172.17.0.2  \n\n", ips, check.Pass, ""},
		{"one of two networks", "10.0.0.5\n", []string{"10.0.0.5", "172.17.0.2"}, check.Pass, ""},
		{"the gateway", "172.17.0.1\n", ips, check.Fail, "n'est pas l'adresse"},
		{"not an address", "lab4-app\n", ips, check.Fail, "pas une adresse IP"},
		{"two lines", "172.17.0.2\n172.17.0.2\n", ips, check.Fail, "une seule ligne"},
		{"nothing", "", ips, check.Fail, "une seule ligne"},
		{"container without address", "172.17.0.2\n", nil, check.Fail, "aucune adresse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeIP(script.Result{Stdout: tt.out}, tt.ips)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

func TestParseStatsLimit(t *testing.T) {
	tests := []struct {
		out  string
		want int64
		ok   bool
	}{
		{"1.73MiB / 64MiB\n", 64 << 20, true},
		{"64MiB", 64 << 20, true},
		{"64.00 MiB\n", 64 << 20, true},
		{"65536KiB", 64 << 20, true},
		{"67.11MB", 67110000, true},
		{"CONTAINER ID  NAME  MEM USAGE / LIMIT\nabc lab4-app 1.7MiB / 23.54GiB", 25275588362, true},
		{"2.1MiB / 23.54GiB", 25275588362, true},
		{"", 0, false},
		{"beaucoup", 0, false},
		{"64 parsecs", 0, false},
		{"1e400MiB", 0, false},
	}
	for _, tt := range tests {
		got, _, ok := parseStatsLimit(tt.out)
		assert.Equal(t, tt.ok, ok, tt.out)
		if tt.ok {
			assert.InDelta(t, tt.want, got, float64(tt.want)/1e4, tt.out)
		}
	}
}

func TestJudgeStats(t *testing.T) {
	const mib64 = 64 << 20
	tests := []struct {
		name, out string
		actual    int64
		want      check.Status
		msg       string
	}{
		{"docker stats' own format", "1.734MiB / 64MiB\n", mib64, check.Pass, "64MiB"},
		{"the limit alone", "64MiB\n", mib64, check.Pass, ""},
		{"no limit: the host's memory", "1.7MiB / 23.54GiB\n", 0, check.Fail, "23.54GiB"},
		{"printed, not measured", "64MiB\n", 0, check.Fail, "ne vient pas de docker stats"},
		{"decimal megabytes are not 64 MiB", "64MB\n", mib64, check.Fail, "64MB"},
		{"the whole table", "CONTAINER ID   NAME\n", mib64, check.Fail, "pas de limite mémoire lisible"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeStats(script.Result{Stdout: tt.out}, tt.actual, mib64)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
	// With the requests the proxy recorded (a local engine).
	recorded := []struct {
		name string
		reqs []string
		want check.Status
		msg  string
	}{
		{"fixture solution: docker stats --no-stream", []string{"HEAD /_ping", "GET /v1.41/containers/lab4-app/stats?stream=0"}, check.Pass, "64MiB"},
		{"fixture fail-answers: echo of the contract's limit", []string{}, check.Fail, "sans avoir interrogé le moteur"},
		{"an inspect is not a measurement", []string{"GET /v1.41/containers/lab4-app/json"}, check.Fail, "pas mesurée"},
	}
	for _, tt := range recorded {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeStats(script.Result{Stdout: "1.7MiB / 64MiB\n", Requests: tt.reqs}, mib64, mib64)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

// FuzzParseStatsLimit: any output is either a size or refused, never a panic or a negative size.
func FuzzParseStatsLimit(f *testing.F) {
	for _, s := range []string{"1.7MiB / 64MiB", "64MiB", "", "/", "9999999999999999999TiB", "0.5 kB", "1.2.3MiB"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, out string) {
		n, _, ok := parseStatsLimit(out)
		if ok && n < 0 {
			t.Fatalf("negative size %d for %q", n, out)
		}
		_ = judgeStats(script.Result{Stdout: out}, 64<<20, 64<<20)
	})
}

func TestKilledBy(t *testing.T) {
	ev := func(id, action, code string) engine.Event {
		return engine.Event{ID: id, Action: action, Attrs: map[string]string{"exitCode": code}}
	}
	assert.Equal(t, kill{oom: true, died: true, code: 137}, killedBy([]engine.Event{ev("a", "oom", ""), ev("a", "die", "137"), ev("a", "start", "")}, "a"))
	assert.Equal(t, kill{died: true, code: 137}, killedBy([]engine.Event{ev("a", "die", "137")}, "a"))
	assert.Equal(t, kill{}, killedBy([]engine.Event{ev("b", "oom", ""), ev("b", "die", "137")}, "a"), "another container's events")
	assert.Equal(t, kill{died: true, code: -1}, killedBy([]engine.Event{ev("a", "die", "x")}, "a"))
}

func TestJudgeCleanup(t *testing.T) {
	vol := strings.Repeat("ab", 32)
	before := []leftover{{Name: "lab4-app"}, {Name: "ddlab-x-extra", Volumes: []string{vol}}}
	o := judgeCleanup(script.Result{}, before, nil, nil, "ddlab-x-extra")
	assert.Equal(t, check.Pass, o.Status, o.Message.FR)
	assert.Contains(t, o.Message.FR, "2 conteneurs du lab 4 (lab4-app, ddlab-x-extra) et 1 volume anonyme")

	o = judgeCleanup(script.Result{}, before, []leftover{{Name: "ddlab-x-extra"}, {Name: "lab4-app"}}, nil, "ddlab-x-extra")
	assert.Equal(t, check.Fail, o.Status)
	assert.Contains(t, o.Message.FR, "il reste 2 conteneurs du lab 4 : ddlab-x-extra (ajouté par le correcteur, label ddlab.lab=lab4), lab4-app")

	o = judgeCleanup(script.Result{}, before, nil, []string{vol}, "ddlab-x-extra")
	assert.Equal(t, check.Fail, o.Status)
	assert.Contains(t, o.Message.FR, "il reste 1 volume anonyme : abababababab… (de ddlab-x-extra, le conteneur ajouté par le correcteur)")
}

func TestAnonymousVolumeNames(t *testing.T) {
	assert.True(t, anonymousRe.MatchString(strings.Repeat("0f", 32)))
	assert.False(t, anonymousRe.MatchString("lab4-data"))
	assert.False(t, anonymousRe.MatchString(strings.Repeat("0F", 32)))
}

// The judges of lab 4's checks that act on lab4-app or run a script, on recorded
// observations. A row named after a fixture (testdata/<case>) is what that fixture makes the
// check observe on the real engine.

var onFailure3 = engine.RestartPolicy{Name: "on-failure", MaxRetries: 3}

// runningApp is lab4-app as the solution leaves it.
func runningApp() engine.Container {
	return engine.Container{ID: "0123456789abcdef", Name: appName, Image: "ddlab/webapp:1", ImageID: "sha256:web", Status: "running",
		Running: true, Restart: onFailure3, StartedAt: time.Unix(1000, 0), Labels: map[string]string{"ddlab.lab": "lab4"}}
}

func exited(c engine.Container, code int) engine.Container {
	c.Running, c.Status, c.ExitCode = false, "exited", code
	return c
}

func ptr[T any](v T) *T { return &v }

func TestJudgeApp(t *testing.T) {
	judged := func(a appSeen, want bool, msg string) {
		t.Helper()
		o := judgeApp(a)
		if !want {
			if o != nil {
				t.Errorf("running app judged: %s", o.Message.FR)
			}
			return
		}
		if o == nil {
			t.Fatal("no verdict")
		}
		checktest.Verdict(t, *o, check.Fail, msg)
	}
	judged(appSeen{C: runningApp()}, false, "")
	judged(appSeen{Gone: true}, true, "a disparu pendant la correction")
	a := appSeen{C: exited(runningApp(), 137), Logs: "start\nkilled\n"}
	judged(a, true, "lab4-app n'est pas démarré : état exited, code de sortie 137")
	restarting := runningApp()
	restarting.Status = "restarting"
	judged(appSeen{C: restarting}, true, "état restarting")
}

func TestJudgeRun(t *testing.T) {
	ok := script.Result{}
	conflict := script.Result{ExitCode: 125, Output: "Conflict. The container name \"/lab4-app\" is already in use"}
	seen := func(c engine.Container) runObs {
		return runObs{First: ok, Second: &ok, Found: true, Seen: true, App: c, Image: "ddlab/webapp:1", ImageID: "sha256:web"}
	}
	other := runningApp()
	other.Image, other.ImageID = "nginx", "sha256:nginx"
	noLabel := runningApp()
	noLabel.Labels = nil
	tests := []struct {
		name     string
		o        runObs
		wantDone bool
		want     check.Status
		msg      string
	}{
		{"fixture solution", seen(runningApp()), true, check.Pass, "run.sh a réussi deux fois de suite"},
		{"fixture starter: scripts exit 0, no container", runObs{First: ok, Second: &ok}, true, check.Fail, "aucun conteneur lab4-app n'existe"},
		{"fixture fail-restart-none: the second run conflicts", runObs{First: ok, Second: &conflict, Found: true}, true, check.Fail, "n'est pas rejouable"},
		{"first run fails, no container", runObs{First: script.Result{ExitCode: 2}}, true, check.Fail, "run.sh s'est terminé avec le code 2"},
		{"first run times out, container left", runObs{First: script.Result{TimedOut: true, ExitCode: -1}, Found: true}, true, check.Fail, "n'a pas fini"},
		{"scripts succeed, container not looked at yet", runObs{First: ok, Second: &ok, Found: true}, false, 0, ""},
		{"exited after run.sh", seen(exited(runningApp(), 1)), true, check.Fail, "n'est pas démarré après run.sh"},
		{"another image", seen(other), true, check.Fail, "tourne depuis l'image nginx, pas depuis ddlab/webapp:1"},
		{"no label", seen(noLabel), true, check.Fail, "n'a pas le label ddlab.lab=lab4"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeRun(tt.o)
			checktest.Staged(t, o, done, tt.wantDone, tt.want, tt.msg)
		})
	}
}

func TestJudgePort(t *testing.T) {
	app := func(ports ...engine.PortBinding) appSeen {
		c := runningApp()
		c.Ports = ports
		return appSeen{C: c}
	}
	ours := engine.PortBinding{ContainerPort: "8080/tcp", HostIP: "127.0.0.1", HostPort: "8084"}
	wide := engine.PortBinding{ContainerPort: "8080/tcp", HostIP: "0.0.0.0", HostPort: "8084"}
	tests := []struct {
		name     string
		o        portObs
		wantDone bool
		want     check.Status
		msg      string
	}{
		{"fixture solution", portObs{App: app(ours), Health: &reply{Status: 200, Body: "ok"}}, true, check.Pass, "8080 publié sur 127.0.0.1:8084 seulement"},
		{"fixture fail-config: -p 8084:8080", portObs{App: app(wide)}, true, check.Fail, "publié sur toutes les interfaces (0.0.0.0:8084)"},
		{"binding right, not asked yet", portObs{App: app(ours)}, false, 0, ""},
		{"health fails", portObs{App: app(ours), Base: "http://127.0.0.1:8084", Health: &reply{Status: 500}}, true, check.Fail, "GET http://127.0.0.1:8084/health ne renvoie pas 200"},
		{"no answer", portObs{App: app(ours), Health: &reply{Err: errors.New("connection refused")}}, true, check.Fail, "ne renvoie pas 200"},
		{"app gone", portObs{App: appSeen{Gone: true}}, true, check.Fail, "a disparu"},
	}
	for _, tt := range tests {
		tt.o.IP, tt.o.Port = "127.0.0.1", "8084"
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgePort(tt.o)
			checktest.Staged(t, o, done, tt.wantDone, tt.want, tt.msg)
		})
	}
}

func TestJudgeEnv(t *testing.T) {
	withEnv := runningApp()
	withEnv.Env = []string{"PATH=/bin"}
	tests := []struct {
		name     string
		o        envObs
		wantDone bool
		want     check.Status
		msg      string
	}{
		{"fixture solution", envObs{App: appSeen{C: runningApp()}, Rep: &reply{Status: 200, Body: "prod"}}, true, check.Pass, "renvoie prod"},
		{"fixture fail-config: APP_MODE=dev", envObs{App: appSeen{C: runningApp()}, Rep: &reply{Status: 200, Body: "dev"}}, true, check.Fail, "APP_MODE vaut « dev »"},
		{"not asked yet", envObs{App: appSeen{C: runningApp()}}, false, 0, ""},
		{"unset", envObs{App: appSeen{C: withEnv}, Rep: &reply{Status: 404}}, true, check.Fail, "n'est pas définie"},
		{"server error", envObs{App: appSeen{C: runningApp()}, Rep: &reply{Status: 500}}, true, check.Fail, "répond 500"},
		{"no answer", envObs{App: appSeen{C: runningApp()}, Base: "http://127.0.0.1:8084", Rep: &reply{Err: errors.New("EOF")}}, true, check.Fail, "ne répond pas sur http://127.0.0.1:8084"},
		{"app stopped", envObs{App: appSeen{C: exited(runningApp(), 1)}}, true, check.Fail, "n'est pas démarré"},
	}
	for _, tt := range tests {
		tt.o.Want = "prod"
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeEnv(tt.o)
			checktest.Staged(t, o, done, tt.wantDone, tt.want, tt.msg)
		})
	}
	o, _ := judgeEnv(envObs{App: appSeen{C: withEnv}, Want: "prod", Rep: &reply{Status: 404}})
	assert.Equal(t, "APP_MODE absente de l'environnement du conteneur", o.Actual.FR)
}

func TestJudgeRestart(t *testing.T) {
	app := func(p engine.RestartPolicy) appSeen {
		c := runningApp()
		c.Restart = p
		return appSeen{C: c}
	}
	ready := &reply{Status: 200}
	restarted := runningApp()
	restarted.RestartCount, restarted.StartedAt = 1, time.Unix(2000, 0)
	byHand := runningApp()
	byHand.StartedAt = time.Unix(2000, 0)
	down := exited(runningApp(), 3)
	tests := []struct {
		name     string
		o        restartObs
		wantDone bool
		want     check.Status
		msg      string
	}{
		{"fixture solution", restartObs{App: app(onFailure3), Ready: ready, After: &restarted, Took: time.Second}, true, check.Pass, "a redémarré en 1s (RestartCount 1)"},
		{"fixture fail-restart-always", restartObs{App: app(engine.RestartPolicy{Name: "always"})}, true, check.Fail, "La politique de redémarrage de lab4-app est always"},
		{"fixture fail-restart-none", restartObs{App: app(engine.RestartPolicy{Name: "no"})}, true, check.Fail, "est `no` (aucun redémarrage)"},
		{"on-failure:5", restartObs{App: app(engine.RestartPolicy{Name: "on-failure", MaxRetries: 5})}, true, check.Fail, "est on-failure:5"},
		{"policy right, not asked yet", restartObs{App: app(onFailure3)}, false, 0, ""},
		{"no answer before the crash", restartObs{App: app(onFailure3), Base: "http://127.0.0.1:8084", Ready: &reply{Err: errors.New("refused")}}, true, check.Fail, "impossible de le faire planter"},
		{"crash sent, not looked yet", restartObs{App: app(onFailure3), Ready: ready}, false, 0, ""},
		{"did not stop", restartObs{App: app(onFailure3), Ready: ready, After: ptr(runningApp())}, true, check.Fail, "ne s'est pas arrêté après POST /crash"},
		{"started again by something else", restartObs{App: app(onFailure3), Ready: ready, After: &byHand}, true, check.Fail, "pas par sa politique"},
		{"not back in time", restartObs{App: app(onFailure3), Ready: ready, After: &down}, true, check.Fail, "ne redémarre pas dans les 2s"},
		{"app not running beforehand", restartObs{App: appSeen{C: exited(runningApp(), 1)}}, true, check.Fail, "n'est pas démarré"},
	}
	for _, tt := range tests {
		tt.o.Retries, tt.o.Wait = 3, 2*time.Second
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeRestart(tt.o)
			checktest.Staged(t, o, done, tt.wantDone, tt.want, tt.msg)
		})
	}
}

func TestJudgeOOM(t *testing.T) {
	app := appSeen{C: runningApp()}
	ready := &reply{Status: 200}
	allocated := &reply{Status: 200, Body: `{"ok":true}`}
	cut := &reply{Err: errors.New("EOF")}
	back := runningApp()
	back.RestartCount = 1
	killed := exited(runningApp(), 137)
	killed.OOMKilled = true
	noPolicy := killed
	noPolicy.Restart = engine.RestartPolicy{Name: "no"}
	tests := []struct {
		name     string
		o        oomObs
		wantDone bool
		want     check.Status
		msg      string
	}{
		{"fixture solution", oomObs{Alloc: cut, Got: back, Kill: kill{oom: true, died: true, code: 137}}, true, check.Pass, "le noyau a tué lab4-app (OOMKilled)"},
		{"killed, seen by its exit code only", oomObs{Alloc: cut, Got: back, Kill: kill{died: true, code: 137}}, true, check.Pass, "(code 137)"},
		{"fixture fail-restart-always: no memory limit", oomObs{Alloc: allocated, Got: runningApp(), Since: 3 * time.Second}, true, check.Fail, "a alloué 128 Mio sans être tué : sa mémoire n'est pas limitée à 64 Mio"},
		{"allocated, too soon to say", oomObs{Alloc: allocated, Got: runningApp(), Since: time.Second}, false, 0, ""},
		{"fixture fail-restart-none: killed, never restarted", oomObs{Alloc: cut, Got: noPolicy, Kill: kill{oom: true, died: true, code: 137}}, true, check.Fail, "Le noyau a tué lab4-app (OOM), mais il n'a pas redémarré (politique `no`"},
		{"OOMKilled flag only, late", oomObs{Alloc: cut, Got: func() engine.Container { c := killed; c.Status = "restarting"; return c }(), Late: true}, true, check.Fail, "mais il n'a pas redémarré"},
		{"killed, restarting: wait", oomObs{Alloc: cut, Got: func() engine.Container { c := killed; c.Status = "restarting"; return c }(), Kill: kill{oom: true}}, false, 0, ""},
		{"another exit code", oomObs{Alloc: cut, Got: exited(runningApp(), 1), Kill: kill{died: true, code: 1}, Late: true}, true, check.Fail, "s'est arrêté avec le code 1, pas par un dépassement"},
		{"nothing happened in time", oomObs{Alloc: cut, Got: runningApp(), Late: true}, true, check.Fail, "n'a pas arrêté lab4-app en 3s"},
		{"not asked yet", oomObs{Ready: nil}, false, 0, ""},
		{"no answer before", oomObs{Ready: &reply{Err: errors.New("refused")}, Base: "http://127.0.0.1:8084"}, true, check.Fail, "ne répond pas sur http://127.0.0.1:8084"},
	}
	for _, tt := range tests {
		tt.o.MemoryLimit, tt.o.MB, tt.o.Limit, tt.o.Wait, tt.o.Before = true, 128, 64<<20, 3*time.Second, runningApp()
		if !tt.o.App.Gone && tt.o.App.C.ID == "" {
			tt.o.App = app
		}
		if tt.o.Alloc != nil && tt.o.Ready == nil {
			tt.o.Ready = ready
		}
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeOOM(tt.o)
			checktest.Staged(t, o, done, tt.wantDone, tt.want, tt.msg)
		})
	}
	t.Run("no memory cgroup", func(t *testing.T) {
		o, done := judgeOOM(oomObs{})
		checktest.Staged(t, o, done, true, check.Skip, "pas de cgroup mémoire")
		assert.True(t, o.Excluded)
	})
	t.Run("app gone", func(t *testing.T) {
		o, done := judgeOOM(oomObs{MemoryLimit: true, App: appSeen{Gone: true}})
		checktest.Staged(t, o, done, true, check.Fail, "a disparu")
	})
}

func TestJudgeManualStop(t *testing.T) {
	stopped := exited(runningApp(), 0)
	again := runningApp()
	again.StartedAt = time.Unix(3000, 0)
	tests := []struct {
		name     string
		o        manualStopObs
		wantDone bool
		want     check.Status
		msg      string
	}{
		{"fixture solution", manualStopObs{App: appSeen{C: runningApp()}, Stopped: &stopped, Got: &stopped, Over: true}, true, check.Pass, "est resté arrêté pendant 5s (exited, code 0)"},
		{"fixture fail-restart-always: the watchdog starts it", manualStopObs{App: appSeen{C: runningApp()}, Stopped: &stopped, Got: &again}, true, check.Fail, "a redémarré après un arrêt manuel"},
		{"started and stopped again in between", manualStopObs{App: appSeen{C: runningApp()}, Stopped: &stopped, Got: ptr(exited(again, 0))}, true, check.Fail, "a redémarré après un arrêt manuel"},
		{"fixture fail-restart-none: killed by the OOM check", manualStopObs{App: appSeen{C: exited(runningApp(), 137)}}, true, check.Fail, "devait être démarré avant l'arrêt manuel"},
		{"not stopped yet", manualStopObs{App: appSeen{C: runningApp()}}, false, 0, ""},
		{"still stopped, watching", manualStopObs{App: appSeen{C: runningApp()}, Stopped: &stopped, Got: &stopped}, false, 0, ""},
	}
	for _, tt := range tests {
		tt.o.Wait = 5 * time.Second
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeManualStop(tt.o)
			checktest.Staged(t, o, done, tt.wantDone, tt.want, tt.msg)
		})
	}
	o, _ := judgeManualStop(manualStopObs{App: appSeen{C: exited(runningApp(), 137)}})
	assert.Contains(t, o.Actual.FR, "exited, code 137")
}

func TestJudgeFixed(t *testing.T) {
	healthy := engine.Container{ID: "f1", Name: fixedName, Image: "ddlab/broken:1", ImageID: "sha256:broken", Status: "running", Running: true,
		Health: "healthy", Labels: map[string]string{"ddlab.lab": "lab4"}, Env: []string{"DATABASE_URL=kv://lab4"}}
	with := func(f func(*engine.Container)) engine.Container { c := healthy; f(&c); return c }
	crashed := with(func(c *engine.Container) { c.Running, c.Status, c.ExitCode, c.Health = false, "exited", 3, "" })
	missingVar := &engine.Logs{Stderr: "démarrage\nERREUR: variable DATABASE_URL manquante\n"}
	obs := func(c engine.Container) fixedObs {
		return fixedObs{Found: true, Image: "ddlab/broken:1", ImageID: "sha256:broken", C: c}
	}
	down := func(c engine.Container, logs *engine.Logs) fixedObs { o := obs(c); o.Logs = logs; return o }
	late := func(c engine.Container) fixedObs { o := obs(c); o.Late = true; return o }
	tests := []struct {
		name     string
		o        fixedObs
		wantDone bool
		want     check.Status
		msg      string
	}{
		{"fixture solution", obs(healthy), true, check.Pass, "lab4-fixed (ddlab/broken:1, DATABASE_URL=kv://lab4) est healthy"},
		{"fixture starter: fix.sh exits 0, no container", fixedObs{}, true, check.Fail, "aucun conteneur lab4-fixed n'existe"},
		{"fixture fail-answers: no DATABASE_URL, exits 3", down(crashed, missingVar), true, check.Fail, "s'est arrêté (code 3) : démarrage\nERREUR: variable DATABASE_URL manquante"},
		{"stopped, only stdout", down(crashed, &engine.Logs{Stdout: "oups\n"}), true, check.Fail, "(code 3) : oups"},
		{"fix.sh fails", fixedObs{Script: script.Result{ExitCode: 1}}, true, check.Fail, "fix.sh s'est terminé avec le code 1"},
		{"image not read yet", fixedObs{Found: true}, false, 0, ""},
		{"another image", obs(with(func(c *engine.Container) { c.Image, c.ImageID = "ddlab/webapp:1", "sha256:web" })), true, check.Fail, "tourne depuis l'image ddlab/webapp:1"},
		{"starting", obs(with(func(c *engine.Container) { c.Health = "starting" })), false, 0, ""},
		{"still starting after the wait", late(with(func(c *engine.Container) { c.Health = "starting" })), true, check.Fail, "n'est pas healthy après 20s (état : running, starting)"},
		{"no healthcheck", late(with(func(c *engine.Container) { c.Health = "" })), true, check.Fail, "running, sans healthcheck"},
		{"unhealthy", down(with(func(c *engine.Container) { c.Health, c.HealthLog = "unhealthy", []string{"a", "b"} }), &engine.Logs{}), true, check.Fail, "lab4-fixed est unhealthy"},
		{"restarting in a loop: wait", obs(with(func(c *engine.Container) { c.Status, c.Health = "restarting", "" })), false, 0, ""},
		{"no label", obs(with(func(c *engine.Container) { c.Labels = nil })), true, check.Fail, "n'a pas le label ddlab.lab=lab4"},
		{"another DATABASE_URL", obs(with(func(c *engine.Container) { c.Env = []string{"DATABASE_URL=kv://x"} })), true, check.Fail, "DATABASE_URL n'a pas la valeur du contrat"},
	}
	for _, tt := range tests {
		tt.o.Wait, tt.o.Want = 20*time.Second, "DATABASE_URL=kv://lab4"
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeFixed(tt.o)
			checktest.Staged(t, o, done, tt.wantDone, tt.want, tt.msg)
		})
	}
}

func TestJudgeScriptChecks(t *testing.T) {
	exit1 := script.Result{ExitCode: 1, Output: "Error: No such container: lab4-app\n"}
	stamped := func(i int) string { return fmt.Sprintf("2026-05-01T10:00:%02d.000000000Z msg=req%d", i, i) }
	var log []string
	for i := range 10 {
		log = append(log, stamped(i))
	}
	vol := strings.Repeat("ab", 32)
	before := []leftover{{Name: appName}, {Name: "ddlab-x-extra", Volumes: []string{vol}}}
	tests := []struct {
		name string
		o    check.Outcome
		want check.Status
		msg  string
	}{
		{"ip: fixture solution", judgeIP(script.Result{Stdout: "172.17.0.2\n"}, []string{"172.17.0.2"}), check.Pass, "l'adresse de lab4-app"},
		{"ip: fixture fail-config, the gateway", judgeIP(script.Result{Stdout: "172.17.0.1\n"}, []string{"172.17.0.2"}), check.Fail, "172.17.0.1, qui n'est pas l'adresse de lab4-app"},
		{"ip: ip.sh fails", judgeIP(exit1, []string{"172.17.0.2"}), check.Fail, "ip.sh s'est terminé avec le code 1"},
		{"stats: fixture solution", judgeStats(script.Result{Stdout: "1.7MiB / 64MiB\n"}, 64<<20, 64<<20), check.Pass, "64MiB"},
		{"stats: fixture fail-restart-always, no limit", judgeStats(script.Result{Stdout: "1.7MiB / 7.6GiB\n"}, 0, 64<<20), check.Fail, "stats.sh affiche une limite mémoire de 7.6GiB"},
		{"stats: stats.sh fails", judgeStats(exit1, 64<<20, 64<<20), check.Fail, "stats.sh s'est terminé avec le code 1"},
		{"logs: fixture solution", judgeLogsRun(logsObs{Script: script.Result{Output: strings.Join(log[5:], "\n")}, Before: log, After: log, N: 5}), check.Pass, ""},
		{"logs: fixture fail-answers, no --timestamps", judgeLogsRun(logsObs{Script: script.Result{Output: "msg=req5\nmsg=req6\nmsg=req7\nmsg=req8\nmsg=req9\n"}, Before: log, After: log, N: 5}),
			check.Fail, "n'ont pas d'horodatage"},
		{"logs: logs.sh fails", judgeLogsRun(logsObs{Script: exit1, N: 5}), check.Fail, "logs.sh s'est terminé avec le code 1"},
		{"logs: the app stops answering", judgeLogsRun(logsObs{Base: "http://127.0.0.1:8084", NoAnswer: &reply{Err: errors.New("EOF")}}), check.Fail, "ne répond pas sur http://127.0.0.1:8084"},
		{"cleanup: fixture solution", judgeCleanup(script.Result{}, before, nil, nil, "ddlab-x-extra"), check.Pass, "et 1 volume anonyme"},
		{"cleanup: fixture starter, the grader's container left", judgeCleanup(script.Result{}, before, before[1:], nil, "ddlab-x-extra"), check.Fail,
			"ddlab-x-extra (ajouté par le correcteur, label ddlab.lab=lab4)"},
		{"cleanup: fixture fail-answers, rm -f without -v", judgeCleanup(script.Result{}, before, nil, []string{vol}, "ddlab-x-extra"), check.Fail,
			"mais il reste 1 volume anonyme : abababababab…"},
		{"cleanup: cleanup.sh fails", judgeCleanup(exit1, before, nil, nil, "ddlab-x-extra"), check.Fail, "cleanup.sh s'est terminé avec le code 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, tt.o, tt.want, tt.msg) })
	}
}

func TestReach(t *testing.T) {
	b := func(ip, port string) engine.PortBinding {
		return engine.PortBinding{ContainerPort: "8080/tcp", HostIP: ip, HostPort: port}
	}
	tests := []struct {
		name   string
		remote bool
		ports  []engine.PortBinding
		url    string
		want   check.Status // of the verdict, when there is one
		msg    string
	}{
		{"the contract's binding", false, []engine.PortBinding{b("0.0.0.0", "9000"), b("127.0.0.1", "8084")}, "http://127.0.0.1:8084", 0, ""},
		{"fixture fail-config: all interfaces, reached on loopback", false, []engine.PortBinding{b("0.0.0.0", "8084")}, "http://127.0.0.1:8084", 0, ""},
		{"IPv6 everywhere", false, []engine.PortBinding{b("::", "8084")}, "http://127.0.0.1:8084", 0, ""},
		{"not published", false, []engine.PortBinding{{ContainerPort: "9090/tcp", HostIP: "127.0.0.1", HostPort: "8084"}}, "", check.Fail, "n'est publié nulle part"},
		{"remote engine", true, []engine.PortBinding{b("127.0.0.1", "8084")}, "", check.Skip, "tcp://docker.example:2376"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, o := reach(tt.remote, "tcp://docker.example:2376", tt.ports, "127.0.0.1", "8084")
			assert.Equal(t, tt.url, url)
			if tt.want == 0 {
				assert.Nil(t, o)
				return
			}
			if assert.NotNil(t, o) {
				checktest.Verdict(t, *o, tt.want, tt.msg)
			}
		})
	}
	_, o := reach(true, "tcp://docker.example:2376", nil, "127.0.0.1", "8084")
	assert.True(t, o.Excluded)
}
