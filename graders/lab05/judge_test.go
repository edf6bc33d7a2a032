package lab05

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// Every verdict of lab 5 judged from recorded observations, without an engine. The cases
// named after a fixture (testdata/<case>) are what that fixture makes the check observe on
// the real engine: its Dockerfile is the reference solution with the fixture's edits, as
// case.json writes them; the integration test checks the same verdicts end to end.

// solution is the reference Dockerfile with edits applied, each old text found exactly once.
func solution(t *testing.T, edits ...string) string {
	t.Helper()
	src, err := os.ReadFile("../../labs/lab5/_solution/Dockerfile")
	require.NoError(t, err)
	s := string(src)
	for i := 0; i+1 < len(edits); i += 2 {
		require.Equal(t, 1, strings.Count(s, edits[i]), "edit %q", edits[i])
		s = strings.Replace(s, edits[i], edits[i+1], 1)
	}
	return s
}

func starter(t *testing.T) string {
	t.Helper()
	src, err := os.ReadFile("../../labs/lab5/_starter/Dockerfile")
	require.NoError(t, err)
	return string(src)
}

func analyze(t *testing.T, src string) *dockerfile.Analysis {
	t.Helper()
	df := dockerfile.Analyze(context.Background(), dockerfileName, []byte(src))
	require.Nil(t, df.ParseError)
	return df
}

// The fixtures' edits of the solution, as in their case.json.
const busyboxFinal = "FROM ddlab/busybox:1"

func TestJudgeOfflineSyntax(t *testing.T) {
	allowed := []string{"ddlab/go:1", "ddlab/busybox:1", "scratch"}
	tests := []struct {
		name string
		src  func(t *testing.T) string
		want check.Status
		msg  string
		line int
	}{
		{"solution", func(t *testing.T) string { return solution(t) }, check.Pass, "Aucune directive", 0},
		{"starter", starter, check.Pass, "Aucune directive", 0},
		{"fixture fail-offline-syntax", func(t *testing.T) string {
			return solution(t, "# Solution de référence du lab 5, construite hors ligne :", "# syntax=docker/dockerfile:1\n# Solution de référence du lab 5, construite hors ligne :")
		}, check.Fail, "# syntax=docker/dockerfile:1", 1},
		{"fixture fail-build-pull", func(t *testing.T) string { return solution(t, "FROM scratch", "FROM alpine:3.19") }, check.Fail, "`FROM alpine:3.19`", 27},
		{"an earlier stage is a base", func(*testing.T) string { return "FROM ddlab/busybox:1 AS base\nFROM base\n" }, check.Pass, "Aucune directive", 0},
		{"the registry's prefixes change nothing", func(*testing.T) string { return "FROM docker.io/library/alpine:3.19\n" }, check.Fail, "n'est pas une image de base autorisée", 1},
		{"shortcut: a stage named after the image it starts from", func(*testing.T) string { return "FROM alpine:3.19 AS alpine\nFROM alpine\n" }, check.Fail, "`FROM alpine:3.19`", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeOfflineSyntax(analyze(t, tt.src(t)), allowed)
			checktest.Verdict(t, o, tt.want, tt.msg)
			if tt.line != 0 {
				assert.Equal(t, tt.line, o.Line)
			}
		})
	}
}

