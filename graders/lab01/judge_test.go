package lab01

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/labs"
)

func TestJudgeWeb(t *testing.T) {
	want := webWant{Image: "ddlab/webapp:1", ImageID: "sha256:web1"}
	good := engine.Container{ID: "abcdef0123456789", Image: "ddlab/webapp:1", ImageID: "sha256:web1", Running: true, Status: "running",
		Labels: map[string]string{"ddlab.lab": "lab1"}}
	with := func(f func(*engine.Container)) engine.Container { c := good; f(&c); return c }
	tests := []struct {
		name   string
		c      engine.Container
		found  bool
		others []string
		status check.Status
		msg    string
	}{
		{"good", good, true, nil, check.Pass, "lab1-web tourne depuis ddlab/webapp:1"},
		{"missing", engine.Container{}, false, nil, check.Fail, "Aucun conteneur nommé lab1-web"},
		{"other image", with(func(c *engine.Container) { c.Image, c.ImageID = "ddlab/webapp:2", "sha256:web2" }), true, nil, check.Fail, "depuis l'image ddlab/webapp:2"},
		{"image by another name", with(func(c *engine.Container) { c.Image = "docker.io/ddlab/webapp:1" }), true, nil, check.Pass, ""},
		{"no label", with(func(c *engine.Container) { c.Labels = nil }), true, nil, check.Fail, "n'a pas le label ddlab.lab=lab1"},
		{"wrong label", with(func(c *engine.Container) { c.Labels = map[string]string{"ddlab.lab": "lab2"} }), true, nil, check.Fail, "n'a pas le label"},
		{"exited", with(func(c *engine.Container) { c.Running, c.Status, c.ExitCode = false, "exited", 2 }), true, nil, check.Fail, "ne tourne pas (état exited, code de sortie 2)"},
		{"not alone", good, true, []string{"vieux-web"}, check.Fail, "D'autres conteneurs du lab tournent à côté de lab1-web : vieux-web"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeWeb(tt.c, tt.found, want, tt.others)
			assert.Equal(t, tt.status, o.Status)
			assert.Contains(t, o.Message.FR, tt.msg)
			assert.NotEmpty(t, o.Message.EN)
			if o.Status == check.Fail {
				assert.NotEmpty(t, o.Expected.FR)
				assert.NotEmpty(t, o.Actual.FR)
			}
		})
	}
}

func TestOthers(t *testing.T) {
	got := others([]engine.ContainerSummary{
		{Name: "lab1-web", State: "running"},
		{Name: "zz", State: "running"},
		{Name: "aa", State: "running"},
		{Name: "stopped", State: "exited"},
		{Name: "grader-probe", State: "running", Labels: map[string]string{"ddlab.run": "run-1"}},
		{Name: "copied-label", State: "running", Labels: map[string]string{"ddlab.run": "guess"}},
	}, "run-1")
	assert.Equal(t, []string{"aa", "copied-label", "zz"}, got)
}

