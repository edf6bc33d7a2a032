package lab05

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
)

// The checks' observing, through a fake engine: what each one asks the engine, and that what
// it saw reaches its judge (judge_test.go judges every case).

// newState returns lab 5's state for one fake run, with the embedded spec's parameters.
func newState(t *testing.T, fake *enginefake.Fake, img engine.Image) *state {
	t.Helper()
	r := &grader.Run{
		ID:       "0123456789abcdef0123",
		Spec:     &lab.Spec{Lab: "lab5", Params: map[string]string{"port": "8080", "version": "1.2.3", "max-size": "25MB", "tiny-size": "12MB", "health-wait": "2s", "startup-wait": "1s", "stop-timeout": "10s", "stop-max": "2s", "allowed-bases": "ddlab/go:1 ddlab/busybox:1 scratch", "final-bases": "scratch ddlab/busybox:1"}},
		Engine:   fake,
		Cleanup:  &grader.Cleanup{},
		Progress: func(check.Text) {},
		Detail:   func(string) {},
	}
	s := stateFor(r)
	s.image, s.imageRef = img, "sha256:img"
	return s
}

// probeFake answers the app container and every probe container: probes print what body says.
func probeFake(body map[string]string) *enginefake.Fake {
	var lastProbe string
	return &enginefake.Fake{
		RunFn: func(_ context.Context, spec engine.RunSpec) (string, error) {
			if spec.Image == "sha256:img" {
				return "app0000000000000", nil
			}
			for path, b := range body {
				if strings.Contains(strings.Join(spec.Entrypoint, " "), path) {
					lastProbe = b
				}
			}
			return "probe00000000000", nil
		},
		InspectContainerFn: func(context.Context, string) (engine.Container, error) {
			return engine.Container{Running: true, Health: "healthy"}, nil
		},
		WaitFn:   func(context.Context, string) (int, error) { return 0, nil },
		LogsFn:   func(context.Context, string, int) (string, error) { return lastProbe, nil },
		RemoveFn: func(context.Context, engine.Ref) error { return nil },
	}
}

