package grader

import (
	"context"
	"crypto/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/testenv"
)

func TestScriptEnvironmentAndFailures(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	write("env.sh", `echo "$DOCKER_HOST $LAB $EXTRA $(pwd)"`)
	write("fail.sh", "echo first\necho boom >&2\nexit 4\n")
	write("hang.sh", "sleep 30\n")
	// A remote engine: scripts get its address as it is (no recording proxy).
	remote := &enginefake.Fake{HostValue: "unix:///run/test.sock",
		InfoFn: func(context.Context) (engine.Info, error) { return engine.Info{Remote: true}, nil }}
	r := &Run{Files: dir, Engine: remote, Progress: func(check.Text) {},
		Spec: &lab.Spec{Lab: "lab1", Params: map[string]string{"script-timeout": "1s"}}}
	ctx := context.Background()

	res, err := r.Script(ctx, "env.sh", "EXTRA=x")
	require.NoError(t, err)
	assert.Equal(t, 0, res.ExitCode)
	real, _ := filepath.EvalSymlinks(dir)
	assert.Equal(t, "unix:///run/test.sock lab1 x "+real+"\n", res.Output)

	tests := []struct {
		script   string
		contains string
	}{
		{"fail.sh", "code 4"},
		{"hang.sh", "n'a pas fini en 1s"},
		{"missing.sh", "absent"},
	}
	for _, tt := range tests {
		t.Run(tt.script, func(t *testing.T) {
			res, err := r.Script(ctx, tt.script)
			require.NoError(t, err)
			require.NotEqual(t, 0, res.ExitCode)
			out := ScriptFailed(tt.script, res)
			assert.Equal(t, check.Fail, out.Status)
			assert.Contains(t, out.Message.FR, tt.contains)
		})
	}
	res, _ = r.Script(ctx, "fail.sh")
	assert.Contains(t, ScriptFailed("fail.sh", res).Actual.FR, "boom", "the student sees their own error")
	assert.Equal(t, time.Second, r.ScriptTimeout())

	_, err = (&Run{Spec: r.Spec, Progress: r.Progress}).Script(ctx, "env.sh")
	require.Error(t, err, "a grader whose Meta.Kind is not Scripts has no Files")
}

func TestTailLines(t *testing.T) {
	assert.Equal(t, "a\nb", tailLines("a\nb\n", 5))
	assert.Equal(t, "…\nc\nd", tailLines("a\nb\nc\nd\n", 2))
}

// TestScriptObjectsAreRemoved: on a local engine, scripts reach it through the run's recording
// proxy, and whatever they created, under any name and without labels, goes with the run.
func TestScriptObjectsAreRemoved(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	dir := t.TempDir()
	suffix := strings.ToLower(rand.Text()[:8])
	body := "docker volume create odd-vol-" + suffix + " >/dev/null\n" +
		"docker network create odd-net-" + suffix + " >/dev/null\n" +
		"docker create --network none -v odd-vol-" + suffix + ":/v --name odd-ctr-" + suffix + " ddlab/busybox:1 true >/dev/null\n" +
		"docker create --network none ddlab/busybox:1 true\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s.sh"), []byte(body), 0o644))
	r := &Run{ID: "test-" + suffix, Files: dir, Engine: e, Cleanup: &Cleanup{}, Progress: func(check.Text) {},
		Spec: &lab.Spec{Lab: "lab1", Params: map[string]string{"script-timeout": "60s"}}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	res, err := r.Script(ctx, "s.sh")
	require.NoError(t, err)
	require.Equal(t, 0, res.ExitCode, res.Output)
	unnamed := strings.TrimSpace(res.Stdout)
	_, err = e.InspectContainer(ctx, unnamed)
	require.NoError(t, err, "the script made an unnamed container")

	require.Empty(t, r.Cleanup.Run(ctx))
	for _, gone := range []error{
		func() error { _, err := e.InspectContainer(ctx, "odd-ctr-"+suffix); return err }(),
		func() error { _, err := e.InspectContainer(ctx, unnamed); return err }(),
		func() error { _, err := e.InspectNetwork(ctx, "odd-net-"+suffix); return err }(),
		func() error { _, err := e.InspectVolume(ctx, "odd-vol-"+suffix); return err }(),
	} {
		assert.ErrorIs(t, gone, engine.ErrNotFound)
	}
}