func TestJudgePorts(t *testing.T) {
	b := func(ip, port string) engine.PortBinding {
		return engine.PortBinding{ContainerPort: "8080/tcp", HostIP: ip, HostPort: port}
	}
	tests := []struct {
		name   string
		ports  []engine.PortBinding
		status check.Status
		msg    string
	}{
		{"loopback only", []engine.PortBinding{b("127.0.0.1", "8081")}, check.Pass, "publié sur 127.0.0.1:8081 seulement"},
		{"other port ignored", []engine.PortBinding{b("127.0.0.1", "8081"), {ContainerPort: "9090/tcp", HostIP: "0.0.0.0", HostPort: "9090"}}, check.Pass, ""},
		{"none", nil, check.Fail, "n'est pas publié"},
		{"all interfaces", []engine.PortBinding{b("0.0.0.0", "8081"), b("::", "8081")}, check.Fail, "toutes les interfaces (0.0.0.0:8081, [::]:8081)"},
		{"empty host IP", []engine.PortBinding{b("", "8081")}, check.Fail, "toutes les interfaces"},
		{"wrong port", []engine.PortBinding{b("127.0.0.1", "18081")}, check.Fail, "publié sur 127.0.0.1:18081"},
		{"twice", []engine.PortBinding{b("127.0.0.1", "8081"), b("127.0.0.1", "8082")}, check.Fail, "127.0.0.1:8081, 127.0.0.1:8082"},
		{"other loopback", []engine.PortBinding{b("127.0.0.2", "8081")}, check.Fail, "127.0.0.2:8081"},
		{"udp is another port", []engine.PortBinding{{ContainerPort: "8080/udp", HostIP: "127.0.0.1", HostPort: "8081"}}, check.Fail, "n'est pas publié"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgePorts(tt.ports, "8080/tcp", "8081")
			assert.Equal(t, tt.status, o.Status)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

func TestJudgeHTTP(t *testing.T) {
	const url = "http://127.0.0.1:8081/"
	refused := &netError{"connect: connection refused"}
	tests := []struct {
		name   string
		resp   response
		err    error
		status check.Status
		msg    string
	}{
		{"good", response{200, "Bonjour depuis abc\n"}, nil, check.Pass, "répond 200 : « Bonjour depuis abc »"},
		{"nothing", response{}, refused, check.Fail, "Rien ne répond sur " + url},
		{"404", response{404, "404 page not found"}, nil, check.Fail, "répond 404"},
		{"other greeting", response{200, "Bonjour, Docker depuis abc"}, nil, check.Pass, ""},
		{"default greeting", response{200, "Hello depuis abc"}, nil, check.Fail, "commence par « Hello depuis abc »"},
		{"lowercase", response{200, "bonjour depuis abc"}, nil, check.Fail, "GREETING=Bonjour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeHTTP(url, tt.resp, tt.err, "Bonjour", time.Second)
			assert.Equal(t, tt.status, o.Status)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

type netError struct{ s string }

func (e *netError) Error() string { return e.s }

func obs(values map[string]string) *observation {
	return &observation{values: values, kernel: "6.1.0-18-amd64", nonce: "/bonjour-1234",
		truth: engine.Container{ID: "3f2a9c1b7d40aaaa", Hostname: "3f2a9c1b7d40", Pid: 4242, Running: true}}
}

func TestJudgeObservations(t *testing.T) {
	good := map[string]string{"noyau_hote": "6.1.0-18-amd64", "noyau_conteneur": "6.1.0-18-amd64", "pid_conteneur": "1",
		"pid_hote": "4242", "hostname_conteneur": "3f2a9c1b7d40", "derniere_requete": "/bonjour-1234"}
	but := func(k, v string) map[string]string {
		m := map[string]string{}
		for a, b := range good {
			m[a] = b
		}
		if v == "<absent>" {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	type judge func(*observation) check.Outcome
	tests := []struct {
		name   string
		judge  judge
		values map[string]string
		status check.Status
		msg    string
	}{
		{"kernel good", judgeKernel, good, check.Pass, "même noyau, 6.1.0-18-amd64"},
		{"kernel host wrong", judgeKernel, but("noyau_hote", "23.4.0"), check.Fail, "noyau_hote vaut « 23.4.0 »"},
		{"kernel container wrong", judgeKernel, but("noyau_conteneur", "5.15.0"), check.Fail, "noyau_conteneur vaut « 5.15.0 »"},
		{"kernel missing", judgeKernel, but("noyau_conteneur", "<absent>"), check.Fail, "pas de ligne noyau_conteneur="},
		{"kernel TODO", judgeKernel, but("noyau_hote", "TODO"), check.Fail, "« TODO »"},
		{"pid good", judgePID, good, check.Pass, "PID 1 dans le conteneur et le PID 4242"},
		{"pid host is 1", judgePID, but("pid_hote", "1"), check.Fail, "pid_hote vaut 1"},
		{"pid host stale", judgePID, but("pid_hote", "4241"), check.Fail, "pid_hote vaut 4241, mais le processus principal de lab1-web a le PID 4242"},
		{"pid container not 1", judgePID, but("pid_conteneur", "4242"), check.Fail, "pid_conteneur vaut 4242"},
		{"pid not a number", judgePID, but("pid_hote", "42a"), check.Fail, "pid_hote n'est pas un nombre"},
		{"pid empty", judgePID, but("pid_conteneur", ""), check.Fail, "pid_conteneur n'est pas un nombre"},
		{"pid missing", judgePID, but("pid_hote", "<absent>"), check.Fail, "pas de ligne pid_hote="},
		{"hostname good", judgeHostname, good, check.Pass, "le début de son ID"},
		{"hostname name", judgeHostname, but("hostname_conteneur", "lab1-web"), check.Fail, "hostname_conteneur vaut « lab1-web »"},
		{"hostname full ID", judgeHostname, but("hostname_conteneur", "3f2a9c1b7d40aaaa"), check.Fail, "est 3f2a9c1b7d40"},
		{"logs good", judgeLogs, good, check.Pass, "derniere_requete=/bonjour-1234"},
		{"logs own request", judgeLogs, but("derniere_requete", "/whoami"), check.Fail, "lisez les journaux avant"},
		{"logs with method", judgeLogs, but("derniere_requete", "GET /bonjour-1234"), check.Fail, "« GET /bonjour-1234 »"},
		{"logs missing", judgeLogs, but("derniere_requete", "<absent>"), check.Fail, "pas de ligne derniere_requete="},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.judge(obs(tt.values))
			assert.Equal(t, tt.status, o.Status)
			assert.Contains(t, o.Message.FR, tt.msg)
			assert.NotEmpty(t, o.Message.EN)
			if o.Status == check.Fail {
				assert.NotEmpty(t, o.Expected.FR)
				assert.NotEmpty(t, o.Actual.FR)
			}
		})
	}

	t.Run("hostname set by the student", func(t *testing.T) {
		o := obs(but("hostname_conteneur", "web"))
		o.truth.Hostname = "web"
		got := judgeHostname(o)
		assert.Equal(t, check.Pass, got.Status)
		assert.NotContains(t, got.Message.FR, "ID")
	})
	t.Run("grader request lost", func(t *testing.T) {
		o := obs(good)
		o.nonceErr = errors.New("connection refused")
		got := judgeLogs(o)
		assert.Equal(t, check.Fail, got.Status)
		assert.Contains(t, got.Message.FR, "n'a pas atteint lab1-web")
	})
}

func TestJudgeCleanup(t *testing.T) {
	before := []engine.ContainerSummary{{Name: "lab1-web", State: "running"}, {Name: "planted", State: "exited"}}
	o := judgeCleanup(nil, before, nil, "planted")
	assert.Equal(t, check.Pass, o.Status)
	assert.Contains(t, o.Message.FR, "les 2 conteneurs")

	o = judgeCleanup(nil, before, before[1:], "planted")
	assert.Equal(t, check.Fail, o.Status)
	assert.Contains(t, o.Message.FR, "oublie les conteneurs arrêtés")
	assert.Equal(t, "planted (exited)", o.Actual.FR)

	o = judgeCleanup(nil, before, before, "planted")
	assert.Equal(t, check.Fail, o.Status)
	assert.NotContains(t, o.Message.FR, "oublie les conteneurs arrêtés")
	assert.Equal(t, "lab1-web (running), planted (exited)", o.Actual.FR)
}

// fakeRun is a run of lab1.yaml on a fake engine where run.sh already ran (first), so no
// script runs.
func fakeRun(spec *lab.Spec, e *enginefake.Fake, first *scriptRun) *state {
	r := &grader.Run{ID: "0123456789abcdef0123", Spec: spec, Engine: e, Cleanup: &grader.Cleanup{},
		Progress: func(check.Text) {}, Detail: func(string) {}}
	s := stateFor(r)
	s.first = first
	return s
}

func failed() *scriptRun {
	o := check.Failf("run.sh s'est terminé avec le code 1.", "run.sh exited with code 1.")
	return &scriptRun{Fail: &o}
}

func notFound(context.Context, string) (engine.Container, error) {
	return engine.Container{}, fmt.Errorf("lab1-web: %w", engine.ErrNotFound)
}

func TestStateWithFakeEngine(t *testing.T) {
	cat, err := lab.Load(labs.FS)
	require.NoError(t, err)
	spec, err := cat.Spec("lab1")
	require.NoError(t, err)
	t.Run("idempotent is skipped when the first run.sh failed", func(t *testing.T) {
		e := &enginefake.Fake{}
		o, err := fakeRun(spec, e, failed()).checkIdempotent(t.Context())
		require.NoError(t, err)
		assert.Equal(t, check.Skip, o.Status)
		assert.False(t, o.Excluded, "the points are lost, not excused")
		assert.Empty(t, e.Calls(), "no second run.sh, no engine call")
	})
	t.Run("observations are skipped without lab1-web", func(t *testing.T) {
		e := &enginefake.Fake{InspectContainerFn: notFound,
			InfoFn: func(context.Context) (engine.Info, error) { return engine.Info{KernelVersion: "6.1"}, nil }}
		s := fakeRun(spec, e, failed())
		for _, c := range []func(context.Context) (check.Outcome, error){s.observed(judgeKernel), s.observed(judgePID), s.checkLogs} {
			o, err := c(t.Context())
			require.NoError(t, err)
			assert.Equal(t, check.Skip, o.Status)
			assert.Contains(t, o.Message.FR, "lab1-web ne tourne pas")
		}
		assert.Equal(t, []string{"Info", "InspectContainer lab1-web"}, e.Calls(), "observed once, shared")
	})
	t.Run("loopback without lab1-web", func(t *testing.T) {
		e := &enginefake.Fake{InspectContainerFn: notFound}
		o, err := fakeRun(spec, e, failed()).checkLoopback(t.Context())
		require.NoError(t, err)
		assert.Equal(t, check.Fail, o.Status)
		assert.Contains(t, o.Message.FR, "Aucun conteneur lab1-web")
	})
	t.Run("loopback reads the engine's bindings", func(t *testing.T) {
		e := &enginefake.Fake{InspectContainerFn: func(context.Context, string) (engine.Container, error) {
			return engine.Container{Ports: []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "0.0.0.0", HostPort: "8081"}}}, nil
		}}
		o, err := fakeRun(spec, e, failed()).checkLoopback(t.Context())
		require.NoError(t, err)
		assert.Contains(t, o.Message.FR, "toutes les interfaces (0.0.0.0:8081)")
	})
	t.Run("remote engine: HTTP and logs are excused", func(t *testing.T) {
		e := &enginefake.Fake{HostValue: "tcp://docker.example:2376",
			InfoFn: func(context.Context) (engine.Info, error) { return engine.Info{Remote: true}, nil }}
		o, err := fakeRun(spec, e, failed()).checkHTTP(t.Context())
		require.NoError(t, err)
		assert.Equal(t, check.Skip, o.Status)
		assert.True(t, o.Excluded)
		assert.Contains(t, o.Message.FR, "tcp://docker.example:2376")
	})
	t.Run("run judges the image by ID and lists the lab's other containers", func(t *testing.T) {
		e := &enginefake.Fake{
			InspectImageFn: func(context.Context, string) (engine.Image, error) { return engine.Image{ID: "sha256:web1"}, nil },
			InspectContainerFn: func(context.Context, string) (engine.Container, error) {
				return engine.Container{ID: "abc", Name: "lab1-web", Image: "ddlab/webapp:1", ImageID: "sha256:web1", Running: true,
					Labels: map[string]string{"ddlab.lab": "lab1"}}, nil
			},
			ListContainersFn: func(_ context.Context, f engine.ContainerFilter) ([]engine.ContainerSummary, error) {
				assert.Equal(t, []string{"ddlab.lab=lab1"}, f.Labels)
				return []engine.ContainerSummary{{Name: "lab1-web", State: "running"}, {Name: "copie", State: "running"}}, nil
			},
		}
		w, err := fakeRun(spec, e, &scriptRun{}).observeWeb(t.Context())
		require.NoError(t, err)
		assert.Equal(t, "abc", w.C.ID)
		assert.Contains(t, judgeWebObs(w).Message.FR, "à côté de lab1-web : copie")
	})
	t.Run("a missing base image is the grader's error, not the student's", func(t *testing.T) {
		e := &enginefake.Fake{InspectImageFn: func(context.Context, string) (engine.Image, error) {
			return engine.Image{}, engine.ErrNotFound
		}}
		_, err := fakeRun(spec, e, &scriptRun{}).observeWeb(t.Context())
		assert.ErrorContains(t, err, "grade images")
	})
}

func TestJudgeRunAndIdempotent(t *testing.T) {
	want := webWant{Image: "ddlab/webapp:1", ImageID: "sha256:web1"}
	good := engine.Container{ID: "abcdef0123456789", Image: "ddlab/webapp:1", ImageID: "sha256:web1", Running: true, Status: "running",
		Labels: map[string]string{"ddlab.lab": "lab1"}}
	web := func(f func(*engine.Container)) webObs { c := good; f(&c); return webObs{C: c, Found: true, Want: want} }
	same := web(func(*engine.Container) {})
	unlabelled := web(func(c *engine.Container) { c.Labels = nil })
	stopped := web(func(c *engine.Container) { c.Running, c.Status, c.ExitCode = false, "exited", 1 })
	stopped.Logs = "panic: port in use\n"
	timeout := check.Failf("run.sh n'a pas fini en 4s : il a été arrêté.", "run.sh did not finish within 4s and was stopped.")
	conflict := check.Failf("run.sh s'est terminé avec le code 125.", "run.sh exited with code 125.").
		With("code de sortie 0", `docker: Error response from daemon: Conflict. The container name "/lab1-web" is already in use`)
	runs := []struct {
		name   string
		fail   *check.Outcome
		w      webObs
		status check.Status
		msg    string
	}{
		{"fixture solution", nil, same, check.Pass, "lab1-web tourne depuis ddlab/webapp:1, avec le label ddlab.lab=lab1 (ID abcdef012345)"},
		{"fixture starter", nil, webObs{Want: want}, check.Fail, "Aucun conteneur nommé lab1-web"},
		{"fixture fail-exposed", nil, unlabelled, check.Fail, "n'a pas le label ddlab.lab=lab1"},
		{"fixture fail-hang", &timeout, webObs{}, check.Fail, "run.sh n'a pas fini en 4s"},
		{"stopped, its logs shown", nil, stopped, check.Fail, "ne tourne pas"},
	}
	for _, tt := range runs {
		t.Run("run "+tt.name, func(t *testing.T) { checktest.Verdict(t, judgeRun(tt.fail, tt.w), tt.status, tt.msg) })
	}
	assert.Equal(t, "état exited, code 1\npanic: port in use", judgeRun(nil, stopped).Actual.FR)

	idem := []struct {
		name   string
		o      idempotentObs
		status check.Status
		msg    string
	}{
		{"fixture solution: re-created", idempotentObs{FirstID: "0000", Web: same}, check.Pass, "recrée lab1-web (nouvel ID abcdef012345)"},
		{"kept", idempotentObs{FirstID: good.ID, Web: same}, check.Pass, "lab1-web (abcdef012345) reste le seul en marche"},
		{"fixture starter", idempotentObs{Web: webObs{Want: want}}, check.Fail, "Aucun conteneur nommé lab1-web"},
		{"fixture fail-exposed", idempotentObs{Web: unlabelled}, check.Fail, "n'a pas le label ddlab.lab=lab1"},
		{"fixture fail-hang: the first run failed", idempotentObs{First: &timeout}, check.Skip, "le premier run.sh a échoué"},
		{"fixture fail-idempotent: name conflict", idempotentObs{Second: &conflict}, check.Fail, "Relancé, run.sh s'est terminé avec le code 125"},
		{"a second container beside", idempotentObs{Web: webObs{C: good, Found: true, Want: want, Others: []string{"lab1-web-2"}}}, check.Fail, "lab1-web-2"},
	}
	for _, tt := range idem {
		t.Run("idempotent "+tt.name, func(t *testing.T) { checktest.Verdict(t, judgeIdempotent(tt.o), tt.status, tt.msg) })
	}
	o := judgeIdempotent(idempotentObs{Second: &conflict})
	assert.Contains(t, o.Actual.FR, "is already in use")
	assert.Equal(t, "Run again, run.sh exited with code 125.", o.Message.EN)
}

func TestJudgeLoopback(t *testing.T) {
	b := func(ip string) engine.PortBinding {
		return engine.PortBinding{ContainerPort: "8080/tcp", HostIP: ip, HostPort: "8081"}
	}
	tests := []struct {
		name   string
		c      engine.Container
		found  bool
		status check.Status
		msg    string
	}{
		{"fixture solution", engine.Container{Ports: []engine.PortBinding{b("127.0.0.1")}}, true, check.Pass, "sur 127.0.0.1:8081 seulement"},
		{"fixture starter", engine.Container{}, false, check.Fail, "Aucun conteneur lab1-web"},
		{"fixture fail-exposed", engine.Container{Ports: []engine.PortBinding{b("0.0.0.0"), b("::")}}, true, check.Fail, "publié sur toutes les interfaces (0.0.0.0:8081"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checktest.Verdict(t, judgeLoopback(tt.c, tt.found, "8080", "8081"), tt.status, tt.msg)
		})
	}
}

func TestJudgeLogsBeforeTheValues(t *testing.T) {
	skip := check.Skipf("Non évalué : lab1-web ne tourne pas, observe.sh n'a rien à observer (voir lab1.run).", "Not evaluated.")
	unreadable := check.Failf("La sortie de observe.sh n'est pas lisible, ligne 1 : pas de la forme clé=valeur.", "observe.sh's output cannot be read, line 1.")
	tests := []struct {
		name   string
		o      *observation
		status check.Status
		msg    string
	}{
		{"fixture starter: lab1-web not running", &observation{skip: &skip, remote: true}, check.Skip, "lab1-web ne tourne pas"},
		{"remote engine", &observation{remote: true, host: "tcp://docker.example:2376", fail: &unreadable}, check.Skip, "tcp://docker.example:2376"},
		{"fixture fail-idempotent: output not key=value", &observation{fail: &unreadable}, check.Fail, "n'est pas lisible, ligne 1"},
		{"fixture fail-exposed: logs read after its own /whoami", obs(map[string]string{"derniere_requete": "/whoami"}), check.Fail, "derniere_requete vaut « /whoami »"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeLogs(tt.o), tt.status, tt.msg) })
	}
	assert.True(t, judgeLogs(&observation{remote: true}).Excluded)
}

func TestJudgeQuizFile(t *testing.T) {
	key := digests("salt", map[string]string{"q1": "b", "q2": "c", "q3": "a", "q4": "d"})
	file := func(s string) quizObs { return quizObs{Data: []byte(s)} }
	refused := check.T("lien hors du dossier", "link outside the folder")
	tests := []struct {
		name   string
		o      quizObs
		status check.Status
		msg    string
	}{
		{"fixture solution", file("q1: b\nq2: c\nq3: a\nq4: d\n"), check.Pass, "Les 4 réponses sont justes"},
		{"fixture starter", file("q1: \"?\"\nq2: \"?\"\nq3: \"?\"\nq4: \"?\"\n"), check.Fail, "sans réponse valide (une lettre a, b, c ou d) : q1, q2, q3, q4"},
		{"fixture fail-exposed: q1 wrong, q4 in capitals", file("q1: a\nq2: c\nq3: a\nq4: D\n"), check.Fail, "3/4 bonnes réponses ; à revoir : q1."},
		{"fixture fail-idempotent: a list as an answer", file("q1: b\nq2: [c]\nq3: a\nq4: d\n"), check.Fail, "la réponse à q2 doit être une lettre"},
		{"fixture fail-hang: no answers.yaml", quizObs{Missing: true}, check.Fail, "answers.yaml est absent"},
		{"refused by the copy", quizObs{Refused: &refused}, check.Fail, "answers.yaml est refusé : lien hors du dossier"},
		{"a folder", quizObs{NotRegular: true}, check.Fail, "n'est pas un fichier ordinaire"},
		{"too large", quizObs{Size: maxAnswersBytes + 1}, check.Fail, "est trop gros"},
		{"empty", file(""), check.Fail, "le fichier est vide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeQuizFile(tt.o, key, "salt"), tt.status, tt.msg) })
	}
}

func TestJudgeCleanupScript(t *testing.T) {
	exit2 := check.Failf("cleanup.sh s'est terminé avec le code 2.", "cleanup.sh exited with code 2.")
	missing := check.Failf("cleanup.sh est absent du dossier du lab.", "cleanup.sh is missing from the lab folder.")
	before := []engine.ContainerSummary{{Name: "lab1-web", State: "running"}, {Name: "planted", State: "created"}}
	tests := []struct {
		name   string
		fail   *check.Outcome
		after  []engine.ContainerSummary
		status check.Status
		msg    string
	}{
		{"fixture solution", nil, nil, check.Pass, "cleanup.sh a supprimé les 2 conteneurs"},
		{"fixture starter: the planted container left", nil, before[1:], check.Fail, "oublie les conteneurs arrêtés"},
		{"fixture fail-exposed: docker rm -f lab1-web only", nil, before[1:], check.Fail, "Il reste 1 conteneur arrêté"},
		{"fixture fail-idempotent: exits 2", &exit2, nil, check.Fail, "s'est terminé avec le code 2"},
		{"fixture fail-hang: no cleanup.sh", &missing, nil, check.Fail, "cleanup.sh est absent"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checktest.Verdict(t, judgeCleanup(tt.fail, before, tt.after, "planted"), tt.status, tt.msg)
		})
	}
}

func TestJudgeObserveRun(t *testing.T) {
	web := engine.Container{ID: "3f2a9c1b7d40aaaa", Running: true}
	good := "noyau_hote=6.1\nnoyau_conteneur=6.1\npid_conteneur=1\npid_hote=42\nhostname_conteneur=3f2a9c1b7d40\nderniere_requete=/x\n"
	ran := func(stdout string) *scriptRun { return &scriptRun{Res: script.Result{Stdout: stdout, Output: stdout}} }
	exit1 := check.Failf("observe.sh s'est terminé avec le code 1.", "observe.sh exited with code 1.")
	tests := []struct {
		name   string
		sr     *scriptRun
		after  engine.Container
		found  bool
		msg    string // "" when the values are read
		actual string
	}{
		{"fixture solution", ran(good), web, true, "", ""},
		{"fixture fail-exposed: spaces around = and an unknown key", ran("noyau_hote = 6.1\nautre=1\n" + good[len("noyau_hote=6.1\n"):]), web, true, "", ""},
		{"fixture fail-idempotent: a sentence first", ran("Voici mes observations :\n" + good), web, true, "n'est pas lisible, ligne 1",
			"pas de la forme clé=valeur : « Voici mes observations : »"},
		{"observe.sh fails", &scriptRun{Fail: &exit1}, engine.Container{}, false, "observe.sh s'est terminé avec le code 1", ""},
		{"lab1-web removed", ran(good), engine.Container{}, false, "a arrêté ou remplacé lab1-web", "supprimé"},
		{"lab1-web replaced", ran(good), engine.Container{ID: "ffff00001111aaaa", Running: true}, true, "a arrêté ou remplacé", "ffff00001111 (un autre conteneur)"},
		{"lab1-web stopped", ran(good), engine.Container{ID: web.ID, Status: "exited", ExitCode: 137}, true, "a arrêté ou remplacé", "exited (code 137)"},
		{"output too long", &scriptRun{Res: script.Result{Stdout: good, Output: good, StdoutTruncated: true}}, web, true, "trop longue", ""},
		{"a key twice", ran(good + "pid_hote=43\n"), web, true, "pid_hote déjà donnée ligne 4", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			values, fail := judgeObserveRun(tt.sr, web, tt.after, tt.found)
			if tt.msg == "" {
				require.Nil(t, fail)
				assert.Equal(t, "6.1", values["noyau_hote"])
				return
			}
			require.NotNil(t, fail)
			checktest.Verdict(t, *fail, check.Fail, tt.msg)
			assert.Contains(t, fail.Actual.FR, tt.actual)
		})
	}
}

