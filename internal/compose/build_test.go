package compose

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
)

// recorder is a fake engine whose builds are recorded and answered by result.
type recorder struct {
	enginefake.Fake
	mu   sync.Mutex
	reqs []engine.BuildRequest
}

func newRecorder(result func(req engine.BuildRequest) (engine.BuildResult, error)) *recorder {
	r := &recorder{}
	r.BuildFn = func(_ context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
		r.mu.Lock()
		r.reqs = append(r.reqs, req)
		r.mu.Unlock()
		return result(req)
	}
	return r
}

func built(req engine.BuildRequest) (engine.BuildResult, error) {
	return engine.BuildResult{Builder: engine.BuildKit, ImageID: "sha256:" + req.Tag}, nil
}

func TestBuildRequests(t *testing.T) {
	l, dir := policyProject(t, `services:
  web:
    build: ./web
  api:
    build:
      context: ./api
      dockerfile: Dockerfile.dev
      target: run
      args:
        GREETING: Bonjour
        EMPTY: ""
        UNSET:
  db:
    image: ddlab/kv:1
`, map[string]string{
		"web/Dockerfile":     "FROM ddlab/busybox:1\n",
		"api/Dockerfile.dev": "FROM ddlab/busybox:1 AS run\n",
		"api/.dockerignore":  "# ignoré\n*.md\nDockerfile.dev\n.git\n",
		"api/README.md":      "x",
	})
	p := l.Project
	e := newRecorder(built)
	var progress, done []string
	labels := map[string]string{"ddlab.run": "r-1"}
	detail := func(string) {}
	out, err := Build(context.Background(), e, p, BuildOptions{
		Labels:   labels,
		Progress: func(s string) { progress = append(progress, s) },
		Detail:   detail,
		Done:     func(tag string) { done = append(done, tag) },
	})
	require.NoError(t, err)

	require.Len(t, e.reqs, 2)
	api, web := e.reqs[0], e.reqs[1]
	assert.Equal(t, "run-pol-api", api.Tag, "<project>-<service>, as Compose tags")
	assert.Equal(t, filepath.Join(dir, "api"), api.ContextDir)
	assert.Equal(t, "Dockerfile.dev", api.Dockerfile)
	assert.Empty(t, api.DockerfileDir)
	assert.Equal(t, "run", api.Target)
	assert.Equal(t, map[string]string{"GREETING": "Bonjour", "EMPTY": ""}, api.BuildArgs, "an arg without a value is not sent")
	assert.Equal(t, []string{"*.md", "Dockerfile.dev", ".git", "!Dockerfile.dev"}, api.Exclude,
		"the context's .dockerignore, the Dockerfile kept as the CLI does")
	assert.Equal(t, labels, api.Labels)
	assert.NotNil(t, api.Progress, "build log lines reach Detail")
	assert.False(t, api.NoCache)

	assert.Equal(t, "run-pol-web", web.Tag)
	assert.Equal(t, filepath.Join(dir, "web"), web.ContextDir)
	assert.Equal(t, "Dockerfile", web.Dockerfile)
	assert.Empty(t, web.Exclude, "no .dockerignore")
	assert.Empty(t, web.BuildArgs)

	assert.Equal(t, []string{"api", "web"}, progress, "Progress is told each service; the caller words it")
	assert.Equal(t, []string{"run-pol-api", "run-pol-web"}, done)

	require.Len(t, out, 2)
	assert.Equal(t, "api", out[0].Service)
	assert.Equal(t, "run-pol-api", out[0].Tag)
	assert.Equal(t, "sha256:run-pol-api", out[0].Result.ImageID)
	assert.Equal(t, "Dockerfile.dev", out[0].Config.Dockerfile, "the build: as written is kept in Built")
	assert.Equal(t, "run", out[0].Config.Target)

	for _, n := range []string{"api", "web"} {
		s := p.Services[n]
		assert.Nil(t, s.Build, "%s: Compose gets an image, not a build", n)
		assert.Equal(t, "run-pol-"+n, s.Image)
		assert.Equal(t, types.PullPolicyNever, s.PullPolicy)
	}
	assert.Equal(t, "ddlab/kv:1", p.Services["db"].Image, "an image service is left alone")
}

func TestBuildAbsoluteDockerfile(t *testing.T) {
	l, dir := policyProject(t, "services:\n  s:\n    build: .\n", map[string]string{
		"docker/app.Dockerfile": "FROM scratch\n",
		".dockerignore":         "docker\n",
	})
	s := l.Project.Services["s"]
	s.Build.Dockerfile = filepath.Join(dir, "docker", "app.Dockerfile")
	l.Project.Services["s"] = s
	e := newRecorder(built)
	_, err := Build(context.Background(), e, l.Project, BuildOptions{})
	require.NoError(t, err)
	require.Len(t, e.reqs, 1)
	assert.Equal(t, filepath.Join(dir, "docker")+"/", e.reqs[0].DockerfileDir)
	assert.Equal(t, "app.Dockerfile", e.reqs[0].Dockerfile)
	assert.Equal(t, dir, e.reqs[0].ContextDir)
}

