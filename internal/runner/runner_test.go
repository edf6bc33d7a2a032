package runner_test

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/runner"
)

type fakeGrader struct{ checks []check.Check }

func (fakeGrader) Lab() string                        { return "lab9" }
func (g fakeGrader) Checks(*grader.Run) []check.Check { return g.checks }

func pass(context.Context) (check.Outcome, error) { return check.Passf("ok", "ok"), nil }
func fail(context.Context) (check.Outcome, error) { return check.Failf("non", "no"), nil }

func spec(kinds map[string]string, points map[string]float64) *lab.Spec {
	s := &lab.Spec{Lab: "lab9", Title: check.Text{FR: "t", EN: "t"}, Timeout: lab.Duration(time.Minute), BonusCap: 5}
	for _, id := range []string{"lab9.a", "lab9.b", "lab9.c"} {
		if k, ok := kinds[id]; ok {
			s.Checks = append(s.Checks, lab.CheckSpec{ID: id, Kind: k, Points: points[id],
				Title: check.Text{FR: id, EN: id}, Hint: check.Text{FR: "indice", EN: "hint"}, Timeout: lab.Duration(time.Second)})
		}
	}
	return s
}

func TestGrade(t *testing.T) {
	req3 := map[string]string{"lab9.a": lab.Required, "lab9.b": lab.Required, "lab9.c": lab.Bonus}
	pts := map[string]float64{"lab9.a": 60, "lab9.b": 40, "lab9.c": 10}
	tests := []struct {
		name       string
		checks     []check.Check
		engine     bool
		opts       runner.Options
		wantStatus []check.Status
		wantScore  float64
		wantBonus  float64 // within wantScore, after the cap
		wantMax    float64
		wantPassed bool
		wantMsg    string // in the last result
	}{
		{
			name:       "all pass, bonus capped",
			checks:     []check.Check{{ID: "lab9.a", Mode: check.Static, Run: pass}, {ID: "lab9.b", Mode: check.Static, Run: pass}, {ID: "lab9.c", Mode: check.Static, Run: pass}},
			wantStatus: []check.Status{check.Pass, check.Pass, check.Pass},
			wantScore:  105, wantBonus: 5, wantMax: 100, wantPassed: true,
		},
		{
			name:       "failed prerequisite skips dependants, points lost",
			checks:     []check.Check{{ID: "lab9.a", Mode: check.Static, Run: fail}, {ID: "lab9.b", Mode: check.Static, Needs: []string{"lab9.a"}, Run: pass}},
			wantStatus: []check.Status{check.Fail, check.Skip},
			wantScore:  0, wantMax: 100, wantPassed: false,
			wantMsg: "lab9.a",
		},
		{
			name:       "no engine is an error, not a failure",
			checks:     []check.Check{{ID: "lab9.a", Mode: check.Static, Run: pass}, {ID: "lab9.b", Mode: check.Engine, Run: pass}},
			wantStatus: []check.Status{check.Pass, check.Error},
			wantScore:  60, wantMax: 100, wantPassed: false,
			wantMsg: "moteur Docker est injoignable",
		},
		{
			name:       "static mode excludes engine checks from the denominator",
			checks:     []check.Check{{ID: "lab9.a", Mode: check.Static, Run: pass}, {ID: "lab9.b", Mode: check.Engine, Run: pass}},
			opts:       runner.Options{Static: true},
			wantStatus: []check.Status{check.Pass, check.Skip},
			wantScore:  60, wantMax: 60, wantPassed: true,
		},
		{
			name:       "static mode with nothing required evaluated is not a pass",
			checks:     []check.Check{{ID: "lab9.c", Mode: check.Static, Run: pass}, {ID: "lab9.a", Mode: check.Engine, Run: pass}},
			opts:       runner.Options{Static: true},
			wantStatus: []check.Status{check.Pass, check.Skip},
			wantScore:  5, wantBonus: 5, wantMax: 0, wantPassed: false,
		},
		{
			name:       "strict counts environment skips as failures",
			checks:     []check.Check{{ID: "lab9.a", Mode: check.Static, Run: pass}, {ID: "lab9.b", Mode: check.Engine, Run: pass}},
			opts:       runner.Options{Static: true, Strict: true},
			wantStatus: []check.Status{check.Pass, check.Skip},
			wantScore:  60, wantMax: 100, wantPassed: false,
		},
		{
			name: "a panicking check is an error and the run goes on",
			checks: []check.Check{
				{ID: "lab9.a", Mode: check.Static, Run: func(context.Context) (check.Outcome, error) { panic("boom") }},
				{ID: "lab9.b", Mode: check.Static, Run: pass},
			},
			wantStatus: []check.Status{check.Error, check.Pass},
			wantScore:  40, wantMax: 100, wantPassed: false,
		},
		{
			name: "a check past its timeout is an error",
			checks: []check.Check{{ID: "lab9.a", Mode: check.Static, Run: func(ctx context.Context) (check.Outcome, error) {
				<-ctx.Done()
				return check.Outcome{}, ctx.Err()
			}}},
			wantStatus: []check.Status{check.Error},
			wantMax:    60,
			wantMsg:    "délai",
		},
		{
			name: "engine unavailable during a check",
			checks: []check.Check{{ID: "lab9.a", Mode: check.Engine, Run: func(context.Context) (check.Outcome, error) {
				return check.Outcome{}, fmt.Errorf("build: %w", engine.ErrUnavailable)
			}}},
			engine:     true,
			wantStatus: []check.Status{check.Error},
			wantMax:    60,
			wantMsg:    "injoignable",
		},
		{
			name:       "a check with no verdict is a grader bug",
			checks:     []check.Check{{ID: "lab9.a", Mode: check.Static, Run: func(context.Context) (check.Outcome, error) { return check.Outcome{}, nil }}},
			wantStatus: []check.Status{check.Error},
			wantMax:    60,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &grader.Run{ID: "0123456789abcdef", Spec: spec(req3, pts), Cleanup: &grader.Cleanup{},
				Progress: func(check.Text) {}, Detail: func(string) {}}
			if tt.engine {
				r.Engine = &enginefake.Fake{}
			} else {
				r.EngineErr = engine.ErrUnavailable
			}
			tt.opts.Lang = "fr"
			rep, err := runner.Grade(context.Background(), r, fakeGrader{tt.checks}, tt.opts)
			require.NoError(t, err)
			var got []check.Status
			for _, res := range rep.Results {
				got = append(got, res.Status)
			}
			assert.Equal(t, tt.wantStatus, got)
			assert.Equal(t, tt.wantScore, rep.Score)
			assert.Equal(t, tt.wantBonus, rep.Bonus)
			assert.Equal(t, tt.wantMax, rep.MaxScore)
			assert.Equal(t, tt.wantPassed, rep.Passed)
			if tt.wantMsg != "" {
				last := rep.Results[len(rep.Results)-1]
				assert.Contains(t, last.Message+last.Actual, tt.wantMsg)
			}
			for _, res := range rep.Results {
				if res.Status == check.Fail {
					assert.Equal(t, "indice", res.Hint, "failures carry the spec's hint")
				}
			}
		})
	}
}

func TestGradeInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	checks := []check.Check{
		{ID: "lab9.a", Mode: check.Static, Run: func(context.Context) (check.Outcome, error) { cancel(); return check.Passf("ok", "ok"), nil }},
		{ID: "lab9.b", Mode: check.Static, Run: pass},
	}
	r := &grader.Run{ID: "0123456789abcdef", Spec: spec(map[string]string{"lab9.a": lab.Required, "lab9.b": lab.Required},
		map[string]float64{"lab9.a": 50, "lab9.b": 50}), Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {}}
	rep, err := runner.Grade(ctx, r, fakeGrader{checks}, runner.Options{Lang: "en"})
	require.True(t, errors.Is(err, context.Canceled))
	require.Len(t, rep.Results, 2, "the report stays complete")
	assert.Equal(t, check.Error, rep.Results[1].Status)
	assert.Contains(t, rep.Results[1].Message, "interrupted")
}

func TestUnknownCheckIsASpecError(t *testing.T) {
	r := &grader.Run{ID: "0123456789abcdef", Spec: spec(map[string]string{"lab9.a": lab.Required}, map[string]float64{"lab9.a": 100}),
		Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {}}
	_, err := runner.Grade(context.Background(), r, fakeGrader{[]check.Check{{ID: "lab9.zz", Mode: check.Static, Run: pass}}}, runner.Options{})
	require.ErrorContains(t, err, "lab9.zz")
}

// A check that ignores its context ends at its timeout, and the runner runs nothing of the
// lab beside it: the checks after it are errors, never run while it may still touch the state
// they share.
func TestStuckCheckStopsTheRun(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	var shared atomic.Int32 // the state the lab's checks share
	checks := []check.Check{
		{ID: "lab9.a", Mode: check.Static, Run: func(context.Context) (check.Outcome, error) {
			<-release // ignores its context, as a hung library call would
			shared.Add(1)
			return check.Passf("ok", "ok"), nil
		}},
		{ID: "lab9.b", Mode: check.Static, Run: func(context.Context) (check.Outcome, error) {
			shared.Add(10)
			return check.Passf("ok", "ok"), nil
		}},
		{ID: "lab9.c", Mode: check.Static, Run: pass},
	}
	r := &grader.Run{ID: "0123456789abcdef", Spec: spec(req3(), pts3()), Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {}}
	start := time.Now()
	rep, err := runner.Grade(context.Background(), r, fakeGrader{checks}, runner.Options{Lang: "fr", Grace: 100 * time.Millisecond})
	require.NoError(t, err)
	assert.Less(t, time.Since(start), 5*time.Second, "bounded: the lab does not wait for the stuck check")
	assert.Equal(t, []check.Status{check.Error, check.Error, check.Error},
		[]check.Status{rep.Results[0].Status, rep.Results[1].Status, rep.Results[2].Status})
	assert.Contains(t, rep.Results[0].Message, "dépassé son délai")
	assert.Contains(t, rep.Results[1].Message, "lab9.a tourne encore")
	assert.Zero(t, shared.Load(), "no check ran beside the stuck one")
}

