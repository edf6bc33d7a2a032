package ci

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

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/testenv"
)

// TestImage builds the grader's container image from the repository's Dockerfile through the
// engine adapter, offline, and runs `grade list` in it, as a CI runner does with it.
func TestImage(t *testing.T) {
	needBinary(t)
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()

	// The context .dockerignore leaves: the Dockerfile and the static binary.
	ignore, err := os.ReadFile("../.dockerignore")
	require.NoError(t, err)
	var patterns []string
	for _, l := range strings.Split(string(ignore), "\n") {
		if l = strings.TrimSpace(l); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	require.Equal(t, []string{"*", "!bin/grade-static"}, patterns, "the test's context is the one .dockerignore leaves")
	dir := t.TempDir()
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "bin"), 0o755))
	static, err := os.ReadFile(filepath.Join(bin, "grade"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "bin", "grade-static"), static, 0o755))
	df, err := os.ReadFile("../Dockerfile")
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644))

	run := uuid.NewString()
	labels := map[string]string{"ddlab.run": run, "ddlab.test": "ci-image"}
	tag := "ddlab/grade:test-" + run[:8]
	t.Cleanup(func() {
		cctx, ccancel := context.WithTimeout(context.Background(), time.Minute)
		defer ccancel()
		refs, _ := e.List(cctx, "ddlab.run="+run)
		for _, r := range refs {
			if r.Kind == engine.KindContainer {
				assert.NoError(t, e.Remove(cctx, r))
			}
		}
		assert.NoError(t, e.Remove(cctx, engine.Ref{Kind: engine.KindImage, ID: tag}))
	})
	res, err := e.Build(ctx, engine.BuildRequest{ContextDir: dir, Dockerfile: "Dockerfile", Tag: tag, Labels: labels})
	require.NoError(t, err)
	require.False(t, res.Failed, "build: %s\n%s", res.Error, res.Log)

	id, err := e.Run(ctx, engine.RunSpec{Image: tag, Cmd: []string{"grade", "list", "--lang", "en"}, Labels: labels, NetworkMode: "none"})
	require.NoError(t, err)
	code, err := e.Wait(ctx, id)
	require.NoError(t, err)
	logs, err := e.Logs(ctx, id, 1<<20)
	require.NoError(t, err)
	assert.Equal(t, 0, code, logs)
	assert.Contains(t, logs, "lab5")
	// A shell for CI job scripts (GitLab and GitHub run them with sh).
	id, err = e.Run(ctx, engine.RunSpec{Image: tag, Cmd: []string{"sh", "-c", "grade --version && echo shell-ok"}, Labels: labels, NetworkMode: "none"})
	require.NoError(t, err)
	code, err = e.Wait(ctx, id)
	require.NoError(t, err)
	logs, err = e.Logs(ctx, id, 1<<20)
	require.NoError(t, err)
	assert.Equal(t, 0, code, logs)
	assert.Contains(t, logs, "shell-ok")
}
