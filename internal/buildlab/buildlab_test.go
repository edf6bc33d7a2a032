package buildlab

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
)

func newSession(t *testing.T, fake *enginefake.Fake, dockerfileText string) *Session {
	t.Helper()
	dir := t.TempDir()
	if dockerfileText != "" {
		require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfileText), 0o644))
	}
	r := &grader.Run{
		ID: "0123456789abcdef0123", Spec: &lab.Spec{Lab: "lab5"}, Dir: dir, Engine: fake,
		Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {},
	}
	return New(r, "Dockerfile")
}

func TestCheckFiles(t *testing.T) {
	s := newSession(t, nil, "FROM scratch\nCOPY a /a\n")
	o, err := s.CheckFiles(context.Background())
	require.NoError(t, err)
	assert.Equal(t, check.Pass, o.Status)
	require.NotNil(t, s.DF)
	assert.Len(t, s.DF.Stages, 1)

	s = newSession(t, nil, "")
	o, err = s.CheckFiles(context.Background())
	require.NoError(t, err)
	assert.Equal(t, check.Fail, o.Status)
	assert.Nil(t, s.DF)
}

func TestBuildRegistersCleanup(t *testing.T) {
	var got engine.BuildRequest
	var removed []engine.Ref
	fake := &enginefake.Fake{
		BuildFn: func(_ context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
			got = req
			return engine.BuildResult{ImageID: "sha256:abc"}, nil
		},
		RemoveFn: func(_ context.Context, r engine.Ref) error { removed = append(removed, r); return nil },
	}
	s := newSession(t, fake, "FROM scratch\n")
	_, err := s.Build(context.Background(), engine.BuildRequest{Tag: "ddlab-grade/x:main", Target: "test"})
	require.NoError(t, err)
	assert.Equal(t, s.Run.Dir, got.ContextDir)
	assert.Equal(t, "Dockerfile", got.Dockerfile)
	assert.Equal(t, "test", got.Target)
	assert.Equal(t, s.Run.Labels(), got.Labels, "the run's labels by default")
	assert.NotNil(t, got.Progress)
	assert.Empty(t, s.Run.Cleanup.Run(context.Background()))
	assert.Equal(t, []engine.Ref{{Kind: engine.KindImage, ID: "sha256:abc"}}, removed)

	// Labels of the caller's are kept as given.
	_, err = s.Build(context.Background(), engine.BuildRequest{Tag: "t", Labels: map[string]string{"ddlab.run": "x"}})
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"ddlab.run": "x"}, got.Labels)
	s.Run.Cleanup.Run(context.Background())

	// A build that made no image has nothing to remove.
	removed = nil
	fake.BuildFn = func(context.Context, engine.BuildRequest) (engine.BuildResult, error) {
		return engine.BuildResult{Failed: true}, nil
	}
	_, err = s.Build(context.Background(), engine.BuildRequest{Tag: "t"})
	require.NoError(t, err)
	s.Run.Cleanup.Run(context.Background())
	assert.Empty(t, removed)
}