// TestObservationFixtures: what each fixture makes observe.sh's judges see.
func TestObservationFixtures(t *testing.T) {
	skip := check.Skipf("Non évalué : lab1-web ne tourne pas, observe.sh n'a rien à observer (voir lab1.run).", "Not evaluated.")
	unreadable := check.Failf("La sortie de observe.sh n'est pas lisible, ligne 1 : pas de la forme clé=valeur.", "observe.sh's output cannot be read, line 1.")
	exposed := obs(map[string]string{"noyau_hote": "6.1.0-18-amd64", "noyau_conteneur": "5.15.0-vm-ubuntu", "pid_conteneur": "1",
		"pid_hote": "1", "hostname_conteneur": "lab1-web", "derniere_requete": "/whoami"})
	type judge func(*observation) check.Outcome
	tests := []struct {
		name   string
		judge  judge
		o      *observation
		status check.Status
		msg    string
	}{
		{"kernel: fixture starter", judgeKernel, &observation{skip: &skip}, check.Skip, "lab1-web ne tourne pas"},
		{"pid: fixture fail-hang", judgePID, &observation{skip: &skip}, check.Skip, "lab1-web ne tourne pas"},
		{"hostname: fixture starter", judgeHostname, &observation{skip: &skip}, check.Skip, "lab1-web ne tourne pas"},
		{"kernel: fixture fail-idempotent", judgeKernel, &observation{fail: &unreadable}, check.Fail, "n'est pas lisible, ligne 1"},
		{"pid: fixture fail-idempotent", judgePID, &observation{fail: &unreadable}, check.Fail, "n'est pas lisible, ligne 1"},
		{"hostname: fixture fail-idempotent", judgeHostname, &observation{fail: &unreadable}, check.Fail, "n'est pas lisible, ligne 1"},
		{"kernel: fixture fail-exposed, a VM's kernel", judgeKernel, exposed, check.Fail, "noyau_conteneur vaut « 5.15.0-vm-ubuntu »"},
		{"pid: fixture fail-exposed", judgePID, exposed, check.Fail, "pid_hote vaut 1 :"},
		{"hostname: fixture fail-exposed, the container's name", judgeHostname, exposed, check.Fail, "hostname_conteneur vaut « lab1-web »"},
		{"logs: fixture fail-exposed", judgeLogs, exposed, check.Fail, "derniere_requete vaut « /whoami »"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, tt.judge(tt.o), tt.status, tt.msg) })
	}
}