func TestCheckNonRoot(t *testing.T) {
	tests := []struct {
		name   string
		user   string
		whoami string
		want   check.Status
		msg    string
	}{
		{"numeric non-root uid seen by the app", "65532:65532", "OK\n{\"uid\":65532}", check.Pass, "65532"},
		{"no user", "", "", check.Fail, "root"},
		{"a name, not a uid", "app", "", check.Fail, "UID numérique"},
		{"uid 0", "0", "", check.Fail, "root"},
		{"the app still sees root", "1000", "OK\n{\"uid\":0}", check.Fail, "uid 0"},
		{"the app does not answer", "1000", "FAIL\nConnection refused", check.Fail, "ne répond pas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newState(t, probeFake(map[string]string{"/whoami": tt.whoami}), engine.Image{User: tt.user})
			o, err := s.checkNonRoot(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
}

func TestCheckHealthcheckForms(t *testing.T) {
	tests := []struct {
		name string
		test []string
		want check.Status
	}{
		{"exec form, healthy", []string{"CMD", "/app/server", "healthcheck"}, check.Pass},
		{"shell form", []string{"CMD-SHELL", "/app/server healthcheck"}, check.Fail},
		{"none", nil, check.Fail},
		{"disabled", []string{"NONE"}, check.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newState(t, probeFake(nil), engine.Image{Healthcheck: tt.test})
			o, err := s.checkHealthcheck(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
		})
	}
}

func TestCheckHealthcheckUnhealthy(t *testing.T) {
	fake := probeFake(nil)
	fake.InspectContainerFn = func(context.Context, string) (engine.Container, error) {
		return engine.Container{Running: true, Health: "unhealthy", HealthLog: []string{"exit 1: refused"}}, nil
	}
	s := newState(t, fake, engine.Image{Healthcheck: []string{"CMD", "/app/server", "healthcheck"}})
	o, err := s.checkHealthcheck(context.Background())
	require.NoError(t, err)
	assert.Equal(t, check.Fail, o.Status)
	assert.Contains(t, o.Actual.FR, "refused")
}

func TestCheckVersion(t *testing.T) {
	label := map[string]string{"org.opencontainers.image.version": "1.2.3"}
	tests := []struct {
		name   string
		labels map[string]string
		body   string
		want   check.Status
	}{
		{"label and endpoint", label, "OK\n1.2.3\n", check.Pass},
		{"no label", nil, "OK\n1.2.3\n", check.Fail},
		{"VERSION not passed to the compiler", label, "OK\ndev\n", check.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newState(t, probeFake(map[string]string{"/version": tt.body}), engine.Image{Labels: tt.labels})
			o, err := s.checkVersion(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
		})
	}
}

func TestCheckSignals(t *testing.T) {
	tests := []struct {
		name string
		stop time.Duration
		exit int
		want check.Status
	}{
		{"quick and clean", 0, 0, check.Pass},
		{"killed after the grace period", 2100 * time.Millisecond, 137, check.Fail},
		{"quick but non-zero", 0, 2, check.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := probeFake(nil)
			stopped := false
			fake.StopFn = func(context.Context, string, time.Duration) error {
				time.Sleep(tt.stop)
				stopped = true
				return nil
			}
			fake.InspectContainerFn = func(context.Context, string) (engine.Container, error) {
				return engine.Container{Running: !stopped, ExitCode: tt.exit}, nil
			}
			s := newState(t, fake, engine.Image{})
			o, err := s.checkSignals(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
		})
	}
}

func TestContainerThatDiesAtOnce(t *testing.T) {
	fake := probeFake(nil)
	fake.InspectContainerFn = func(context.Context, string) (engine.Container, error) {
		return engine.Container{Running: false, Status: "exited", ExitCode: 3}, nil
	}
	fake.LogsFn = func(context.Context, string, int) (string, error) { return "ERREUR: variable manquante", nil }
	s := newState(t, fake, engine.Image{User: "1000"})
	o, err := s.checkNonRoot(context.Background())
	require.NoError(t, err)
	assert.Equal(t, check.Fail, o.Status)
	assert.Contains(t, o.Message.FR, "code de sortie 3")
	assert.Contains(t, o.Actual.FR, "ERREUR")
	// The other container checks reuse the verdict instead of starting it again.
	o2, err := s.checkVersion(context.Background())
	require.NoError(t, err)
	assert.Equal(t, check.Fail, o2.Status)
}

func TestCheckSizeAndTiny(t *testing.T) {
	tests := []struct {
		name     string
		size     int64
		files    []engine.File
		wantSize check.Status
		wantTiny check.Status
	}{
		{"scratch and a binary", 7e6, []engine.File{{Path: "/app/server"}}, check.Pass, check.Pass},
		{"busybox final", 9e6, []engine.File{{Path: "/app/server"}, {Path: "/bin/sh"}}, check.Pass, check.Fail},
		{"between the limits", 20e6, nil, check.Pass, check.Fail},
		{"toolchain inside", 300e6, nil, check.Fail, check.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &enginefake.Fake{ImageFilesFn: func(context.Context, string) ([]engine.File, error) { return tt.files, nil }}
			s := newState(t, fake, engine.Image{Size: tt.size})
			o, err := s.checkSize(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.wantSize, o.Status, o.Message.FR)
			o, err = s.checkTiny(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.wantTiny, o.Status, o.Message.FR)
		})
	}
}

func TestCheckMultistageFiles(t *testing.T) {
	src := "FROM ddlab/go:1 AS build\nRUN true\nFROM scratch\nCOPY --from=build /x /x\n"
	tests := []struct {
		name  string
		files []engine.File
		want  check.Status
	}{
		{"binary only", []engine.File{{Path: "/app/server", Mode: 0o755}}, check.Pass},
		{"go toolchain copied", []engine.File{{Path: "/usr/local/go/bin/go", Mode: 0o755}}, check.Fail},
		{"sources copied", []engine.File{{Path: "/src/cmd/server/main.go", Mode: 0o644}}, check.Fail},
		{"a go binary elsewhere", []engine.File{{Path: "/usr/bin/go", Mode: 0o755}}, check.Fail},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &enginefake.Fake{ImageFilesFn: func(context.Context, string) ([]engine.File, error) { return tt.files, nil }}
			s := newState(t, fake, engine.Image{})
			s.df = dockerfile.Analyze(context.Background(), "Dockerfile", []byte(src))
			o, err := s.checkMultistage(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
		})
	}
}

func TestStaticChecks(t *testing.T) {
	tests := []struct {
		name       string
		src        string
		wantSyntax check.Status
		wantMount  check.Status
		wantLine   int // of the offline-syntax finding
	}{
		{"clean", "FROM ddlab/go:1 AS b\nRUN --mount=type=cache,target=/root/.cache/go-build go build\nFROM scratch\n", check.Pass, check.Pass, 0},
		{"syntax directive", "# syntax=docker/dockerfile:1\nFROM scratch\n", check.Fail, check.Fail, 1},
		{"base not allowed", "FROM alpine:3.19\nRUN true\n", check.Fail, check.Fail, 1},
		{"earlier stage is allowed", "FROM ddlab/busybox:1 AS base\nFROM base\n", check.Pass, check.Fail, 0},
		{"cache mount elsewhere", "FROM ddlab/go:1\nRUN --mount=type=cache,target=/go/pkg/mod go mod download\n", check.Pass, check.Fail, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newState(t, &enginefake.Fake{}, engine.Image{})
			s.df = dockerfile.Analyze(context.Background(), "Dockerfile", []byte(tt.src))
			require.Nil(t, s.df.ParseError)
			o, err := s.checkOfflineSyntax(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.wantSyntax, o.Status, o.Message.FR)
			assert.Equal(t, tt.wantLine, o.Line)
			o, err = s.checkCacheMount(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.wantMount, o.Status, o.Message.FR)
		})
	}
}