func TestBuildStopsAtFirstFailure(t *testing.T) {
	three := "services:\n  a: {build: ./a}\n  b: {build: ./b}\n  c: {build: ./c}\n"
	ctx := map[string]string{"a/Dockerfile": "FROM scratch\n", "b/Dockerfile": "FROM scratch\n", "c/Dockerfile": "FROM scratch\n"}
	tests := []struct {
		name    string
		result  engine.BuildResult
		err     error
		wantErr bool
		done    []string
	}{
		{"the Dockerfile fails", engine.BuildResult{Failed: true, Error: "RUN false: exit code 1"}, nil, false, []string{"run-pol-a"}},
		{"failed after an image (never for BuildKit, still handled)", engine.BuildResult{Failed: true, ImageID: "sha256:partial"}, nil, false, []string{"run-pol-a", "run-pol-b"}},
		{"the engine fails", engine.BuildResult{}, fmt.Errorf("boom: %w", engine.ErrUnavailable), true, []string{"run-pol-a"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := policyProject(t, three, ctx)
			e := newRecorder(func(req engine.BuildRequest) (engine.BuildResult, error) {
				if req.Tag == "run-pol-b" {
					return tc.result, tc.err
				}
				return built(req)
			})
			var done []string
			out, err := Build(context.Background(), e, l.Project, BuildOptions{Done: func(tag string) { done = append(done, tag) }})
			if tc.wantErr {
				require.ErrorIs(t, err, engine.ErrUnavailable)
			} else {
				require.NoError(t, err, "a broken Dockerfile is the student's, not the grader's")
			}
			require.Len(t, out, 2, "c is never built")
			assert.Equal(t, "b", out[1].Service, "the failed build is last")
			assert.Equal(t, tc.result.Failed, out[1].Result.Failed)
			assert.Equal(t, tc.done, done)
			assert.Len(t, e.reqs, 2)
			p := l.Project
			assert.Equal(t, "run-pol-a", p.Services["a"].Image)
			assert.Nil(t, p.Services["a"].Build)
			assert.NotNil(t, p.Services["b"].Build, "b keeps its build: it has no image")
			assert.NotNil(t, p.Services["c"].Build)
		})
	}
}

func TestBuildBadDockerignore(t *testing.T) {
	l, _ := policyProject(t, "services:\n  s:\n    build: ./s\n", map[string]string{"s/Dockerfile": "FROM scratch\n", "s/.dockerignore/x": ""})
	e := newRecorder(built)
	out, err := Build(context.Background(), e, l.Project, BuildOptions{})
	require.NoError(t, err, "the student's .dockerignore is their build's failure, not the grader's")
	require.Len(t, out, 1)
	assert.True(t, out[0].Result.Failed)
	assert.Contains(t, out[0].Result.Error, "the .dockerignore of context s is refused")
	assert.Empty(t, e.reqs, "nothing is sent with an unreadable .dockerignore")
}

func TestMissingImages(t *testing.T) {
	l, _ := policyProject(t, `services:
  web: {image: ddlab/webapp:1}
  ghost: {image: ddlab/ghost:9}
  nginx: {image: nginx:latest}
  api: {build: ./api}
`, map[string]string{"api/Dockerfile": "FROM scratch\n"})
	var asked []string
	var mu sync.Mutex
	e := &enginefake.Fake{InspectImageFn: func(_ context.Context, ref string) (engine.Image, error) {
		mu.Lock()
		asked = append(asked, ref)
		mu.Unlock()
		if ref == "ddlab/webapp:1" {
			return engine.Image{ID: "sha256:web"}, nil
		}
		return engine.Image{}, fmt.Errorf("image %s: %w", ref, engine.ErrNotFound)
	}}
	missing, err := MissingImages(context.Background(), e, l.Project)
	require.NoError(t, err)
	assert.Equal(t, map[string]string{"ghost": "ddlab/ghost:9", "nginx": "nginx:latest"}, missing)
	assert.ElementsMatch(t, []string{"ddlab/webapp:1", "ddlab/ghost:9", "nginx:latest"}, asked, "build: services are not looked up")
	for _, c := range e.Calls() {
		assert.NotContains(t, c, "Pull", "nothing is pulled")
	}

	e.InspectImageFn = func(context.Context, string) (engine.Image, error) {
		return engine.Image{}, engine.ErrUnavailable
	}
	_, err = MissingImages(context.Background(), e, l.Project)
	assert.True(t, errors.Is(err, engine.ErrUnavailable), "an engine failure is the grader's error")
}