func TestJudgeLint(t *testing.T) {
	many := make([]dockerfile.Problem, 12)
	for i := range many {
		many[i] = dockerfile.Problem{Rule: "StageNameCasing", Line: i + 1, Message: "stage name should be lowercase"}
	}
	tests := []struct {
		name string
		lint []dockerfile.Problem
		want check.Status
		msg  string
	}{
		{"solution", analyze(t, solution(t)).Lint, check.Pass, "ne signale rien"},
		{"fixture fail-lint", analyze(t, solution(t, "FROM ddlab/go:1 AS deps", "FROM ddlab/go:1 as deps")).Lint, check.Fail, "FromAsCasing ligne 7"},
		{"starter: CMD in shell form", analyze(t, starter(t)).Lint, check.Fail, "JSONArgsRecommended"},
		{"more than ten findings", many, check.Fail, "12 problèmes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeLint(tt.lint), tt.want, tt.msg) })
	}
	o := judgeLint(many)
	assert.Equal(t, 11, strings.Count(o.Actual.FR, "\n")+1, "ten findings and the count of the others")
	assert.Contains(t, o.Actual.FR, "… (+2)")
}

func TestJudgeCacheMount(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want check.Status
		msg  string
	}{
		{"solution", solution(t), check.Pass, "cache BuildKit monté sur /root/.cache/go-build"},
		{"fixture fail-cache-mount", solution(t, "RUN --mount=type=cache,target=/root/.cache/go-build \\\n    go build", "RUN go build"), check.Fail, "Aucune instruction RUN"},
		{"starter", starter(t), check.Fail, "Aucune instruction RUN"},
		{"GOCACHE elsewhere", "FROM ddlab/go:1\nRUN --mount=type=cache,target=/cache/go-build go build\n", check.Pass, "/cache/go-build"},
		{"shortcut: a cache on the modules only", "FROM ddlab/go:1\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n", check.Fail, "Aucune instruction RUN"},
		{"shortcut: a bind mount on the build cache", "FROM ddlab/go:1\nRUN --mount=type=bind,target=/root/.cache/go-build go build\n", check.Fail, "Aucune instruction RUN"},
		{"fixture fail-cache-mount-elsewhere: the cache on go mod download", solution(t, "RUN go mod download", "RUN --mount=type=cache,target=/root/.cache/go-build go mod download",
			"RUN --mount=type=cache,target=/root/.cache/go-build \\\n    go build", "RUN go build"), check.Fail, "Ligne 12 : le cache de compilation Go est monté sur une instruction RUN qui ne compile pas"},
		{"shortcut: the cache on a RUN that only mentions it", "FROM ddlab/go:1\nRUN --mount=type=cache,target=/root/.cache/go-build true\nRUN go build -o /s .\n", check.Fail, "Ligne 2"},
		{"alternative: GOCACHE set by ENV", "FROM ddlab/go:1\nENV GOCACHE=/gocache/\nRUN --mount=type=cache,target=/gocache go build -o /s .\n", check.Pass, "monté sur /gocache pour la compilation"},
		{"alternative: GOCACHE on the command line, go install", "FROM ddlab/go:1\nRUN --mount=type=cache,target=/gc GOCACHE=/gc go install ./cmd/server\n", check.Pass, "/gc"},
		{"a cache elsewhere with no GOCACHE", "FROM ddlab/go:1\nRUN --mount=type=cache,target=/gocache go build -o /s .\n", check.Fail, "Aucune instruction RUN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeCacheMount(analyze(t, tt.src)), tt.want, tt.msg) })
	}
}

// image is a build that produced an image.
func image(steps ...engine.Step) built {
	return built{Res: engine.BuildResult{Builder: engine.BuildKit, ImageID: "sha256:new", Steps: steps, Duration: 12340 * time.Millisecond}}
}

func failed(msg, log string) built {
	return built{Res: engine.BuildResult{Builder: engine.BuildKit, Failed: true, Error: msg, Log: log}}
}

func TestJudgeBuild(t *testing.T) {
	tests := []struct {
		name string
		o    buildObs
		want check.Status
		msg  string
	}{
		{"solution", buildObs{Build: image(), Port: "8080", Exposed: []string{"8080/tcp"}}, check.Pass, "Image construite en 12,3 s (buildkit), port 8080/tcp exposé"},
		{"starter: no EXPOSE", buildObs{Build: image(), Port: "8080"}, check.Fail, "n'expose pas le port 8080"},
		{"another port", buildObs{Build: image(), Port: "8080", Exposed: []string{"80/tcp"}}, check.Fail, "n'expose pas le port 8080/tcp"},
		{"fixture fail-build", buildObs{Build: failed(`process "/bin/sh -c go mod download && exit 3" did not complete successfully: exit code: 3`, "#9 ERROR"), Port: "8080"},
			check.Fail, "exit code: 3"},
		{"fixture fail-build-pull", buildObs{Build: failed("failed to resolve source metadata for docker.io/library/alpine:3.19: dial tcp: lookup registry-1.docker.io: no such host", ""), Port: "8080"},
			check.Fail, "impossible hors ligne"},
		{"fixture fail-build-timeout", buildObs{Build: built{Res: engine.BuildResult{Log: "#9 RUN go mod download && sleep 3600"}, TimedOut: true}, Port: "8080"},
			check.Fail, "délai"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeBuild(tt.o), tt.want, tt.msg) })
	}
	o := judgeBuild(buildObs{Build: failed("exit code: 3", "step 1\nstep 2"), Port: "8080"})
	assert.Contains(t, o.Message.FR, "La construction (VERSION=1.2.3) échoue")
	assert.Equal(t, "step 1\nstep 2", o.Actual.FR, "the log's tail, which the report's build block keeps")
}

