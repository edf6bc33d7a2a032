package lab02

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
)

// Each check of lab 2 judged whole, its script's exit included, on recorded observations.
// The rows named after a fixture (testdata/<case>) are what that fixture makes the check
// observe on the real engine; the finer cases of each judge are in judge_test.go.

// starterExit is how the starter's scripts end.
func starterExit(name string) script.Result {
	return script.Result{ExitCode: 1, Output: name + " : à compléter\n"}
}

func TestJudgeAPICreate(t *testing.T) {
	good := []string{"GET /_ping 200", "POST /v1.41/containers/create?name=lab2-api 201", "POST /v1.41/containers/" + testID + "/start 204"}
	tests := []struct {
		name  string
		res   script.Result
		calls []call
		want  check.Status
		msg   string
	}{
		{"fixture solution", script.Result{}, calls(curl, good...), check.Pass, "HTTP 201"},
		{"fixture starter", starterExit("api.sh"), nil, check.Fail, "api.sh s'est terminé avec le code 1"},
		{"fixture fail-cli: docker run at the proxy", script.Result{}, calls(docker, good...), check.Fail, "vient du CLI docker"},
		{"fixture fail-socket: started through the socket", script.Result{}, calls(curl, good[:2]...), check.Fail, "n'a pas vu POST …/containers/{id}/start"},
		{"fixture fail-unversioned", script.Result{}, calls(curl, "POST /containers/create?name=lab2-api 201", "POST /containers/"+testID+"/start 204"),
			check.Fail, "Chemin non versionné : POST /containers/create?name=lab2-api"},
		{"api.sh times out", script.Result{TimedOut: true, ExitCode: -1}, calls(curl, good...), check.Fail, "n'a pas fini"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeAPICreate(tt.res, tt.calls, testID), tt.want, tt.msg) })
	}
	assert.Contains(t, judgeAPICreate(starterExit("api.sh"), nil, "").Actual.FR, "à compléter")
}

func TestJudgeAPIContainer(t *testing.T) {
	good := engine.Container{ID: testID, Running: true, Status: "running", Env: []string{"GREETING=Salut"},
		Labels: map[string]string{"ddlab.lab": "lab2"}, Ports: []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "127.0.0.1", HostPort: "8082"}}}
	with := func(f func(*apiContainerObs)) apiContainerObs {
		o := apiContainerObs{Found: true, C: good, Asked: true, Body: "Salut depuis 8e440b9ca99d\n"}
		f(&o)
		return o
	}
	tests := []struct {
		name     string
		o        apiContainerObs
		wantDone bool
		want     check.Status
		msg      string
	}{
		{"fixture solution", with(func(*apiContainerObs) {}), true, check.Pass, "GET / répond « Salut depuis 8e440b9ca99d »"},
		{"fixture starter: no lab2-api", apiContainerObs{}, true, check.Fail, "Le conteneur lab2-api n'existe pas après api.sh"},
		{"fixture fail-unversioned: GREETING=Hello", with(func(o *apiContainerObs) { o.C.Env = []string{"GREETING=Hello"} }), true, check.Fail, "Env sans GREETING=Salut"},
		{"exists, not inspected yet", apiContainerObs{Found: true}, false, 0, ""},
		{"conform, not asked yet", with(func(o *apiContainerObs) { o.Asked = false }), false, 0, ""},
		{"died since api.sh", with(func(o *apiContainerObs) { o.C.Running, o.C.Status, o.C.ExitCode = false, "exited", 2 }), true, check.Fail, "n'est pas démarré (état exited, code 2)"},
		{"remote engine", with(func(o *apiContainerObs) { o.Remote, o.Asked = true, false }), true, check.Skip, "le moteur est distant"},
		{"no answer", with(func(o *apiContainerObs) { o.GetErr = errors.New("connection refused") }), true, check.Fail, "ne répond pas"},
		{"another greeting", with(func(o *apiContainerObs) { o.Body = "Hello depuis x" }), true, check.Fail, `ne commence pas par "Salut"`},
	}
	for _, tt := range tests {
		if tt.o.C.ID != "" || tt.o.Found {
			tt.o.Port, tt.o.Greeting = "8082", "Salut"
		}
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeAPIContainer(tt.o)
			checktest.Staged(t, o, done, tt.wantDone, tt.want, tt.msg)
		})
	}
	o, _ := judgeAPIContainer(with(func(o *apiContainerObs) { o.Remote = true; o.Port, o.Greeting = "8082", "Salut" }))
	assert.True(t, o.Excluded)
}

