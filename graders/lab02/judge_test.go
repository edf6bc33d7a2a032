package lab02

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/apiproxy"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

const (
	curl   = "curl/7.88.1"
	docker = "Docker-Client/28.2.2 (linux)"
	testID = "8e440b9ca99d16d421376ae2a0fcb25a84cbf4ed6f490ae053ec580743017abf"
)

// rec builds a record: "METHOD path status [ua]".
func rec(line string, ua string) apiproxy.Record {
	f := strings.Fields(line)
	r := apiproxy.Record{Method: f[0], Path: f[1], UserAgent: ua, APIVersion: "1.41"}
	switch f[2] {
	case "200":
		r.Status = 200
	case "201":
		r.Status = 201
	case "204":
		r.Status = 204
	case "404":
		r.Status = 404
	case "409":
		r.Status = 409
	}
	return r
}

func calls(ua string, lines ...string) []call {
	var recs []apiproxy.Record
	for _, l := range lines {
		recs = append(recs, rec(l, ua))
	}
	return parseCalls(recs)
}

func TestParseCall(t *testing.T) {
	c := parseCall(apiproxy.Record{Path: "/v1.41/containers/create?name=lab2-api"})
	assert.Equal(t, "1.41", c.version)
	assert.Equal(t, "/containers/create", c.rest)
	assert.Equal(t, "lab2-api", c.query.Get("name"))
	c = parseCall(apiproxy.Record{Path: "/containers/x/start"})
	assert.Equal(t, "", c.version)
	assert.Equal(t, "/containers/x/start", c.rest)
	c = parseCall(apiproxy.Record{Path: "/version"})
	assert.Equal(t, "", c.version, "/version is not a versioned path")
	assert.Equal(t, "/version", c.rest)
	c = parseCall(apiproxy.Record{Path: "/v1.41/_ping?%zz"})
	assert.Equal(t, "/_ping", c.rest)
}

func TestTargets(t *testing.T) {
	tests := []struct {
		path, method, action string
		want                 bool
	}{
		{"/v1.41/containers/lab2-api/start", "POST", "/start", true},
		{"/v1.41/containers/" + testID + "/start", "POST", "/start", true},
		{"/v1.41/containers/8e44/start", "POST", "/start", true},
		{"/v1.41/containers/8e4/start", "POST", "/start", false},
		{"/v1.41/containers/ffff/start", "POST", "/start", false},
		{"/v1.41/containers/%2Flab2-api/start", "POST", "/start", true},
		{"/v1.41/containers/lab2-api/stop", "POST", "/start", false},
		{"/v1.41/containers/lab2-api/start", "GET", "/start", false},
		{"/containers/lab2-api?force=1", "DELETE", "", true},
		{"/containers/lab2-api/json", "DELETE", "", false},
		{"/containers/lab2-apix?force=1", "DELETE", "", false},
	}
	for _, tt := range tests {
		c := parseCall(apiproxy.Record{Method: tt.method, Path: tt.path})
		method := "DELETE"
		if tt.action == "/start" {
			method = "POST"
		}
		assert.Equal(t, tt.want, targets(c, method, tt.action, apiName, testID), tt.path)
	}
}

func TestJudgeCreate(t *testing.T) {
	good := []string{"GET /_ping 200", "POST /v1.41/containers/create?name=lab2-api 201", "POST /v1.41/containers/" + testID + "/start 204"}
	tests := []struct {
		name  string
		calls []call
		want  check.Status
		msg   string
	}{
		{"curl, versioned, create then start", calls(curl, good...), check.Pass, "HTTP 201"},
		{"start by name", calls(curl, "POST /v1.41/containers/create?name=lab2-api 201", "POST /v1.41/containers/lab2-api/start 204"), check.Pass, ""},
		{"nothing went through the proxy", nil, check.Fail, "aucune requête"},
		{"no create", calls(curl, "GET /_ping 200"), check.Fail, "create?name=lab2-api"},
		{"another name", calls(curl, "POST /v1.41/containers/create?name=api 201"), check.Fail, "create?name=lab2-api"},
		{"the CLI", calls(docker, good...), check.Fail, "CLI docker"},
		{"unversioned create", calls(curl, "POST /containers/create?name=lab2-api 201", "POST /v1.41/containers/lab2-api/start 204"), check.Fail, "non versionné"},
		{"unversioned start", calls(curl, "POST /v1.41/containers/create?name=lab2-api 201", "POST /containers/lab2-api/start 204"), check.Fail, "non versionné"},
		{"create refused", calls(curl, "POST /v1.41/containers/create?name=lab2-api 409"), check.Fail, "HTTP 409"},
		{"no start", calls(curl, good[:2]...), check.Fail, "start"},
		{"start before create", calls(curl, good[2], good[1]), check.Fail, "start"},
		{"start refused", calls(curl, good[1], "POST /v1.41/containers/lab2-api/start 404"), check.Fail, "HTTP 404"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeCreate(tt.calls, testID)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
			if o.Status == check.Fail {
				assert.NotEmpty(t, o.Expected.FR)
				assert.NotEmpty(t, o.Actual.FR)
			}
		})
	}
	// The start of the CLI comes after a curl create.
	mixed := append(calls(curl, good[1]), calls(docker, good[2])...)
	assert.Contains(t, judgeCreate(mixed, testID).Message.FR, "CLI docker")
}