// buildFake answers builds with results, one per build, in order; a build beyond them fails
// the test.
func buildFake(t *testing.T, results ...func(engine.BuildRequest) (engine.BuildResult, error)) *enginefake.Fake {
	n := 0
	return &enginefake.Fake{
		BuildFn: func(_ context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
			require.Less(t, n, len(results), "unexpected build %s", req.Tag)
			n++
			return results[n-1](req)
		},
		InspectImageFn: func(context.Context, string) (engine.Image, error) {
			return engine.Image{ExposedPorts: []string{"8080/tcp"}, Size: 7e6}, nil
		},
		RemoveFn: func(context.Context, engine.Ref) error { return nil },
	}
}

func result(res engine.BuildResult, err error) func(engine.BuildRequest) (engine.BuildResult, error) {
	return func(engine.BuildRequest) (engine.BuildResult, error) { return res, err }
}

func TestCheckBuildObserves(t *testing.T) {
	t.Run("an image", func(t *testing.T) {
		s := newState(t, buildFake(t, result(engine.BuildResult{ImageID: "sha256:built", Builder: engine.BuildKit}, nil)), engine.Image{})
		s.imageRef = ""
		o, err := s.checkBuild(context.Background())
		require.NoError(t, err)
		checktest.Verdict(t, o, check.Pass, "port 8080/tcp exposé")
		assert.Equal(t, "sha256:built", s.imageRef)
		assert.Equal(t, int64(7e6), s.image.Size)
	})
	t.Run("a failed build keeps its log tail in the report", func(t *testing.T) {
		s := newState(t, buildFake(t, result(engine.BuildResult{Failed: true, Error: "exit code: 3", Log: "#9 ERROR: exit code: 3"}, nil)), engine.Image{})
		s.imageRef = ""
		o, err := s.checkBuild(context.Background())
		require.NoError(t, err)
		checktest.Verdict(t, o, check.Fail, "exit code: 3")
		assert.Equal(t, "#9 ERROR: exit code: 3", s.run.Build.LogTail)
		assert.Empty(t, s.imageRef)
	})
	t.Run("cut by the deadline", func(t *testing.T) {
		s := newState(t, buildFake(t, result(engine.BuildResult{}, context.DeadlineExceeded)), engine.Image{})
		o, err := s.checkBuild(context.Background())
		require.NoError(t, err)
		checktest.Verdict(t, o, check.Fail, "délai")
	})
	t.Run("the engine's trouble is no verdict", func(t *testing.T) {
		s := newState(t, buildFake(t, result(engine.BuildResult{}, errors.New("engine gone"))), engine.Image{})
		_, err := s.checkBuild(context.Background())
		require.Error(t, err)
	})
}

func TestCheckCacheDepsObserves(t *testing.T) {
	fake := buildFake(t, result(engine.BuildResult{ImageID: "sha256:img2", Steps: []engine.Step{
		{Name: "[deps 5/5] RUN go mod download", Cached: true}, {Name: "[build 3/3] RUN go build ./...", Cached: false},
	}}, nil))
	s := newState(t, fake, engine.Image{})
	s.run.Dir = t.TempDir()
	o, err := s.checkCacheDeps(context.Background())
	require.NoError(t, err)
	checktest.Verdict(t, o, check.Pass, "`go mod download` en cache")
	edited, err := os.ReadFile(filepath.Join(s.run.Dir, "cmd", "server", "main.go"))
	require.NoError(t, err)
	assert.Contains(t, string(edited), "cache-deps", "the code is edited before the build")
}

func TestCheckTestStageObserves(t *testing.T) {
	src := "FROM ddlab/go:1 AS build\nRUN true\nFROM build AS test\nRUN go test ./...\nFROM scratch\n"
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "cmd", "server"), 0o755))
	inject := filepath.Join(dir, "cmd", "server", "zz_grade_injected_test.go")
	var targets []string
	injectedSeen := false
	fake := buildFake(t,
		func(req engine.BuildRequest) (engine.BuildResult, error) {
			targets = append(targets, req.Target)
			return engine.BuildResult{ImageID: "sha256:test"}, nil
		},
		func(req engine.BuildRequest) (engine.BuildResult, error) {
			targets = append(targets, req.Target)
			_, err := os.Stat(inject)
			injectedSeen = err == nil
			return engine.BuildResult{Failed: true, Log: "--- FAIL: TestGradeInjected"}, nil
		})
	s := newState(t, fake, engine.Image{})
	s.run.Dir = dir
	s.df = dockerfile.Analyze(context.Background(), "Dockerfile", []byte(src))
	o, err := s.checkTestStage(context.Background())
	require.NoError(t, err)
	checktest.Verdict(t, o, check.Pass, "échoue avec un test en échec injecté")
	assert.Equal(t, []string{"test", "test"}, targets)
	assert.True(t, injectedSeen, "the second build sees the failing test")
	assert.NoFileExists(t, inject, "the failing test is removed afterwards")
}
