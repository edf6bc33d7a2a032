package docker

import (
	"context"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	controlapi "github.com/moby/buildkit/api/services/control"
	digest "github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ddlab/grade/internal/engine"
)

// traceMsg encodes one BuildKit status update as the daemon streams it from /build.
func traceMsg(t *testing.T, sr *controlapi.StatusResponse) string {
	t.Helper()
	dt, err := sr.MarshalVT()
	require.NoError(t, err)
	b, err := json.Marshal(map[string]any{"id": "moby.buildkit.trace", "aux": dt})
	require.NoError(t, err)
	return string(b) + "\r\n"
}

// newSessionEngine is newTestEngine for BuildKit builds: the session's hijacked
// connection dials host directly, so host is a unix socket that does not exist.
func newSessionEngine(t *testing.T, reg *registry) *Engine {
	t.Helper()
	return newTestEngine(t, reg, "unix://"+filepath.Join(t.TempDir(), "no-daemon.sock"))
}

func TestBuildKit(t *testing.T) {
	ts := timestamppb.New(time.Date(2024, 3, 5, 10, 14, 0, 0, time.UTC))
	from := digest.FromString("from").String()
	run := digest.FromString("run").String()
	updates := []*controlapi.StatusResponse{
		{Vertexes: []*controlapi.Vertex{{Digest: from, Name: "[build 1/3] FROM docker.io/ddlab/go:1"}}},
		{Vertexes: []*controlapi.Vertex{{Digest: from, Name: "[build 1/3] FROM docker.io/ddlab/go:1", Cached: true, Started: ts, Completed: ts}}},
		{Vertexes: []*controlapi.Vertex{{Digest: from, Name: "[build 1/3] FROM docker.io/ddlab/go:1", Started: ts, Completed: ts}}},
		{Vertexes: []*controlapi.Vertex{{Digest: run, Name: "[build 2/3] RUN go build ./...", Started: ts}}},
		{Logs: []*controlapi.VertexLog{{Vertex: run, Stream: 1, Msg: []byte("go: downloading example.com/greet v1.2.0\n")}}},
	}
	var ok, failed strings.Builder
	for _, u := range updates {
		ok.WriteString(traceMsg(t, u))
		failed.WriteString(traceMsg(t, u))
	}
	ok.WriteString(traceMsg(t, &controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{{Digest: run, Name: "[build 2/3] RUN go build ./...", Started: ts, Completed: ts}}}))
	ok.WriteString(`{"id":"moby.image.id","aux":{"ID":"sha256:c0ffee1234567890abcdef1234567890abcdef1234567890abcdef1234567890"}}` + "\r\n")
	const runErr = `process "/bin/sh -c go build ./..." did not complete successfully: exit code: 1`
	failed.WriteString(traceMsg(t, &controlapi.StatusResponse{Vertexes: []*controlapi.Vertex{{Digest: run, Name: "[build 2/3] RUN go build ./...", Started: ts, Completed: ts, Error: runErr}}}))
	failed.WriteString(`{"errorDetail":{"message":"` + strings.ReplaceAll(runErr, `"`, `\"`) + `"},"error":"` + strings.ReplaceAll(runErr, `"`, `\"`) + `"}` + "\r\n")

	tests := []struct {
		name       string
		stream     string
		wantResult engine.BuildResult
		wantLog    []string
	}{
		{
			name:   "success",
			stream: ok.String(),
			wantResult: engine.BuildResult{
				Builder: engine.BuildKit,
				ImageID: "sha256:c0ffee1234567890abcdef1234567890abcdef1234567890abcdef1234567890",
				Steps: []engine.Step{
					{Name: "[build 1/3] FROM docker.io/ddlab/go:1", Cached: true},
					{Name: "[build 2/3] RUN go build ./...", Output: "go: downloading example.com/greet v1.2.0\n"},
				},
			},
			wantLog: []string{"CACHED [build 1/3] FROM docker.io/ddlab/go:1\n", "[build 2/3] RUN go build ./...\n", "  go: downloading example.com/greet v1.2.0\n"},
		},
		{
			name:   "failed RUN",
			stream: failed.String(),
			wantResult: engine.BuildResult{
				Builder: engine.BuildKit,
				Failed:  true,
				Error:   runErr,
				Steps: []engine.Step{
					{Name: "[build 1/3] FROM docker.io/ddlab/go:1", Cached: true},
					{Name: "[build 2/3] RUN go build ./...", Error: runErr, Output: "go: downloading example.com/greet v1.2.0\n"},
				},
			},
			wantLog: []string{"ERROR [build 2/3] RUN go build ./...: " + runErr + "\n", "ERROR: " + runErr + "\n"},
		},
		{
			name:   "no image and no error",
			stream: traceMsg(t, updates[0]),
			wantResult: engine.BuildResult{
				Builder: engine.BuildKit,
				Failed:  true,
				Error:   "the build ended without an image",
				Steps:   []engine.Step{{Name: "[build 1/3] FROM docker.io/ddlab/go:1"}},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			reg.Register(http.MethodPost, "/v1.41/build", bodyResponse(200, "application/json", []byte(tt.stream)))
			e := newSessionEngine(t, reg)

			got, err := e.Build(context.Background(), engine.BuildRequest{
				ContextDir: buildContext(t),
				Tag:        "grade-lab5:3f1c2a9b",
				Target:     "final",
				BuildArgs:  map[string]string{"GOFLAGS": "-mod=vendor"},
			})
			require.NoError(t, err)
			log := got.Log
			got.Duration, got.Log = 0, ""
			assert.Equal(t, tt.wantResult, got)
			for _, s := range tt.wantLog {
				assert.Contains(t, log, s)
			}
			reqs := reg.Requests(http.MethodPost, "/v1.41/build")
			require.Len(t, reqs, 1)
			q := reqs[0].Query
			assert.Equal(t, "2", q.Get("version"))
			assert.Equal(t, "client-session", q.Get("remote"))
			assert.NotEmpty(t, q.Get("session"))
			assert.NotEmpty(t, q.Get("buildid"))
			assert.Equal(t, "final", q.Get("target"))
			assert.Equal(t, "Dockerfile", q.Get("dockerfile"))
			assert.JSONEq(t, `{"GOFLAGS":"-mod=vendor"}`, q.Get("buildargs"))
			assert.Empty(t, reqs[0].Body, "BuildKit reads the context through the session, not the body")
			reg.Verify(t)
		})
	}
}