// A check that honours its context within the grace period does not stop the run.
func TestCheckThatStopsInGraceLetsTheRunGoOn(t *testing.T) {
	checks := []check.Check{
		{ID: "lab9.a", Mode: check.Static, Run: func(ctx context.Context) (check.Outcome, error) {
			<-ctx.Done()
			return check.Outcome{}, ctx.Err()
		}},
		{ID: "lab9.b", Mode: check.Static, Run: pass},
	}
	r := &grader.Run{ID: "0123456789abcdef", Spec: spec(map[string]string{"lab9.a": lab.Required, "lab9.b": lab.Required},
		map[string]float64{"lab9.a": 50, "lab9.b": 50}), Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {}}
	rep, err := runner.Grade(context.Background(), r, fakeGrader{checks}, runner.Options{Lang: "fr", Grace: 5 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, check.Error, rep.Results[0].Status)
	assert.Contains(t, rep.Results[0].Message, "dépassé son délai")
	assert.Equal(t, check.Pass, rep.Results[1].Status)
}

func TestLabDeadline(t *testing.T) {
	checks := []check.Check{
		{ID: "lab9.a", Mode: check.Engine, Run: func(ctx context.Context) (check.Outcome, error) {
			<-ctx.Done() // a slow build eats the lab's time
			return check.Outcome{}, ctx.Err()
		}},
		{ID: "lab9.b", Mode: check.Static, Run: pass},
		{ID: "lab9.c", Mode: check.Engine, Run: pass},
	}
	s := spec(req3(), pts3())
	s.Timeout = lab.Duration(200 * time.Millisecond)
	for i := range s.Checks {
		s.Checks[i].Timeout = lab.Duration(time.Minute)
	}
	r := &grader.Run{ID: "0123456789abcdef", Spec: s, Engine: &enginefake.Fake{}, Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {}}
	rep, err := runner.Grade(context.Background(), r, fakeGrader{checks}, runner.Options{Lang: "fr"})
	require.NoError(t, err, "the lab's own deadline is not an interruption")
	assert.Equal(t, []check.Status{check.Fail, check.Pass, check.Fail},
		[]check.Status{rep.Results[0].Status, rep.Results[1].Status, rep.Results[2].Status})
	assert.Contains(t, rep.Results[2].Message, "délai global")
}

func req3() map[string]string {
	return map[string]string{"lab9.a": lab.Required, "lab9.b": lab.Required, "lab9.c": lab.Bonus}
}

func pts3() map[string]float64 { return map[string]float64{"lab9.a": 60, "lab9.b": 40, "lab9.c": 10} }

func TestLateVerdictWithinGraceWins(t *testing.T) {
	checks := []check.Check{{ID: "lab9.a", Mode: check.Static, Run: func(ctx context.Context) (check.Outcome, error) {
		<-ctx.Done()
		time.Sleep(50 * time.Millisecond) // e.g. cancelling a build in the daemon
		return check.Failf("le build n'a pas fini", "the build did not finish"), nil
	}}}
	r := &grader.Run{ID: "0123456789abcdef", Spec: spec(map[string]string{"lab9.a": lab.Required}, map[string]float64{"lab9.a": 100}),
		Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {}}
	rep, err := runner.Grade(context.Background(), r, fakeGrader{checks}, runner.Options{Lang: "fr", Grace: 5 * time.Second})
	require.NoError(t, err)
	assert.Equal(t, check.Fail, rep.Results[0].Status)
}

// TestPrivatePathsHidden: a message that names the grader's private copy of the submission
// reads "./…" in the report, and the copy itself ".".
func TestPrivatePathsHidden(t *testing.T) {
	priv := t.TempDir()
	leaky := func(context.Context) (check.Outcome, error) {
		o := check.Failf("%s/Dockerfile est illisible : open %s/Dockerfile: permission denied (dans %s)",
			"%s/Dockerfile is unreadable: open %s/Dockerfile (in %s)", priv, priv, priv)
		o.Actual = check.Same("cat " + priv + "/app/main.go")
		return o, nil
	}
	r := &grader.Run{ID: "0d6c4b7e-6f0a-4c5e-9a43-1b2c3d4e5f60", Spec: spec(map[string]string{"lab9.a": "required"}, map[string]float64{"lab9.a": 1}),
		Dir: priv, Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {}}
	rep, err := runner.Grade(context.Background(), r, fakeGrader{checks: []check.Check{{ID: "lab9.a", Mode: check.Static, Run: leaky}}}, runner.Options{Lang: "fr", Static: true})
	require.NoError(t, err)
	require.Len(t, rep.Results, 1)
	res := rep.Results[0]
	assert.Equal(t, "./Dockerfile est illisible\u00a0: open ./Dockerfile: permission denied (dans .)", res.Message)
	assert.Equal(t, "cat ./app/main.go", res.Actual)
	assert.NotContains(t, res.Message+res.Actual, priv)
}