func TestJudgeMultistage(t *testing.T) {
	finalBases := []string{"scratch", "ddlab/busybox:1"}
	server := engine.File{Path: "/app/server", Mode: 0o755}
	tests := []struct {
		name  string
		src   string
		files []engine.File // nil: the judge decides before the files are listed
		want  check.Status
		msg   string
	}{
		{"solution", solution(t), []engine.File{server}, check.Pass, "4 étapes ; l'image finale (FROM scratch)"},
		{"starter: one stage", starter(t), nil, check.Fail, "n'a qu'une étape"},
		{"fixture fail-multistage: sources copied", solution(t, "FROM scratch", busyboxFinal,
			"COPY --from=build /out/server /app/server", "COPY --from=build /out/server /app/server\nCOPY --from=build /src/cmd /src/cmd"),
			[]engine.File{server, {Path: "/bin/sh", Mode: 0o755}, {Path: "/src/cmd/server", Dir: true}, {Path: "/src/cmd/server/main.go", Mode: 0o644}},
			check.Fail, "chaîne Go ou des sources"},
		{"fixture fail-tiny: busybox final", solution(t, "FROM scratch", busyboxFinal), []engine.File{server, {Path: "/bin/sh", Mode: 0o755}},
			check.Pass, "(FROM ddlab/busybox:1)"},
		{"shortcut: two stages, the final one still the Go image", "FROM ddlab/go:1 AS build\nRUN true\nFROM ddlab/go:1\n", nil, check.Fail, "part de ddlab/go:1 au lieu d'une base minimale"},
		{"toolchain copied", solution(t), []engine.File{{Path: "/usr/local/go/bin/go", Mode: 0o755}}, check.Fail, "chaîne Go"},
		{"a go binary elsewhere", solution(t), []engine.File{{Path: "/usr/bin/go", Mode: 0o755}}, check.Fail, "chaîne Go"},
		{"a folder or a data file named go is no toolchain", solution(t), []engine.File{{Path: "/etc/go", Dir: true}, {Path: "/data/go", Mode: 0o644}, {Path: "/app/x.go", Dir: true}},
			check.Pass, "ni Go ni sources"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := multistageObs{DF: analyze(t, tt.src), Finals: finalBases}
			out, done := judgeMultistage(o)
			if tt.files != nil {
				checktest.Staged(t, out, done, false, 0, "")
				o.Files, o.Listed = tt.files, true
				out, done = judgeMultistage(o)
			}
			checktest.Staged(t, out, done, true, tt.want, tt.msg)
		})
	}
	t.Run("at most five files shown", func(t *testing.T) {
		var files []engine.File
		for i := range 8 {
			files = append(files, engine.File{Path: fmt.Sprintf("/src/f%d.go", i)})
		}
		out, _ := judgeMultistage(multistageObs{DF: analyze(t, solution(t)), Finals: finalBases, Files: files, Listed: true})
		assert.Equal(t, 5, len(strings.Split(out.Actual.FR, "\n")))
	})
}

