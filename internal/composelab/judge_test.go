package composelab

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
)

func TestJudgePolicy(t *testing.T) {
	loaded := &compose.Loaded{Project: &types.Project{Services: types.Services{"web": {Name: "web"}, "db": {Name: "db"}}}}
	yaml := []compose.Problem{{File: "compose.yaml", Line: 53, Column: 4, Message: "indentation incorrecte", Syntax: true}}
	refs := []compose.Problem{{File: "compose.yaml", Line: 7, Path: "services.api.env_file", Message: "chemin absolu /etc/passwd refusé"}}
	sock := []compose.Problem{
		{File: "compose.yaml", Line: 9, Path: "services.api.privileged", Message: "privileged est refusé"},
		{File: "compose.yaml", Line: 10, Path: "services.api.volumes[0]", Message: "/var/run/docker.sock est refusé"},
	}
	tests := []struct {
		name          string
		l             *compose.Loaded
		problems, pol []compose.Problem
		want          check.Status
		msg, actual   string
	}{
		{"solution", loaded, nil, nil, check.Pass, "(2 services)", ""},
		{"lab 8 fail-yaml: not YAML, said once by valid", nil, yaml, nil, check.Skip, "voir lab8.valid", ""},
		{"lab 8 fail-env-file: loads no further, for a reason of safety", nil, refs, nil, check.Fail, "Compose ne charge pas le projet : compose.yaml:7", ""},
		{"lab 8 fail-policy: every refusal listed, the first named", loaded, nil, sock, check.Fail, "services.api.privileged", "/var/run/docker.sock"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := JudgePolicy("lab8.valid", tt.l, tt.problems, tt.pol)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
			assert.Contains(t, o.Actual.FR, tt.actual)
		})
	}
	o := JudgePolicy("lab8.valid", loaded, nil, sock)
	assert.Equal(t, "compose.yaml", o.File)
	assert.Equal(t, 9, o.Line, "a refusal points at the first refused key")
	o = JudgePolicy("lab8.valid", nil, yaml, nil)
	assert.Equal(t, "lab8.valid", o.BlockedBy, "one line that names the check to fix")
	o = LoadFailure(yaml)
	assert.Equal(t, "compose.yaml", o.File)
	assert.Equal(t, 53, o.Line, "a file that does not load points at the first problem")
	assert.Equal(t, "syntax", o.Cause, "its own hint")
	assert.Equal(t, "load", LoadFailure(refs).Cause)
}

