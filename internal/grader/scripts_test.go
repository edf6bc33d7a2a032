package grader

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/lab"
)

func TestScriptEnvironmentAndFailures(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644))
	}
	write("env.sh", `echo "$DOCKER_HOST $LAB $EXTRA $(pwd)"`)
	write("fail.sh", "echo first\necho boom >&2\nexit 4\n")
	write("hang.sh", "sleep 30\n")
	r := &Run{Files: dir, Engine: &enginefake.Fake{HostValue: "unix:///run/test.sock"}, Progress: func(string) {},
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
	assert.Contains(t, ScriptFailed("fail.sh", res).Actual, "boom", "the student sees their own error")
	assert.Equal(t, time.Second, r.ScriptTimeout())

	_, err = (&Run{Spec: r.Spec, Progress: r.Progress}).Script(ctx, "env.sh")
	require.Error(t, err, "a grader that is not Scripted has no Files")
}

func TestTailLines(t *testing.T) {
	assert.Equal(t, "a\nb", tailLines("a\nb\n", 5))
	assert.Equal(t, "…\nc\nd", tailLines("a\nb\nc\nd\n", 2))
}