func TestOutcome(t *testing.T) {
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	boom := errors.New("engine gone")
	tests := []struct {
		name     string
		ctx      context.Context
		res      engine.BuildResult
		err      error
		what     string
		wantOK   bool
		wantErr  error
		wantStat check.Status
		contains string
	}{
		{name: "image built", ctx: context.Background(), res: engine.BuildResult{ImageID: "sha256:a"}, wantOK: true},
		{name: "fails", ctx: context.Background(), res: engine.BuildResult{Failed: true, Error: "RUN false: exit code 1", Log: "#5 RUN false"},
			wantStat: check.Fail, contains: "La construction échoue : « RUN false: exit code 1 »"},
		{name: "fails, named", ctx: context.Background(), what: "--target test", res: engine.BuildResult{Failed: true, Error: "x"},
			wantStat: check.Fail, contains: "La construction (--target test) échoue"},
		{name: "wants a registry", ctx: context.Background(), res: engine.BuildResult{Failed: true, Error: "failed to resolve source metadata for docker.io/library/golang:1.22"},
			wantStat: check.Fail, contains: "impossible hors ligne : partez de ddlab/busybox:1"},
		{name: "too slow", ctx: expired, err: context.DeadlineExceeded, wantStat: check.Fail, contains: "n'a pas fini dans le délai"},
		{name: "engine error", ctx: context.Background(), err: boom, wantErr: boom},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, ok, err := Outcome(tt.ctx, tt.res, tt.err, check.Same(tt.what), check.Same("ddlab/busybox:1"))
			assert.Equal(t, tt.wantOK, ok)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			if tt.wantOK {
				assert.Equal(t, check.Outcome{}, o)
				return
			}
			assert.Equal(t, tt.wantStat, o.Status)
			assert.Contains(t, o.Message.FR, tt.contains)
			assert.NotEmpty(t, o.Message.EN)
		})
	}
}

func TestTimedOut(t *testing.T) {
	expired, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	interrupted, stop := context.WithCancel(context.Background())
	stop()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"deadline error", context.Background(), fmt.Errorf("build: %w", context.DeadlineExceeded), true},
		{"the engine says canceled once the deadline passed", expired, errors.New("rpc error: code = Canceled"), true},
		{"Ctrl-C is not the student's slowness", interrupted, context.Canceled, false},
		{"engine error", context.Background(), errors.New("engine gone"), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, TimedOut(tt.ctx, tt.err))
		})
	}
}

func TestSummary(t *testing.T) {
	b := Summary(engine.BuildResult{Builder: "buildkit", Duration: time.Second, Steps: []engine.Step{{Cached: true}, {}, {Cached: true}}})
	assert.Equal(t, "buildkit", b.Builder)
	assert.Equal(t, 3, b.Steps)
	assert.Equal(t, 2, b.CachedSteps)
}

func TestNormalizeRef(t *testing.T) {
	for in, want := range map[string]string{
		"docker.io/library/Alpine:3": "alpine:3",
		"library/busybox":            "busybox",
		"ddlab/busybox:1":            "ddlab/busybox:1",
		"ghcr.io/x/y":                "ghcr.io/x/y",
	} {
		assert.Equal(t, want, NormalizeRef(in), in)
	}
}

func TestFinalBase(t *testing.T) {
	tests := []struct {
		src, want string
		line      int
	}{
		{"FROM ddlab/busybox:1\nCOPY site/ /www/\n", "ddlab/busybox:1", 1},
		{"FROM ddlab/go:1 AS x\nFROM ddlab/busybox:1\n", "ddlab/busybox:1", 2},
		{"FROM ddlab/busybox:1 AS base\nFROM base AS site\nFROM site\n", "ddlab/busybox:1", 1},
		{"FROM ddlab/busybox:1 AS x\nFROM ddlab/webapp:1\n", "ddlab/webapp:1", 2},
	}
	for _, tt := range tests {
		df := dockerfile.Analyze(context.Background(), "Dockerfile", []byte(tt.src))
		require.Nil(t, df.ParseError, tt.src)
		got, line := FinalBase(df)
		assert.Equal(t, tt.want, got, tt.src)
		assert.Equal(t, tt.line, line, tt.src)
	}
}

func TestWithoutSyntax(t *testing.T) {
	s := newSession(t, nil, "# syntax=docker/dockerfile:1\nFROM scratch\n")
	_, err := s.CheckFiles(context.Background())
	require.NoError(t, err)
	require.NoError(t, s.WithoutSyntax())
	b, err := os.ReadFile(filepath.Join(s.Run.Dir, "Dockerfile"))
	require.NoError(t, err)
	assert.NotContains(t, string(b), "syntax=")
	assert.Contains(t, string(b), "FROM scratch")
}