func TestJudgeBuild(t *testing.T) {
	built := func(svc string, failed bool) compose.Built {
		return compose.Built{Service: svc, Result: engine.BuildResult{Failed: failed, Error: "process \"/bin/sh -c go mod download && false\" did not complete successfully: exit code: 1",
			Log: "#1 ...\n#7 ERROR: exit code: 1\n"}}
	}
	tests := []struct {
		name   string
		builds []compose.Built
		want   check.Status
		msg    string
	}{
		{"nothing to build", nil, check.Pass, "Aucun service à construire"},
		{"solution", []compose.Built{built("api", false), built("web", false)}, check.Pass, "api, web"},
		{"lab 8 fail-build: the last build failed", []compose.Built{built("api", true)}, check.Fail, "La construction du service api échoue : « process"},
		{"lab 13 fail-build: the first service fails, the others are not built", []compose.Built{built("gateway", true)}, check.Fail, "La construction du service gateway échoue"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := JudgeBuild(tt.builds)
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
	assert.Equal(t, check.Same("#1 ...\n#7 ERROR: exit code: 1"), JudgeBuild([]compose.Built{built("api", true)}).Actual, "the log's tail is the actual value")
}

func TestFirstRunning(t *testing.T) {
	tests := []struct {
		name   string
		cs     []engine.Container
		wantID string
		msg    string
	}{
		{"no container", nil, "", "Le service web ne tourne pas."},
		{"only stopped ones: the first says why", []engine.Container{{ID: "a", Status: "exited", ExitCode: 2}, {ID: "b", Status: "created"}}, "", "(exited, code 2)"},
		{"the first running one", []engine.Container{{ID: "a", Status: "exited"}, {ID: "b", Running: true}, {ID: "c", Running: true}}, "b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, o := FirstRunning("web", tt.cs)
			if tt.wantID != "" {
				assert.Nil(t, o)
				assert.Equal(t, tt.wantID, c.ID)
				return
			}
			require.NotNil(t, o)
			assert.Equal(t, check.Fail, o.Status)
			assert.Contains(t, o.Message.FR, tt.msg)
		})
	}
	assert.Contains(t, Unreachable("gateway").Message.FR, "gateway ne tourne pas : impossible de passer par lui")
}

func TestSettle(t *testing.T) {
	n := 0
	o, err := Settle(context.Background(), func(context.Context) (check.Outcome, bool, error) {
		n++
		return check.Passf("ok", "ok"), n == 2, nil
	})
	require.NoError(t, err)
	assert.Equal(t, check.Pass, o.Status)
	assert.Equal(t, 2, n, "judged again until it decides")

	boom := errors.New("boom")
	_, err = Settle(context.Background(), func(context.Context) (check.Outcome, bool, error) { return check.Outcome{}, false, boom })
	assert.ErrorIs(t, err, boom)

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = Settle(ctx, func(context.Context) (check.Outcome, bool, error) { return check.Outcome{}, false, nil })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// TestLabReady: the parameters and the engine's facts are read once, before the first check
// that needs the project; a malformed parameter is the instructor's error, for every check.
func TestLabReady(t *testing.T) {
	infos := 0
	fake := &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) { infos++; return engine.Info{Remote: true}, nil }}
	params := map[string]string{"port": "8088", "scale": "3", "up-timeout": "2m", "health-timeout": "1m", "probe-timeout": "5s", "n": "20"}
	r := &grader.Run{ID: "0123456789abcdef0123", Spec: &lab.Spec{Lab: "lab8", Params: params}, Engine: fake, Files: t.TempDir(),
		Cleanup: &grader.Cleanup{}, Detail: func(string) {}}
	var n int
	l := NewLab(r, func(ps *grader.Values) { n = ps.Int("n") })
	l.Sess.loaded, l.Sess.Loaded = true, &compose.Loaded{Project: &types.Project{Name: "p"}}
	run := l.Ready(func(context.Context) (check.Outcome, error) { return check.Passf("ok", "ok"), nil })
	for range 2 {
		o, err := run(context.Background())
		require.NoError(t, err)
		assert.Equal(t, check.Pass, o.Status)
	}
	assert.Equal(t, 1, infos, "the engine's facts are fetched once")
	assert.Equal(t, 8088, l.Port)
	assert.Equal(t, 3, l.Scale)
	assert.Equal(t, 2*time.Minute, l.UpTimeout)
	assert.Equal(t, time.Minute, l.HealthWait)
	assert.Equal(t, 5*time.Second, l.ProbeTimeout)
	assert.Equal(t, 20, n, "the lab's own parameters")
	assert.True(t, l.Remote)

	params["n"] = "many"
	bad := NewLab(r, func(ps *grader.Values) { ps.Int("n") })
	_, err := bad.Ready(func(context.Context) (check.Outcome, error) { return check.Outcome{}, nil })(context.Background())
	assert.EqualError(t, err, `params.n: "many" is not a non-negative integer`)

	cs := []check.Check{l.Valid("lab8.valid", nil), l.Policy("lab8.policy", "lab8.valid"), l.Build("lab8.build", "lab8.policy"), l.Engine("lab8.e2e", []string{"lab8.policy", "lab8.build"}, nil)}
	assert.Equal(t, []check.Mode{check.Static, check.Static, check.Engine, check.Engine}, []check.Mode{cs[0].Mode, cs[1].Mode, cs[2].Mode, cs[3].Mode})
	assert.Equal(t, []string{"lab8.policy"}, cs[2].Needs)
	assert.Equal(t, []string{"lab8.policy", "lab8.build"}, cs[3].Needs)
}