func TestJudgeAPIOnly(t *testing.T) {
	now := time.Now()
	evts := []engine.Event{
		{Type: "container", Action: "create", ID: testID, Name: apiName, Time: now},
		{Type: "container", Action: "start", ID: testID, Name: apiName, Time: now},
		{Type: "container", Action: "exec_create: /labapp healthcheck", ID: testID, Name: apiName, Time: now},
	}
	good := calls(curl, "POST /v1.41/containers/create?name=lab2-api 201", "POST /v1.41/containers/8e440b9/start 204")
	tests := []struct {
		name  string
		calls []call
		evts  []engine.Event
		want  check.Status
		msg   string
	}{
		{"every event has its request", good, evts, check.Pass, "2 événements"},
		{"the socket directly: no request", nil, evts, check.Fail, "« create »"},
		{"fixture fail-socket: start through the socket", good[:1], evts, check.Fail, "« start » de lab2-api"},
		{"a refused create does not count", calls(curl, "POST /v1.41/containers/create?name=lab2-api 409", "POST /v1.41/containers/lab2-api/start 204"), evts, check.Fail, "« create »"},
		{"two starts, one request", good, append(evts, engine.Event{Action: "start", ID: testID, Name: apiName}), check.Fail, "« start »"},
		{"fixture fail-cli: the CLI through the proxy", calls(docker, "POST /v1.41/containers/create?name=lab2-api 201"), evts, check.Fail, "api.sh a utilisé le CLI docker"},
		{"no event", good, nil, check.Fail, "ni démarré"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeAPIOnly(tt.calls, tt.evts)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

func TestJudgeNegotiate(t *testing.T) {
	tests := []struct {
		name  string
		calls []call
		want  check.Status
		msg   string
	}{
		{"ping first, then its version", calls(curl, "GET /_ping 200", "POST /v1.41/containers/create?name=lab2-api 201", "GET /_ping 200"), check.Pass, "1.41"},
		{"HEAD ping like the CLI", calls(curl, "HEAD /_ping 200", "GET /v1.41/info 200"), check.Pass, ""},
		{"no request", nil, check.Fail, "aucune"},
		{"ping not first", calls(curl, "GET /v1.41/info 200", "GET /_ping 200"), check.Fail, "pas GET /_ping"},
		{"versioned ping", calls(curl, "GET /v1.41/_ping 200"), check.Fail, "pas GET /_ping"},
		{"fixture fail-unversioned: unversioned later", calls(curl, "GET /_ping 200", "GET /containers/json 200"), check.Fail, "n'utilise pas la version négociée v1.41 (non versionné)"},
		{"another version later", calls(curl, "GET /_ping 200", "GET /v1.40/containers/json 200"), check.Fail, "v1.40"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeNegotiate(tt.calls)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
	noHeader := parseCalls([]apiproxy.Record{{Method: "GET", Path: "/_ping", Status: 200}})
	assert.Contains(t, judgeNegotiate(noHeader).Message.FR, "API-Version")
}

func TestJudgeLogs(t *testing.T) {
	stdout := "time=1 msg=\"serveur prêt\"\ntime=2 msg=requête path=/health\ntime=3 msg=requête path=/health\n"
	frame := func(stream byte, s string) string {
		n := len(s)
		return string([]byte{stream, 0, 0, 0, byte(n >> 24), byte(n >> 16), byte(n >> 8), byte(n)}) + s
	}
	tests := []struct {
		name, file string
		want       check.Status
		msg        string
	}{
		{"all of stdout", stdout, check.Pass, "(3 lignes)"},
		{"read before later requests", "time=1 msg=\"serveur prêt\"\n", check.Pass, "(1 ligne)"},
		{"raw multiplexed stream", frame(1, "time=1 msg=\"serveur prêt\"\n"), check.Fail, `\x01\x00\x00\x00`},
		{"stderr frame", frame(2, "oops\n"), check.Fail, "en-têtes"},
		{"empty", "", check.Fail, "vide"},
		{"another line", "time=1 msg=\"serveur prêt\"\nautre chose\n", check.Fail, "ligne 2"},
		{"more than stdout", stdout + "en trop\n", check.Fail, "ligne 4"},
		{"cut in a line", "time=1 msg=\"serveur prêt\"\ntime=2", check.Fail, "milieu d'une ligne"},
		{"startup line cut", "time=1 msg", check.Fail, "milieu d'une ligne"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeLogs([]byte(tt.file), engine.Logs{Stdout: stdout})
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR+o.Actual.FR, tt.msg)
		})
	}
	// A TTY container's logs are raw text with CRLF: the same file is fine.
	tty := "serveur prêt\r\n"
	assert.Equal(t, check.Pass, judgeLogs([]byte(tty), engine.Logs{Stdout: tty, TTY: true}).Status)
	assert.Contains(t, judgeLogs([]byte("x\n"), engine.Logs{}).Message.FR, "rien écrit")
}

func TestReadLogFile(t *testing.T) {
	dir := t.TempDir()
	_, o := judgeLogFile(readLogFile(dir))
	require.NotNil(t, o)
	assert.Contains(t, o.Message.FR, "n'a pas écrit")
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "out"), 0o755))
	p := filepath.Join(dir, filepath.FromSlash(logFile))
	require.NoError(t, os.Symlink("/etc/passwd", p))
	_, o = judgeLogFile(readLogFile(dir))
	require.NotNil(t, o)
	assert.Contains(t, o.Message.FR, "fichier ordinaire")
	require.NoError(t, os.Remove(p))
	require.NoError(t, os.WriteFile(p, make([]byte, maxLogFile+1), 0o644))
	_, o = judgeLogFile(readLogFile(dir))
	require.NotNil(t, o)
	assert.Contains(t, o.Message.FR, "dépasse")
	require.NoError(t, os.WriteFile(p, []byte("ok\n"), 0o644))
	b, o := judgeLogFile(readLogFile(dir))
	assert.Nil(t, o)
	assert.Equal(t, "ok\n", string(b))
}

