package docker

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	bkclient "github.com/moby/buildkit/client"
	digest "github.com/opencontainers/go-digest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
)

// buildContext writes a tiny build context and returns its folder.
func buildContext(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM ddlab/go:1\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/server ./cmd/server\nCMD [\"/out/server\"]\n"), 0o644))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "main.go"), []byte("package main\n"), 0o644))
	return dir
}

func TestBuildClassic(t *testing.T) {
	tests := []struct {
		name        string
		stream      string
		wantResult  engine.BuildResult
		wantLog     []string // substrings, in order
		wantRemoved []string // intermediate images removed after a failure
	}{
		{
			name:   "failed RUN",
			stream: "build_classic_failed.json",
			wantResult: engine.BuildResult{
				Builder: engine.Classic,
				Failed:  true,
				Error:   "The command '/bin/sh -c go build -o /out/server ./cmd/server' returned a non-zero code: 2",
				Steps: []engine.Step{
					{Name: "Step 1/5 : FROM ddlab/go:1"},
					{Name: "Step 2/5 : WORKDIR /src", Cached: true},
					{Name: "Step 3/5 : COPY . ."},
					{Name: "Step 4/5 : RUN go build -o /out/server ./cmd/server", Error: "The command '/bin/sh -c go build -o /out/server ./cmd/server' returned a non-zero code: 2"},
				},
			},
			wantLog: []string{
				"Step 1/5 : FROM ddlab/go:1\n",
				" ---> Using cache\n",
				"Step 4/5 : RUN go build",
				"cmd/server/main.go:12:2: undefined: foo\n",
				"ERROR: The command '/bin/sh -c go build -o /out/server ./cmd/server' returned a non-zero code: 2\n",
			},
			// Newest first; never the base image that FROM printed (2f3e4d5c6b7a).
			wantRemoved: []string{"1b2c3d4e5f60", "9a8b7c6d5e4f"},
		},
		{
			name:   "success",
			stream: "build_classic_ok.json",
			wantResult: engine.BuildResult{
				Builder: engine.Classic,
				ImageID: "sha256:c0ffee1234567890abcdef1234567890abcdef1234567890abcdef1234567890",
				Steps: []engine.Step{
					{Name: "Step 1/3 : FROM ddlab/busybox:1"},
					{Name: "Step 2/3 : RUN echo hi && echo oops >&2"},
					{Name: "Step 3/3 : LABEL dev.ddlab.grade.run=3f1c2a9b"},
				},
			},
			wantLog: []string{"Step 1/3", "hi\n", "oops\n", "Step 3/3 : LABEL dev.ddlab.grade.run=3f1c2a9b\n", "Successfully tagged grade-lab5:3f1c2a9b\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			reg.Register(http.MethodPost, "/v1.41/build", fileResponse(t, 200, tt.stream))
			reg.Register(http.MethodDelete, "/v1.41/images/[0-9a-f]+", bodyResponse(200, "application/json", []byte(`[{"Deleted":"sha256:x"}]`))).Persist()
			e := newTestEngine(t, reg, "unix:///var/run/docker.sock")

			var mu sync.Mutex
			var progress []string
			got, err := e.Build(context.Background(), engine.BuildRequest{
				ContextDir: buildContext(t),
				Dockerfile: "Dockerfile",
				Tag:        "grade-lab5:3f1c2a9b",
				Labels:     map[string]string{"dev.ddlab.grade.run": "3f1c2a9b"},
				Builder:    engine.Classic,
				Progress: func(l string) {
					mu.Lock()
					defer mu.Unlock()
					progress = append(progress, l)
				},
			})
			require.NoError(t, err)
			assert.Positive(t, got.Duration)
			log := got.Log
			got.Duration, got.Log = 0, ""
			assert.Equal(t, tt.wantResult, got)
			rest := log
			for _, s := range tt.wantLog {
				i := strings.Index(rest, s)
				if !assert.GreaterOrEqual(t, i, 0, "log lacks %q (in order):\n%s", s, log) {
					break
				}
				rest = rest[i+len(s):]
			}
			assert.Equal(t, strings.Count(log, "\n"), len(progress), "one progress call per log line")

			builds := reg.Requests(http.MethodPost, "/v1.41/build")
			require.Len(t, builds, 1)
			q := builds[0].Query
			assert.Equal(t, []string{"1"}, q["version"])
			assert.Equal(t, []string{"grade-lab5:3f1c2a9b"}, q["t"])
			assert.NotEqual(t, "0", q.Get("rm"), "intermediate containers are removed")
			assert.Equal(t, []string{"1"}, q["forcerm"])
			assert.Contains(t, q.Get("labels"), "dev.ddlab.grade.run")
			assert.NotEmpty(t, builds[0].Body, "the context is sent as a tar")

			var removed []string
			for _, r := range reg.Requests(http.MethodDelete, "/v1.41/images/.*") {
				removed = append(removed, strings.TrimPrefix(r.Path, "/v1.41/images/"))
				assert.Empty(t, r.Query.Get("force"), "intermediates are never force-removed")
			}
			assert.Equal(t, tt.wantRemoved, removed)
			reg.Verify(t)
		})
	}
}

