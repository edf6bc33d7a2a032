package docker_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/buildctx"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/images"
	"github.com/ddlab/grade/internal/testenv"
)

// These tests run against the real engine (testenv skips them without one, or fails under
// GRADE_REQUIRE_DOCKER=1). Every object they make carries ddlab.test=<id> and is removed.

func labels(t *testing.T, e engine.Engine) map[string]string {
	id := uuid.NewString()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		refs, err := e.List(ctx, "ddlab.test="+id)
		require.NoError(t, err)
		for _, r := range refs {
			assert.NoError(t, e.Remove(ctx, r))
		}
	})
	return map[string]string{"ddlab.test": id}
}

func writeTree(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
	return dir
}

// snapshot takes the build context as grade does, .dockerignore applied.
func snapshot(t *testing.T, src string) string {
	dst := t.TempDir()
	snap, err := buildctx.Take(src, dst, "Dockerfile", buildctx.Limits{})
	require.NoError(t, err)
	require.Empty(t, snap.Problems)
	return snap.Dir
}

func paths(t *testing.T, e engine.Engine, ref string) map[string]bool {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	files, err := e.ImageFiles(ctx, ref)
	require.NoError(t, err)
	out := map[string]bool{}
	for _, f := range files {
		out[f.Path] = true
	}
	return out
}

func TestDockerignoreHonouredByBothBuilders(t *testing.T) {
	e := testenv.Engine(t)
	src := writeTree(t, map[string]string{
		"Dockerfile":    "FROM scratch\nCOPY . /ctx/\n",
		".dockerignore": "# comments are ignored\nsecret.txt\n*.log\nlogs/\n!keep.log\nDockerfile\n",
		"keep.txt":      "k", "keep.log": "k", "secret.txt": "s", "app.log": "l", "logs/a.txt": "l", "sub/secret.txt": "not excluded: pattern is anchored",
	})
	for _, b := range []engine.Builder{engine.BuildKit, engine.Classic} {
		t.Run(string(b), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			dir := snapshot(t, src)
			// A file written into the snapshot later (lab 5's cache checks do) is filtered too.
			require.NoError(t, os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("late"), 0o644))
			res, err := e.Build(ctx, engine.BuildRequest{ContextDir: dir, Dockerfile: "Dockerfile", Builder: b, Labels: labels(t, e)})
			require.NoError(t, err)
			require.False(t, res.Failed, res.Log)
			got := paths(t, e, res.ImageID)
			for _, p := range []string{"/ctx/keep.txt", "/ctx/keep.log", "/ctx/sub/secret.txt", "/ctx/.dockerignore"} {
				assert.True(t, got[p], "%s must be in the image", p)
			}
			for _, p := range []string{"/ctx/secret.txt", "/ctx/app.log", "/ctx/logs/a.txt", "/ctx/Dockerfile"} {
				assert.False(t, got[p], "%s must be excluded", p)
			}
		})
	}
}