func TestJudgeSize(t *testing.T) {
	const limit = 25e6
	tests := []struct {
		name string
		size int64
		want check.Status
		msg  string
	}{
		{"solution: scratch and a binary", 7e6, check.Pass, "pèse 7 Mo"},
		{"fixture fail-size: a 30 MB blob", 39e6, check.Fail, "plus que 25 Mo"},
		{"at the limit", limit, check.Pass, "pèse 25 Mo"},
		{"starter: the Go toolchain", 310e6, check.Fail, "310 Mo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeSize(tt.size, limit), tt.want, tt.msg) })
	}
}

func TestJudgeTiny(t *testing.T) {
	const limit = 12e6
	tests := []struct {
		name  string
		size  int64
		files []engine.File // nil: decided on the size alone
		want  check.Status
		msg   string
	}{
		{"solution", 7e6, []engine.File{{Path: "/app/server"}}, check.Pass, "Image de 7 Mo sans shell"},
		{"fixture fail-tiny: busybox", 9e6, []engine.File{{Path: "/app/server"}, {Path: "/bin/arch", Link: "/bin/busybox"}, {Path: "/bin/sh", Link: "/bin/busybox"}}, check.Fail, "(/bin/sh)"},
		{"fixture fail-size: too heavy", 39e6, nil, check.Fail, "plus que 12 Mo"},
		{"fixture fail-tiny-busybox: a shell elsewhere than /bin/sh", 9e6, []engine.File{{Path: "/app/server"}, {Path: "/usr/bin/busybox"}}, check.Fail, "(/usr/bin/busybox)"},
		{"shortcut: bash alone", 9e6, []engine.File{{Path: "/app/server"}, {Path: "/usr/local/bin/bash"}}, check.Fail, "(/usr/local/bin/bash)"},
		{"shortcut: an applet link to busybox", 9e6, []engine.File{{Path: "/app/server"}, {Path: "/bin/ls", Link: "/bin/busybox"}}, check.Fail, "/bin/ls → /bin/busybox"},
		{"alternative: /etc/shells and a directory named sh are not shells", 9e6, []engine.File{{Path: "/app/server"}, {Path: "/etc/shells"}, {Path: "/usr/share/sh", Dir: true}}, check.Pass, "sans shell"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tinyObs{Size: tt.size, Limit: limit}
			out, done := judgeTiny(o)
			if tt.files != nil {
				checktest.Staged(t, out, done, false, 0, "")
				o.Files, o.Listed = tt.files, true
				out, done = judgeTiny(o)
			}
			checktest.Staged(t, out, done, true, tt.want, tt.msg)
		})
	}
}

func step(name string, cached bool) engine.Step { return engine.Step{Name: name, Cached: cached} }