func TestJudgeCLI(t *testing.T) {
	good := []string{"HEAD /_ping 200", "POST /v1.41/containers/create?name=lab2-cli 201", "POST /v1.41/containers/" + testID + "/wait?condition=next-exit 200", "POST /v1.41/containers/" + testID + "/start 204"}
	tests := []struct {
		name  string
		calls []call
		want  check.Status
		msg   string
	}{
		{"the CLI through the proxy", calls(docker, good...), check.Pass, ""},
		{"curl, not the CLI", calls(curl, good...), check.Fail, "aucune requête du CLI"},
		{"not through the proxy", nil, check.Fail, "aucune requête du CLI"},
		{"no ping", calls(docker, good[1:]...), check.Fail, "/_ping"},
		{"no create", calls(docker, good[0], good[3]), check.Fail, "créer lab2-cli"},
		{"create refused", calls(docker, good[0], "POST /v1.41/containers/create?name=lab2-cli 409"), check.Fail, "créer lab2-cli"},
		{"no start", calls(docker, good[:3]...), check.Fail, "démarrer"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeCLI(tt.calls, testID)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

func TestJudgeCleanup(t *testing.T) {
	ids := map[string]string{apiName: testID, cliName: "35411c1c50bda15721a9804973aec99dc6b7f9b854a05f4bdd9f2bbb31779456"}
	tests := []struct {
		name  string
		calls []call
		left  []string
		want  check.Status
		msg   string
	}{
		{"both by name", calls(curl, "DELETE /containers/lab2-api?force=1 204", "DELETE /v1.41/containers/lab2-cli?force=true 204"), nil, check.Pass, ""},
		{"by ID", calls(curl, "DELETE /v1.41/containers/8e440b9ca99d?force=1 204", "DELETE /v1.41/containers/35411c1c50bd?force=1 204"), nil, check.Pass, ""},
		{"one left", calls(curl, "DELETE /containers/lab2-api?force=1 204"), []string{cliName}, check.Fail, "il reste : lab2-cli"},
		{"gone without the proxy", nil, nil, check.Fail, "aucun `DELETE …/containers/lab2-api`"},
		{"one through the socket", calls(curl, "DELETE /containers/lab2-api?force=1 204"), nil, check.Fail, "lab2-cli"},
		{"a failed DELETE does not count", calls(curl, "DELETE /containers/lab2-api?force=1 409", "DELETE /containers/lab2-cli?force=1 204"), nil, check.Fail, "lab2-api"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeCleanup(tt.calls, ids, tt.left)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

func TestJudgeInfo(t *testing.T) {
	truth := infoTruth(engine.Info{Version: "20.10.24+dfsg1", ServerAPIVersion: "1.41", DefaultRuntime: "runc",
		StorageDriver: "overlay2", CgroupDriver: "systemd", ContainerdVersion: "1.6.20~ds1"})
	good := "server_version=20.10.24+dfsg1\napi_version=1.41\ndefault_runtime=runc\nstorage_driver=overlay2\ncgroup_driver=systemd\ncontainerd_version=1.6.20~ds1\n"
	tests := []struct {
		name, out string
		want      check.Status
		msg       string
	}{
		{"all right", good, check.Pass, "6 clés"},
		{"quoted values, CRLF, blank lines, extra key", strings.ReplaceAll(good, "=runc", `="runc"`) + "\r\n\nkernel=6.1\r\n", check.Pass, ""},
		{"one wrong", strings.Replace(good, "api_version=1.41", "api_version=1.12", 1), check.Fail, "1 clé fausse sur 6 : api_version"},
		{"two wrong", strings.Replace(strings.Replace(good, "=runc", "=crun", 1), "=systemd", "=cgroupfs", 1), check.Fail, "default_runtime, cgroup_driver"},
		{"one missing", strings.Replace(good, "cgroup_driver=systemd\n", "", 1), check.Fail, "cgroup_driver (absente)"},
		{"garbage line", "Docker version 20.10\n" + good, check.Fail, "ligne 1"},
		{"same key twice", good + "api_version=1.40\n", check.Fail, "deux fois"},
		{"binary", "\xff\xfe=\x00\n", check.Fail, "UTF-8"},
		{"nothing", "", check.Fail, "6 clés fausses sur 6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeInfo(tt.out, truth)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

func TestLineActions(t *testing.T) {
	tests := []struct {
		name, line string
		want       []string
	}{
		{"action alone", "create", []string{"create"}},
		{"time action name", "1795891941 create ddlab-x-events", []string{"create"}},
		{"raw JSON, the action twice", `{"status":"create","id":"ab","Type":"container","Action":"create"}`, []string{"create"}},
		{"one line", "create start die destroy", lifecycle},
		{"exec events are not container lifecycle", "exec_create: /labapp healthcheck", nil},
		{"CREATE in capitals", "CREATE", []string{"create"}},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, lineActions(tt.line), tt.name)
	}
}

func TestJudgeEvents(t *testing.T) {
	w := window{since: 1, until: 2, name: "ddlab-0123456789ab-events", id: "fedcba9876543210fedcba9876543210"}
	named := "1 create ddlab-0123456789ab-events\n1 start ddlab-0123456789ab-events\n2 die ddlab-0123456789ab-events\n2 destroy ddlab-0123456789ab-events\n"
	byID := "create fedcba987654\nstart fedcba987654\ndie fedcba987654\ndestroy fedcba987654\n"
	tests := []struct {
		name, out string
		want      check.Status
		contains  string
	}{
		{"by name", named, check.Pass, ""},
		{"by short ID", byID, check.Pass, ""},
		{"hard-coded actions name no container", "create\nstart\ndie\ndestroy\n", check.Fail, "sans nommer le conteneur"},
		{"the decoy too", named + "1 create ddlab-0123456789ab-decoy\n1 destroy ddlab-0123456789ab-decoy\n", check.Fail, "d'autres conteneurs"},
		{"nothing", "", check.Fail, "affiche rien"},
		{"wrong order", "start " + w.name + "\ncreate " + w.name + "\ndie " + w.name + "\ndestroy " + w.name + "\n", check.Fail, "start, create, die, destroy pour le conteneur"},
	}
	for _, tt := range tests {
		o := judgeEvents(tt.out, w)
		assert.Equal(t, tt.want, o.Status, tt.name)
		assert.Contains(t, o.Message.FR, tt.contains, tt.name)
	}
}