func TestBuildCacheTrace(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	for _, b := range []engine.Builder{engine.BuildKit, engine.Classic} {
		t.Run(string(b), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			lbl := labels(t, e)
			// Unique content so a previous test run's cache cannot answer the first build.
			src := writeTree(t, map[string]string{
				// The first RUN also proves steps get no network: only the loopback interface.
				"Dockerfile": "FROM ddlab/busybox:1\nCOPY deps.txt /deps.txt\nRUN test \"$(ip -o link | grep -vc ' lo:')\" = 0 && cat /deps.txt > /installed\nCOPY code.txt /code.txt\nRUN cat /code.txt > /built && echo step-output-$(cat /built)\n",
				"deps.txt":   uuid.NewString(), "code.txt": "v1",
			})
			build := func() engine.BuildResult {
				res, err := e.Build(ctx, engine.BuildRequest{ContextDir: src, Dockerfile: "Dockerfile", Builder: b, Labels: lbl})
				require.NoError(t, err)
				require.False(t, res.Failed, res.Log)
				return res
			}
			cached := func(res engine.BuildResult, text string) bool {
				for _, s := range res.Steps {
					if strings.Contains(s.Name, text) {
						return s.Cached
					}
				}
				t.Fatalf("no step %q in %v", text, res.Steps)
				return false
			}
			first := build()
			assert.False(t, cached(first, "/installed"), "first build runs the step")
			second := build()
			assert.True(t, cached(second, "/installed"))
			assert.True(t, cached(second, "/built"))
			assert.Equal(t, first.ImageID, second.ImageID)
			require.NoError(t, os.WriteFile(filepath.Join(src, "code.txt"), []byte("v2"), 0o644))
			third := build()
			assert.True(t, cached(third, "/installed"), "deps step survives a code change")
			assert.False(t, cached(third, "/built"), "code step re-runs")
			if b == engine.BuildKit {
				for _, s := range third.Steps {
					if strings.Contains(s.Name, "/built") {
						assert.Contains(t, s.Output, "step-output-v2", "a step's own output is kept with it")
					} else {
						assert.NotContains(t, s.Output, "step-output", s.Name)
					}
				}
			}
		})
	}
}

func TestFailedBuildKeepsLogAndLeavesNothing(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	for _, b := range []engine.Builder{engine.BuildKit, engine.Classic} {
		t.Run(string(b), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			src := writeTree(t, map[string]string{"Dockerfile": "FROM ddlab/busybox:1\nRUN echo about to fail " + uuid.NewString() + " && printf '\\033[31mred\\033[0m\\n' && exit 3\n"})
			// Base images by tag: other tests' images inherit the ddlab.assets label and come
			// and go meanwhile.
			before := baseImageIDs(ctx, t, e)
			res, err := e.Build(ctx, engine.BuildRequest{ContextDir: src, Dockerfile: "Dockerfile", Builder: b, Labels: labels(t, e)})
			require.NoError(t, err)
			assert.True(t, res.Failed)
			assert.Contains(t, res.Error, "3")
			assert.Contains(t, res.Log, "about to fail")
			assert.Equal(t, before, baseImageIDs(ctx, t, e), "a failed build must not remove base images")
		})
	}
}

func TestBuildCancelledWhenTheCallerGivesUp(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	src := writeTree(t, map[string]string{"Dockerfile": "FROM ddlab/busybox:1\nRUN echo " + uuid.NewString() + " && sleep 600\n"})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	_, err := e.Build(ctx, engine.BuildRequest{ContextDir: src, Dockerfile: "Dockerfile", Labels: labels(t, e)})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Less(t, time.Since(start), 30*time.Second)
}

func TestRunEnforcesLimits(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// cgroup v1 paths first, v2 as fallback; NoNewPrivs from the kernel's own view.
	script := `id -u; cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max; ` +
		`cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max; ` +
		`grep NoNewPrivs /proc/self/status; ip -o link 2>/dev/null | grep -vc ' lo:' ; true`
	id, err := e.Run(ctx, engine.RunSpec{Image: "ddlab/busybox:1", Entrypoint: []string{"/bin/sh", "-c", script},
		User: "65534", Labels: labels(t, e), Limits: engine.Limits{MemoryBytes: 64 << 20, Pids: 42}})
	require.NoError(t, err)
	code, err := e.Wait(ctx, id)
	require.NoError(t, err)
	require.Equal(t, 0, code)
	out, err := e.Logs(ctx, id, 4096)
	require.NoError(t, err)
	lines := strings.Fields(out)
	require.GreaterOrEqual(t, len(lines), 5, out)
	assert.Equal(t, "65534", lines[0])
	assert.Equal(t, "42", lines[1], "pids limit")
	assert.Equal(t, "67108864", lines[2], "memory limit")
	assert.Contains(t, out, "NoNewPrivs:\t1")
	assert.Equal(t, "0", lines[len(lines)-1], "network none: loopback only")

	_, err = e.Run(ctx, engine.RunSpec{Image: "ddlab/busybox:1", NetworkMode: "host", Labels: labels(t, e)})
	require.Error(t, err, "host network is refused")
}