func TestBuildFallsBackToClassic(t *testing.T) {
	reg := &registry{}
	reg.Register(http.MethodPost, "/v1.41/build", errorResponse(http.StatusBadRequest, "buildkit not supported by daemon"))
	reg.Register(http.MethodPost, "/v1.41/build", fileResponse(t, 200, "build_classic_ok.json"))
	e := newSessionEngine(t, reg)

	got, err := e.Build(context.Background(), engine.BuildRequest{ContextDir: buildContext(t), Tag: "grade-lab5:3f1c2a9b"})
	require.NoError(t, err)
	assert.Equal(t, engine.Classic, got.Builder)
	assert.False(t, got.Failed)
	assert.Equal(t, "sha256:c0ffee1234567890abcdef1234567890abcdef1234567890abcdef1234567890", got.ImageID)
	var versions []string
	for _, r := range reg.Requests(http.MethodPost, "/v1.41/build") {
		versions = append(versions, r.Query.Get("version"))
	}
	assert.Equal(t, []string{"2", "1"}, versions)
	reg.Verify(t)
}

func TestBuildKitExplicitDoesNotFallBack(t *testing.T) {
	reg := &registry{}
	reg.Register(http.MethodPost, "/v1.41/build", errorResponse(http.StatusBadRequest, "buildkit not supported by daemon"))
	e := newSessionEngine(t, reg)

	_, err := e.Build(context.Background(), engine.BuildRequest{ContextDir: buildContext(t), Builder: engine.BuildKit})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "buildkit not supported")
	assert.Len(t, reg.Requests(http.MethodPost, "/v1.41/build"), 1)
	reg.Verify(t)
}