func TestHTTPFixtures(t *testing.T) {
	const url = "http://127.0.0.1:8081/"
	refused := &netError{"dial tcp 127.0.0.1:8081: connect: connection refused"}
	tests := []struct {
		name   string
		resp   response
		err    error
		status check.Status
		msg    string
	}{
		{"fixture solution", response{200, "Bonjour depuis 3f2a9c1b7d40\n"}, nil, check.Pass, "répond 200"},
		{"fixture starter", response{}, refused, check.Fail, "Rien ne répond"},
		{"fixture fail-exposed: GREETING=Hello", response{200, "Hello depuis 3f2a9c1b7d40\n"}, nil, check.Fail, "La page commence par « Hello depuis"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checktest.Verdict(t, judgeHTTP(url, tt.resp, tt.err, "Bonjour", 2*time.Second), tt.status, tt.msg)
		})
	}
	// fail-hang: nothing listens on 8081, and the report says so.
	assert.Contains(t, judgeHTTP(url, response{}, refused, "Bonjour", 2*time.Second).Actual.FR, "connection refused")
}

// TestJudgeFromInside: on a local engine, where the proxy records observe.sh's requests, the
// values a script could write without looking (PID 1, the host's kernel copied, the hostname
// read with docker inspect) count only when observe.sh looked inside.
func TestJudgeFromInside(t *testing.T) {
	good := map[string]string{"noyau_hote": "6.1.0-18-amd64", "noyau_conteneur": "6.1.0-18-amd64", "pid_conteneur": "1",
		"pid_hote": "4242", "hostname_conteneur": "3f2a9c1b7d40", "derniere_requete": "/bonjour-1234"}
	const id = "3f2a9c1b7d40aaaa"
	solution := evidenceOf([]string{"HEAD /_ping", "GET /v1.41/containers/lab1-web/logs?stderr=1&stdout=1",
		"POST /v1.41/containers/create?name=", "POST /v1.41/containers/abc/start", "GET /v1.41/containers/lab1-web/json"},
		nil, `time=… level=INFO msg=requête method=GET path=/whoami status=200 duration_ms=0.1`, id)
	guessed := evidenceOf([]string{"HEAD /_ping", "GET /v1.41/containers/lab1-web/json"}, nil, "method=GET path=/bonjour-1234 status=404", id)
	exec := evidenceOf([]string{"POST /v1.41/containers/" + id[:12] + "/exec", "POST /v1.41/exec/e1/start"}, nil, "", id)
	// docker run --pid container:lab1-web busybox ps, and --network container:lab1-web busybox hostname.
	joined := evidenceOf([]string{"POST /v1.41/containers/create", "POST /v1.41/containers/create"},
		[]string{"pid=container:lab1-web", "network=container:" + id}, "", id)
	joinedElsewhere := evidenceOf([]string{"POST /v1.41/containers/create"}, []string{"pid=container:other", "network=container:other"}, "", id)
	tests := []struct {
		name   string
		judge  func(*observation) check.Outcome
		ev     evidence
		status check.Status
		msg    string
	}{
		{"fixture solution: pid", judgePID, solution, check.Pass, "PID 1 dans le conteneur"},
		{"fixture solution: hostname", judgeHostname, solution, check.Pass, "propre nom d'hôte"},
		{"fixture solution: kernel", judgeKernel, solution, check.Pass, "même noyau"},
		{"fixture fail-guessed: pid 1 written in advance", judgePID, guessed, check.Fail, "ne l'a pas observée de l'intérieur"},
		{"fixture fail-guessed: hostname from docker inspect", judgeHostname, guessed, check.Fail, "ni GET /whoami"},
		{"fixture fail-guessed: the host's kernel copied", judgeKernel, guessed, check.Fail, "aucun conteneur ni docker exec"},
		{"docker exec into lab1-web by ID prefix: pid", judgePID, exec, check.Pass, "PID 1"},
		{"docker exec into lab1-web: kernel", judgeKernel, exec, check.Pass, "même noyau"},
		{"remote engine: not known, not required", judgePID, evidence{}, check.Pass, "PID 1"},
		{"alternative: ps in lab1-web's PID namespace", judgePID, joined, check.Pass, "PID 1"},
		{"alternative: hostname in lab1-web's network namespace", judgeHostname, joined, check.Pass, "propre nom d'hôte"},
		{"another container's namespaces prove nothing about lab1-web", judgePID, joinedElsewhere, check.Fail, "de l'intérieur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := obs(good)
			o.inside = tt.ev
			got := tt.judge(o)
			assert.Equal(t, tt.status, got.Status, got.Message.FR)
			assert.Contains(t, got.Message.FR, tt.msg)
		})
	}
	assert.False(t, evidenceOf([]string{"POST /containers/other-container/exec"}, nil, "", id).execWeb, "an exec elsewhere is not into lab1-web")
	assert.True(t, evidenceOf([]string{"POST /containers/other-container/exec"}, nil, "", id).ran)
}