func TestJudgeCLIRun(t *testing.T) {
	good := calls(docker, "HEAD /_ping 200", "POST /v1.41/containers/create?name=lab2-cli 201", "POST /v1.41/containers/"+testID+"/start 204")
	running := engine.Container{ID: testID, Running: true, Status: "running"}
	tests := []struct {
		name string
		o    cliObs
		want check.Status
		msg  string
	}{
		{"fixture solution", cliObs{Calls: good, Found: true, C: running}, check.Pass, "Le proxy a vu le CLI docker"},
		{"fixture starter", cliObs{Res: starterExit("cli.sh")}, check.Fail, "cli.sh s'est terminé avec le code 1"},
		{"fixture fail-cli: DOCKER_HOST not at the proxy", cliObs{Found: true, C: running}, check.Fail, "aucune requête du CLI docker"},
		{"no lab2-cli", cliObs{Calls: good}, check.Fail, "n'existe pas après cli.sh"},
		{"lab2-cli exited", cliObs{Calls: good, Found: true, C: engine.Container{ID: testID, Status: "exited", ExitCode: 1}}, check.Fail, "n'est pas démarré (état exited, code 1)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeCLIRun(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeLogsRun(t *testing.T) {
	stdout := "time=1 msg=\"serveur prêt\"\n"
	framed := string([]byte{1, 0, 0, 0, 0, 0, 0, byte(len(stdout))}) + stdout
	tests := []struct {
		name  string
		found bool
		f     logFileObs
		want  check.Status
		msg   string
	}{
		{"fixture solution", true, logFileObs{Data: []byte(stdout)}, check.Pass, "(1 ligne)"},
		{"fixture starter: no lab2-api", false, logFileObs{}, check.Fail, "n'existe pas après api.sh : pas de logs à comparer"},
		{"fixture fail-socket: the raw stream", true, logFileObs{Data: []byte(framed)}, check.Fail, "en-têtes de trame de 8 octets"},
		{"not written", true, logFileObs{Missing: true}, check.Fail, "api.sh n'a pas écrit out/lab2-api.log"},
		{"a link", true, logFileObs{NotRegular: true}, check.Fail, "n'est pas un fichier ordinaire"},
		{"unreadable", true, logFileObs{Err: errors.New("permission denied")}, check.Fail, "est illisible : permission denied"},
		{"too big", true, logFileObs{Data: make([]byte, maxLogFile+1)}, check.Fail, "dépasse 1 Mio"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checktest.Verdict(t, judgeLogsRun(tt.found, tt.f, engine.Logs{Stdout: stdout}), tt.want, tt.msg)
		})
	}
}

func TestJudgeInfoRun(t *testing.T) {
	truth := infoTruth(engine.Info{Version: "20.10.24+dfsg1", ServerAPIVersion: "1.41", DefaultRuntime: "runc",
		StorageDriver: "overlay2", CgroupDriver: "systemd", ContainerdVersion: "1.6.20~ds1"})
	good := "server_version=20.10.24+dfsg1\napi_version=1.41\ndefault_runtime=runc\nstorage_driver=overlay2\ncgroup_driver=systemd\ncontainerd_version=1.6.20~ds1\n"
	out := func(s string) script.Result { return script.Result{Stdout: s} }
	tests := []struct {
		name string
		res  script.Result
		want check.Status
		msg  string
	}{
		{"fixture solution", out(good), check.Pass, "Les 6 clés sont exactes"},
		{"fixture starter", starterExit("info.sh"), check.Fail, "info.sh s'est terminé avec le code 1"},
		{"fixture fail-cli: MinAPIVersion as api_version", out(strings.Replace(good, "api_version=1.41", "api_version=1.12", 1)), check.Fail, "1 clé fausse sur 6 : api_version"},
		{"fixture fail-unversioned: a header line", out("Informations du moteur\n" + good), check.Fail, "ligne 1 : ligne qui n'est pas de la forme clé=valeur"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeInfoRun(tt.res, truth), tt.want, tt.msg) })
	}
}

func TestJudgeCleanupRun(t *testing.T) {
	ids := map[string]string{apiName: testID, cliName: "35411c1c50bda15721a9804973aec99dc6b7f9b854a05f4bdd9f2bbb31779456"}
	both := calls(curl, "DELETE /v1.41/containers/lab2-api?force=1 204", "DELETE /v1.41/containers/lab2-cli?force=1 204")
	tests := []struct {
		name     string
		res      script.Result
		calls    []call
		left     []string
		standIns []string
		want     check.Status
		msg      string
	}{
		{"fixture solution", script.Result{}, both, nil, nil, check.Pass, "lab2-api et lab2-cli supprimés par DELETE via le proxy."},
		{"stand-ins named", script.Result{}, both, nil, []string{apiName, cliName}, check.Pass, "conteneurs de remplacement créés par le correcteur"},
		{"fixture starter", starterExit("cleanup.sh"), nil, []string{apiName, cliName}, []string{apiName, cliName}, check.Fail, "cleanup.sh s'est terminé avec le code 1"},
		{"fixture fail-socket: lab2-api only", script.Result{}, both[:1], []string{cliName}, nil, check.Fail, "il reste : lab2-cli"},
		{"fixture fail-unversioned: deleted through the socket", script.Result{}, nil, nil, nil, check.Fail, "aucun `DELETE …/containers/lab2-api` réussi"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checktest.Verdict(t, judgeCleanupRun(tt.res, tt.calls, ids, tt.left, tt.standIns), tt.want, tt.msg)
		})
	}
}

func TestJudgeEventsRun(t *testing.T) {
	w := window{since: 1, until: 2, name: "ddlab-0123456789ab-events", id: "fedcba9876543210fedcba9876543210"}
	named := "1 create " + w.name + "\n1 start " + w.name + "\n2 die " + w.name + "\n2 destroy " + w.name + "\n"
	tests := []struct {
		name string
		res  script.Result
		want check.Status
		msg  string
	}{
		{"fixture solution", script.Result{Stdout: named}, check.Pass, "create, start, die, destroy du conteneur du correcteur"},
		{"fixture starter", starterExit("events.sh"), check.Fail, "events.sh s'est terminé avec le code 1"},
		{"missing", scriptMissing("events.sh"), check.Fail, "events.sh est absent"},
		{"fixture fail-unversioned: no label filter", script.Result{Stdout: named + "1 create ddlab-0123456789ab-decoy\n"}, check.Fail, "d'autres conteneurs"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeEventsRun(tt.res, w), tt.want, tt.msg) })
	}
}