func TestJudgeCacheDeps(t *testing.T) {
	download := func(cached bool) engine.Step { return step("[deps 5/5] RUN go mod download", cached) }
	compile := func(cached bool) engine.Step {
		return step(`[build 3/3] RUN --mount=type=cache,target=/root/.cache/go-build go build -ldflags "-s -w -X main.version=1.2.3" -o /out/server ./cmd/server`, cached)
	}
	copyAll := step("[build 2/3] COPY . .", false)
	tests := []struct {
		name string
		o    cacheObs
		want check.Status
		msg  string
	}{
		{"solution", cacheObs{Build: image(download(true), copyAll, compile(false))}, check.Pass, "`go mod download` en cache"},
		{"classic builder", cacheObs{Build: image(step("Step 5/12 : RUN go mod download", true), step("Step 8/12 : RUN go build ./...", false))}, check.Pass, "`go build` réexécuté"},
		{"fixture fail-cache-deps: COPY . . before go mod download", cacheObs{Build: image(step("[deps 4/5] COPY . .", false), download(false), compile(false))},
			check.Fail, "l'étape `go mod download` a été réexécutée"},
		{"starter: no go mod download", cacheObs{Build: image(copyAll, step("[3/3] RUN go build -o /app/server ./cmd/server", false))},
			check.Fail, "Aucune étape `RUN … go mod download`"},
		{"no go build", cacheObs{Build: image(download(true))}, check.Fail, "Aucune étape `RUN … go build`"},
		{"go build stays cached", cacheObs{Build: image(download(true), compile(true))}, check.Fail, "l'étape `go build` est restée en cache"},
		{"shortcut: go mod download in a comment, not a RUN", cacheObs{Build: image(step("[deps 3/5] COPY go.mod go.sum ./ # go mod download", true), compile(false))},
			check.Fail, "Aucune étape `RUN … go mod download`"},
		{"fixture fail-cache-deps-hidden: go mod download fails behind || true", cacheObs{Build: image(step("[deps 3/3] RUN go mod download || true", true), copyAll,
			engine.Step{Name: compile(false).Name, Output: "go: downloading github.com/ddlab/kit v1.0.0\ngo: downloading golang.org/x/text v0.3.0\n"})},
			check.Fail, "retélécharge les modules (go: downloading github.com/ddlab/kit v1.0.0)"},
		{"alternative: go build prints other things", cacheObs{Build: image(download(true), copyAll, engine.Step{Name: compile(false).Name, Output: "# example.com/lab5/cmd/server\nnote: built\n"})},
			check.Pass, "`go build` réexécuté"},
		{"the layout was changed", cacheObs{Layout: errors.New("open cmd/server/main.go: is a directory")}, check.Fail, "organisation du lab"},
		{"the rebuild fails", cacheObs{Build: failed("exit code: 1", "")}, check.Fail, "La construction (après modification de cmd/server/main.go) échoue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeCacheDeps(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeCacheDocs(t *testing.T) {
	download := step("[deps 5/5] RUN go mod download", true)
	tests := []struct {
		name string
		o    cacheObs
		want check.Status
		msg  string
	}{
		{"solution: same image", cacheObs{Build: image(download, step("[build 3/3] RUN go build ./...", true)), First: "sha256:new"}, check.Pass, "aucune étape RUN relancée (image identique)"},
		{"fixture fail-cache-docs: the docs are in the context", cacheObs{Build: image(download, step("[build 2/3] COPY . .", false), step("[build 3/3] RUN go build ./...", false)), First: "sha256:old"},
			check.Fail, "Modifier README.md et docs/ a relancé une étape RUN"},
		{"only a COPY re-ran", cacheObs{Build: image(download, step("[final 2/2] COPY README.md /doc/", false)), First: "sha256:old"}, check.Pass, "aucune étape RUN relancée."},
		{"the layout was changed", cacheObs{Layout: errors.New("README.md: is a directory")}, check.Fail, "organisation du lab"},
		{"the rebuild times out", cacheObs{Build: built{TimedOut: true}}, check.Fail, "La construction (après modification de la documentation) n'a pas fini"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeCacheDocs(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeTestStage(t *testing.T) {
	ok := image()
	injectedFails := failed(`process "/bin/sh -c go test ./..." did not complete successfully: exit code: 1`, "--- FAIL: TestGradeInjected (0.00s)\nFAIL")
	tests := []struct {
		name string
		o    testStageObs
		done bool
		want check.Status
		msg  string
	}{
		{"solution", testStageObs{HasStage: true, Plain: &ok, Injected: &injectedFails}, true, check.Pass, "échoue avec un test en échec injecté"},
		{"starter: no test stage", testStageObs{}, true, check.Fail, "Aucune étape nommée « test »"},
		{"fixture fail-test-stage: go test ./internal/...", testStageObs{HasStage: true, Plain: &ok, Injected: &ok}, true, check.Fail, "`--target test` réussit encore"},
		{"shortcut: a test stage that always fails", testStageObs{HasStage: true, Plain: ptr(failed("exit code: 1", ""))}, true, check.Fail, "La construction (--target test) échoue"},
		{"fails, but not on the injected test", testStageObs{HasStage: true, Plain: &ok, Injected: ptr(failed("exit code: 2", "vet: cmd/server: undefined: x"))},
			true, check.Fail, "échoue sans l'exécuter"},
		{"the injected build times out", testStageObs{HasStage: true, Plain: &ok, Injected: &built{TimedOut: true}}, true, check.Fail, "avec un test en échec) n'a pas fini"},
		{"the test cannot be written", testStageObs{HasStage: true, Plain: &ok, Layout: errors.New("open cmd/server/zz_grade_injected_test.go: no such file or directory")},
			true, check.Fail, "organisation du lab"},
		{"before the first build", testStageObs{HasStage: true}, false, 0, ""},
		{"built, the failing test not yet", testStageObs{HasStage: true, Plain: &ok}, false, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, done := judgeTestStage(tt.o)
			checktest.Staged(t, out, done, tt.done, tt.want, tt.msg)
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestJudgeContainer(t *testing.T) {
	exited := engine.Container{Status: "exited", ExitCode: 3}
	checktest.Verdict(t, judgeNotStarted(`exec: "/bin/sh": stat /bin/sh: no such file or directory`+strings.Repeat("x", 400)), check.Fail, "Le conteneur ne démarre pas : « exec:")
	checktest.Verdict(t, judgeExited(exited, "ERREUR: variable manquante"), check.Fail, "s'arrête aussitôt (code de sortie 3)")
	checktest.Verdict(t, judgeDied(exited, "panic"), check.Fail, "s'est arrêté tout seul pendant la correction (code de sortie 3)")
	assert.Contains(t, judgeDied(exited, "panic").Actual.EN, "panic")
	assert.Nil(t, judgeAnswer("/version", 8080, probe.Response{OK: true, Body: "1.2.3"}))
	no := judgeAnswer("/version", 8080, probe.Response{Err: "Connection refused"})
	require.NotNil(t, no)
	checktest.Verdict(t, *no, check.Fail, "GET /version sur le port 8080 ne répond pas")
	assert.Equal(t, check.Same("Connection refused"), no.Actual)
}

func TestJudgeNonRoot(t *testing.T) {
	tests := []struct {
		name   string
		user   string
		whoami *string // nil: decided from USER alone
		want   check.Status
		msg    string
	}{
		{"solution", "65532:65532", ptr(`{"uid":65532}`), check.Pass, "USER 65532:65532 ; /whoami répond uid 65532"},
		{"fixture fail-nonroot, starter: no USER", "", nil, check.Fail, "ne déclare pas d'utilisateur"},
		{"a name, not a UID", "app", nil, check.Fail, "UID numérique"},
		{"USER 0", "0:0", nil, check.Fail, "USER 0 : le conteneur tourne en root"},
		{"shortcut: a non-root USER the app does not run as", "1000", ptr(`{"uid":0}`), check.Fail, "se voit en root (uid 0) malgré USER 1000"},
		{"no JSON", "1000", ptr("forbidden"), check.Fail, "JSON attendu"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := nonRootObs{User: tt.user}
			out, done := judgeNonRoot(o)
			if tt.whoami != nil {
				checktest.Staged(t, out, done, false, 0, "")
				o.Whoami = tt.whoami
				out, done = judgeNonRoot(o)
			}
			checktest.Staged(t, out, done, true, tt.want, tt.msg)
		})
	}
}

func TestJudgeHealthcheck(t *testing.T) {
	exec := []string{"CMD", "/app/server", "healthcheck"}
	look := func(running bool, health string, log ...string) *engine.Container {
		return &engine.Container{Running: running, Status: map[bool]string{true: "running", false: "exited"}[running], ExitCode: 2, Health: health, HealthLog: log}
	}
	tests := []struct {
		name string
		o    healthObs
		done bool
		want check.Status
		msg  string
	}{
		{"solution", healthObs{Test: exec, Ctr: look(true, "healthy")}, true, check.Pass, "healthy (HEALTHCHECK /app/server healthcheck)"},
		{"fixture fail-healthcheck: shell form", healthObs{Test: []string{"CMD-SHELL", "/app/server healthcheck"}}, true, check.Fail, "forme shell (CMD-SHELL)"},
		{"starter: none", healthObs{}, true, check.Fail, "pas de HEALTHCHECK"},
		{"disabled", healthObs{Test: []string{"NONE"}}, true, check.Fail, "pas de HEALTHCHECK"},
		{"before the first look", healthObs{Test: exec}, false, 0, ""},
		{"starting, the wait not over", healthObs{Test: exec, Ctr: look(true, "starting")}, false, 0, ""},
		{"starting when the wait is over", healthObs{Test: exec, Ctr: look(true, "starting"), Late: true, Wait: 30 * time.Second}, true, check.Fail, "pas healthy après 30s (état : starting)"},
		{"unhealthy", healthObs{Test: exec, Ctr: look(true, "unhealthy", "a", "b", "c", "exit 1: refused")}, true, check.Fail, "Le conteneur est unhealthy"},
		{"exited", healthObs{Test: exec, Ctr: look(false, "starting")}, true, check.Fail, "Le conteneur est exited (code 2)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, done := judgeHealthcheck(tt.o)
			checktest.Staged(t, out, done, tt.done, tt.want, tt.msg)
		})
	}
	out, _ := judgeHealthcheck(healthObs{Test: exec, Ctr: look(true, "unhealthy", "a", "b", "c", "exit 1: refused")})
	assert.Equal(t, "b\nc\nexit 1: refused", out.Actual.FR, "the last three health logs")
}

func TestJudgeVersion(t *testing.T) {
	const label = "org.opencontainers.image.version"
	tests := []struct {
		name    string
		labels  map[string]string
		version *string // nil: decided from the labels alone
		want    check.Status
		msg     string
	}{
		{"solution", map[string]string{label: "1.2.3"}, ptr("1.2.3\n"), check.Pass, "GET /version renvoie 1.2.3"},
		{"fixture fail-version: no ARG VERSION in the build stage", map[string]string{label: "1.2.3"}, ptr("dev\n"), check.Fail, `renvoie "dev"`},
		{"starter: no label", nil, nil, check.Fail, "n'a pas le label"},
		{"shortcut: the label written by hand", map[string]string{label: "dev"}, nil, check.Fail, `vaut "dev"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := versionObs{Want: "1.2.3", Labels: tt.labels}
			out, done := judgeVersion(o)
			if tt.version != nil {
				checktest.Staged(t, out, done, false, 0, "")
				o.Version = tt.version
				out, done = judgeVersion(o)
			}
			checktest.Staged(t, out, done, true, tt.want, tt.msg)
		})
	}
}

func TestJudgeSignals(t *testing.T) {
	const limit = 2 * time.Second
	tests := []struct {
		name string
		o    signalsObs
		want check.Status
		msg  string
	}{
		{"solution", signalsObs{Took: 123 * time.Millisecond}, check.Pass, "docker stop : arrêt en 120 ms, code 0"},
		{"starter: sh -c with one command execs it", signalsObs{Took: 310 * time.Millisecond}, check.Pass, "code 0"},
		{"fixture fail-signals: sh -c as PID 1", signalsObs{Took: 10*time.Second + 40*time.Millisecond, ExitCode: 137}, check.Fail, "SIGTERM n'atteint pas l'application"},
		{"just at the limit", signalsObs{Took: limit}, check.Fail, "docker stop a pris 2 s"},
		{"quick but not clean", signalsObs{Took: 50 * time.Millisecond, ExitCode: 2}, check.Fail, "avec le code 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.o.Limit = limit
			checktest.Verdict(t, judgeSignals(tt.o), tt.want, tt.msg)
		})
	}
}