func baseImageIDs(ctx context.Context, t *testing.T, e engine.Engine) map[string]string {
	st, err := images.Status(ctx, e)
	require.NoError(t, err)
	ids := map[string]string{}
	for _, p := range st {
		ids[p.Ref] = p.ID
	}
	return ids
}

// TestProcessesFindsTheRealInit: a shell that runs the service as a child is PID 1, whatever
// name the entrypoint has; after `exec`, the service itself is.
func TestProcessesFindsTheRealInit(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tests := []struct {
		name, script, wantInit string
	}{
		{"a shell with a child", "sleep 300; true", "/bin/sh -c sleep 300; true"},
		{"exec replaces the shell", "exec sleep 301", "sleep 301"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			id, err := e.Run(ctx, engine.RunSpec{Image: "ddlab/busybox:1", Entrypoint: []string{"/bin/sh", "-c", tt.script}, Labels: labels(t, e)})
			require.NoError(t, err)
			var ps []engine.Process
			require.Eventually(t, func() bool {
				ps, err = e.Processes(ctx, id)
				return err == nil && len(ps) > 0 && strings.Contains(ps[len(ps)-1].Args, "sleep")
			}, 10*time.Second, 100*time.Millisecond, "%v %v", ps, err)
			c, err := e.InspectContainer(ctx, id)
			require.NoError(t, err)
			init, ok := engine.Init(ps, c.Pid)
			require.True(t, ok, "%v", ps)
			assert.Equal(t, tt.wantInit, init.Args, "%v", ps)
		})
	}
	_, err := e.Processes(ctx, "ddlab-no-such-container")
	require.Error(t, err)
}

// TestCacheScopesIsolateCacheMounts: a cache mount written by one scope's build is not seen
// by another scope's, even under the same id, and is seen again by its own scope's next build.
func TestCacheScopesIsolateCacheMounts(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	lbl := labels(t, e)
	src := writeTree(t, map[string]string{
		"Dockerfile": "FROM ddlab/busybox:1\nARG SEED\nRUN --mount=type=cache,id=shared,target=/c echo \"seen:$(cat /c/mark 2>/dev/null || echo none)\" && echo \"$SEED\" > /c/mark\n",
	})
	mine, theirs := "t-"+uuid.NewString()[:8], "t-"+uuid.NewString()[:8]
	seen := func(scope, seed string) string {
		res, err := e.Build(ctx, engine.BuildRequest{ContextDir: src, Dockerfile: "Dockerfile", Builder: engine.BuildKit, Labels: lbl,
			CacheScope: scope, BuildArgs: map[string]string{"SEED": seed}})
		require.NoError(t, err)
		require.False(t, res.Failed, res.Log)
		for _, s := range res.Steps {
			if strings.Contains(s.Name, "/c/mark") {
				require.False(t, s.Cached, s.Name)
				assert.Contains(t, s.Name, "id="+scope+"/shared", "the id is scoped")
				return strings.TrimSpace(s.Output)
			}
		}
		t.Fatalf("no RUN step in %v", res.Steps)
		return ""
	}
	assert.Equal(t, "seen:none", seen(mine, "a1"))
	assert.Equal(t, "seen:none", seen(theirs, "b1"), "another scope does not read the first one's cache")
	assert.Equal(t, "seen:a1", seen(mine, "a2"), "its own scope's cache stays warm")
	data, err := os.ReadFile(filepath.Join(src, "Dockerfile"))
	require.NoError(t, err)
	assert.NotContains(t, string(data), mine, "the submission's own Dockerfile is left as written")
}