func TestBuildClassicRefusesOutsideDockerfile(t *testing.T) {
	tests := []struct {
		name string
		req  engine.BuildRequest
	}{
		{name: "Dockerfile elsewhere", req: engine.BuildRequest{ContextDir: "/nonexistent", DockerfileDir: "/elsewhere", Builder: engine.Classic}},
		{name: "exclusions", req: engine.BuildRequest{ContextDir: "/nonexistent", Exclude: []string{"*.log"}, Builder: engine.Classic}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			e := newTestEngine(t, reg, "unix:///var/run/docker.sock")
			_, err := e.Build(context.Background(), tt.req)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "classic builder")
			assert.Empty(t, reg.Requests(http.MethodPost, "/v1.41/build"))
		})
	}
}

func TestTraceAdd(t *testing.T) {
	d := func(s string) digest.Digest { return digest.FromString(s) }
	now := time.Date(2024, 3, 5, 10, 14, 0, 0, time.UTC)
	started := &now
	updates := []*bkclient.SolveStatus{
		{Vertexes: []*bkclient.Vertex{
			{Digest: d("ctx"), Name: "[internal] load build context"},
			{Digest: d("from"), Name: "[build 1/4] FROM ddlab/go:1"},
		}},
		{Vertexes: []*bkclient.Vertex{
			{Digest: d("ctx"), Name: "[internal] load build context", Started: started},
			{Digest: d("from"), Name: "[build 1/4] FROM ddlab/go:1", Cached: true},
			{Digest: d("mod"), Name: "[build 2/4] COPY go.mod go.sum ./"},
		}},
		// The same vertex again, no longer marked cached: Cached must stay true.
		{Vertexes: []*bkclient.Vertex{
			{Digest: d("from"), Name: "[build 1/4] FROM ddlab/go:1", Started: started, Completed: started},
			{Digest: d("mod"), Name: "[build 2/4] COPY go.mod go.sum ./", Started: started},
			{Digest: d("mod"), Name: "[build 2/4] COPY go.mod go.sum ./", Cached: true, Started: started, Completed: started},
			{Digest: d("run"), Name: "[build 3/4] RUN go build -o /out/server ./cmd/server", Started: started},
		}},
		{
			Vertexes: []*bkclient.Vertex{
				{Digest: d("run"), Name: "[build 3/4] RUN go build -o /out/server ./cmd/server", Started: started, Completed: started,
					Error: `process "/bin/sh -c go build -o /out/server ./cmd/server" did not complete successfully: exit code: 1`},
			},
			Logs: []*bkclient.VertexLog{
				{Vertex: d("run"), Stream: 2, Data: []byte("# example.com/lab5/cmd/server\ncmd/server/main.go:12:2: undefined: foo\n")},
			},
		},
		// A late duplicate error does not replace the first one.
		{Vertexes: []*bkclient.Vertex{
			{Digest: d("run"), Name: "[build 3/4] RUN go build -o /out/server ./cmd/server", Error: "canceled"},
		}},
	}
	var progress []string
	tr := newTrace(func(s string) { progress = append(progress, s) })
	for _, u := range updates {
		tr.add(u)
	}
	assert.Equal(t, []engine.Step{
		{Name: "[internal] load build context"},
		{Name: "[build 1/4] FROM ddlab/go:1", Cached: true},
		{Name: "[build 2/4] COPY go.mod go.sum ./", Cached: true},
		{Name: "[build 3/4] RUN go build -o /out/server ./cmd/server",
			Error:  `process "/bin/sh -c go build -o /out/server ./cmd/server" did not complete successfully: exit code: 1`,
			Output: "# example.com/lab5/cmd/server\ncmd/server/main.go:12:2: undefined: foo\n"},
	}, tr.steps())
	wantLines := []string{
		"[internal] load build context",
		"CACHED [build 1/4] FROM ddlab/go:1",
		"[build 2/4] COPY go.mod go.sum ./",
		"CACHED [build 2/4] COPY go.mod go.sum ./",
		"[build 3/4] RUN go build -o /out/server ./cmd/server",
		`ERROR [build 3/4] RUN go build -o /out/server ./cmd/server: process "/bin/sh -c go build -o /out/server ./cmd/server" did not complete successfully: exit code: 1`,
		"  # example.com/lab5/cmd/server",
		"  cmd/server/main.go:12:2: undefined: foo",
	}
	assert.Equal(t, wantLines, progress)
	assert.Equal(t, strings.Join(wantLines, "\n")+"\n", tr.log())
}