// TestScriptGuardAndSandbox: on a local engine a script runs in bubblewrap (required here), its
// engine requests are recorded, and what the proxy refuses fails the script even when the
// script ignores the error; its own network may be joined, another's may not.
func TestScriptGuardAndSandbox(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	dir := t.TempDir()
	suffix := strings.ToLower(rand.Text()[:8])
	// Another submission's container on the same engine, and the lab's own extra one.
	ctx0, cancel0 := context.WithTimeout(context.Background(), time.Minute)
	defer cancel0()
	foreign, err := e.Create(ctx0, engine.RunSpec{Name: "foreign-" + suffix, Image: "ddlab/busybox:1", Cmd: []string{"true"},
		Labels: map[string]string{"ddlab.lab": "lab8", "ddlab.run": "other-" + suffix}})
	require.NoError(t, err)
	t.Cleanup(func() { _ = e.Remove(context.Background(), engine.Ref{Kind: engine.KindContainer, ID: foreign}) })
	_, err = e.Create(ctx0, engine.RunSpec{Name: "extra-" + suffix, Image: "ddlab/busybox:1", Cmd: []string{"true"},
		Labels: map[string]string{"ddlab.lab": "lab1", "ddlab.run": "test-" + suffix}})
	require.NoError(t, err)
	body := "docker network create own-" + suffix + " >/dev/null\n" +
		"docker rm -f foreign-" + suffix + " || echo foreign-kept\n" +
		"docker rm -f extra-" + suffix + " >/dev/null && echo extra-removed\n" +
		"docker run --rm --network own-" + suffix + " ddlab/busybox:1 true\n" +
		"docker run --rm --privileged ddlab/busybox:1 true || echo refused-as-expected\n" +
		"docker run --rm -v /etc:/h:ro ddlab/busybox:1 true || true\n" +
		"docker run --rm -v \"$PWD\":/lab:ro ddlab/busybox:1 test -e /lab/s.sh\n" +
		"test -e /var/run/docker.sock || echo no-socket\n"
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s.sh"), []byte(body), 0o644))
	r := &Run{ID: "test-" + suffix, Files: dir, Engine: e, Cleanup: &Cleanup{}, Progress: func(check.Text) {}, Sandbox: SandboxRequire,
		Spec: &lab.Spec{Lab: "lab1", Params: map[string]string{"script-timeout": "60s"}}}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	defer func() { assert.Empty(t, r.Cleanup.Run(ctx)) }()
	res, err := r.Script(ctx, "s.sh")
	require.NoError(t, err)
	assert.True(t, res.Sandboxed)
	assert.Equal(t, "bubblewrap", r.ScriptSandbox())
	assert.Contains(t, res.Output, "refused-as-expected")
	assert.Contains(t, res.Output, "no-socket")
	assert.Contains(t, res.Output, "foreign-kept")
	assert.Contains(t, res.Output, "extra-removed", "the lab's labelled container is the script's to remove")
	assert.Equal(t, 1, res.ExitCode, "a refusal fails the script though it exited 0: %s", res.Output)
	require.Len(t, res.Refused, 3, "%v", res.Refused)
	assert.Contains(t, res.Refused[0].FR, "foreign-"+suffix+" n'est ni créé par vos scripts")
	assert.Contains(t, res.Refused[1].FR, "--privileged")
	assert.Contains(t, res.Refused[2].FR, "montage de /etc")
	assert.Contains(t, res.Refused[2].EN, "bind mount of /etc")
	_, err = e.InspectContainer(ctx, foreign)
	assert.NoError(t, err, "another submission's container is still there")
	o := ScriptFailed("s.sh", res)
	assert.Equal(t, check.Fail, o.Status)
	assert.Contains(t, o.Message.FR, "ce que le correcteur refuse")
	assert.Contains(t, o.Message.EN, "what the grader refuses for the host's safety: container foreign-"+suffix)
	assert.NotContains(t, o.Message.EN, "montage", "the English message is wholly English")
	asked, known := Asked(res, regexp.MustCompile(`^POST /networks/create`))
	assert.True(t, known)
	assert.True(t, asked)
}

// TestScriptSandboxRequired: where bubblewrap is missing, "require" refuses to run the script
// (a grading error, not the student's fault) and "auto" runs it on the host and says so.
func TestScriptSandboxRequired(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "s.sh"), []byte("echo hi\n"), 0o644))
	t.Setenv("PATH", "/nonexistent")
	remote := &enginefake.Fake{HostValue: "unix:///run/test.sock",
		InfoFn: func(context.Context) (engine.Info, error) { return engine.Info{Remote: true}, nil }}
	spec := &lab.Spec{Lab: "lab1"}
	req := &Run{Files: dir, Engine: remote, Progress: func(check.Text) {}, Spec: spec, Sandbox: SandboxRequire}
	_, err := req.Script(context.Background(), "s.sh")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "bubblewrap")
	_, again := req.Script(context.Background(), "s.sh")
	assert.Equal(t, err, again, "decided once per run, refusal included")

	r := &Run{Files: dir, Engine: remote, Progress: func(check.Text) {}, Spec: spec, Sandbox: SandboxAuto}
	_, _ = r.Script(context.Background(), "s.sh") // no sh on this PATH either: only the decision matters
	assert.Contains(t, r.ScriptSandbox(), "none: ")
	off := &Run{Files: dir, Engine: remote, Progress: func(check.Text) {}, Spec: spec, Sandbox: SandboxOff}
	_, _ = off.Script(context.Background(), "s.sh")
	assert.Equal(t, "none: --sandbox off", off.ScriptSandbox())
	assert.Empty(t, (&Run{}).ScriptSandbox(), "no script ran")
}