func TestTraceNilProgress(t *testing.T) {
	tr := newTrace(nil)
	tr.add(&bkclient.SolveStatus{Vertexes: []*bkclient.Vertex{{Digest: digest.FromString("a"), Name: "a", Cached: true}}})
	assert.Equal(t, []engine.Step{{Name: "a", Cached: true}}, tr.steps())
	assert.Equal(t, "CACHED a\n", tr.log())
}

func TestTailBuffer(t *testing.T) {
	line := strings.Repeat("x", 1023) + "\n" // 1 KiB
	tests := []struct {
		name      string
		writes    int    // lines of 1 KiB
		last      string // written after them
		wantLen   int
		wantTrunc bool
	}{
		{name: "empty", writes: 0, wantLen: 0},
		{name: "small", writes: 3, last: "end\n", wantLen: 3*1024 + 4},
		{name: "exactly the cap", writes: maxBuildLog / 1024, wantLen: maxBuildLog},
		{name: "just over the cap", writes: maxBuildLog / 1024, last: "end\n", wantLen: maxBuildLog, wantTrunc: true},
		{name: "over twice the cap", writes: 2*maxBuildLog/1024 + 5, last: "end\n", wantLen: maxBuildLog, wantTrunc: true},
		{name: "far over", writes: 5*maxBuildLog/1024 + 1, last: "end\n", wantLen: maxBuildLog, wantTrunc: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b tailBuffer
			for i := 0; i < tt.writes; i++ {
				b.WriteString(line)
			}
			b.WriteString(tt.last)
			got := b.String()
			body, trunc := strings.CutPrefix(got, "[…]\n")
			assert.Equal(t, tt.wantTrunc, trunc)
			assert.Len(t, body, tt.wantLen)
			if tt.last != "" {
				assert.True(t, strings.HasSuffix(body, tt.last), "the tail is kept")
			}
			assert.LessOrEqual(t, len(b.b), 2*maxBuildLog, "memory stays bounded")
		})
	}
}

// A step's own output keeps its beginning (where go prints "go: downloading"), bounded.
func TestTraceStepOutputBounded(t *testing.T) {
	d := digest.FromString("run")
	tr := newTrace(nil)
	tr.add(&bkclient.SolveStatus{Vertexes: []*bkclient.Vertex{{Digest: d, Name: "[1/1] RUN go build"}}})
	tr.add(&bkclient.SolveStatus{Logs: []*bkclient.VertexLog{{Vertex: d, Data: []byte("go: downloading a v1\n")}}})
	for range 10 {
		tr.add(&bkclient.SolveStatus{Logs: []*bkclient.VertexLog{{Vertex: d, Data: []byte(strings.Repeat("x", 3000))}}})
	}
	out := tr.steps()[0].Output
	assert.Len(t, out, engine.MaxStepOutput)
	assert.True(t, strings.HasPrefix(out, "go: downloading a v1\n"))
}
