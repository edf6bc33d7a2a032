// Package lab04 grades lab 4, « Cycle de vie et débogage des conteneurs » (docs/labs/lab4.md): the
// student's scripts run lab4-app with a restart policy and limits, which the grader then sees
// at work (a crash, an OOM kill, a manual stop); a diagnosis of ddlab/broken:1 is compared
// with the grader's own run of it; fix.sh repairs it; logs.sh and cleanup.sh are judged on
// what the engine says at the same moment.
package lab04

import (
	"context"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/scriptlab"
)

// The contract's fixed names (docs/labs/lab4.md).
const (
	appName   = "lab4-app"
	fixedName = "lab4-fixed"
	labLabel  = "ddlab.lab=lab4"
)

// Grader is lab 4's grader.
type Grader struct{}

// New returns lab 4's grader.
func New() Grader { return Grader{} }

// Lab names the lab.
func (Grader) Lab() string { return "lab4" }

// Meta: the submission is shell scripts, run in a private copy. The contract names what they
// create; runs of lab 4 on one engine take turns, since the names and port 8084 are fixed.
func (Grader) Meta() grader.Meta {
	return grader.Meta{
		Kind:      grader.Scripts,
		Exclusive: true,
		Contract:  grader.Contract{Containers: []string{appName, fixedName}},
		Params: []grader.Param{
			grader.StringParam("app-image"), grader.StringParam("broken-image"), grader.StringParam("host-ip"),
			grader.PortParam("host-port"), grader.IntParam("memory", 4<<20, 1<<40), grader.IntParam("nano-cpus", 1e6, 64e9),
			grader.IntParam("pids-limit", 1, 1<<22), grader.StringParam("app-mode"), grader.IntParam("restart-retries", 1, 100),
			grader.DurationParam("restart-wait"), grader.IntParam("oom-mb", 1, 1<<20), grader.DurationParam("oom-wait"),
			grader.DurationParam("manual-stop-wait"), grader.DurationParam("diagnostic-wait"), grader.StringParam("database-url"),
			grader.DurationParam("fixed-wait"), grader.IntParam("log-requests", 1, 10000), grader.IntParam("log-lines", 1, 10000),
		},
		Fuzz: []string{"FuzzParseAnswers", "FuzzJudgeLogs", "FuzzParseStatsLimit"},
	}
}

// state is what the checks of one run share: lab4-app's ID once run.sh made it, the engine's
// description, and an HTTP client for the published port.
type state struct {
	run   *grader.Run
	appID string
	kit   *scriptlab.Session
	http  *scriptlab.Client
}

// Checks lists lab 4's checks in the order they must run: the container's configuration is
// read while it runs, then it crashes, is OOM-killed and is stopped by hand, in that order, so
// that it restarts at most twice under on-failure:3 (docs/labs/lab4.md); the diagnosis, the repair and
// the cleanup come last. The bonuses need the running container, so they come before the crash.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := stateFor(r)
	return []check.Check{
		{ID: "lab4.run", Mode: check.Engine, Run: s.checkRun},
		// The checks below need lab4-app, not a passing lab4.run: a run.sh that cannot be
		// replayed still leaves a container whose configuration deserves grading.
		{ID: "lab4.limits", Mode: check.Engine, Run: s.withApp(s.checkLimits)},
		{ID: "lab4.port", Mode: check.Engine, Run: s.withApp(s.checkPort)},
		{ID: "lab4.env", Mode: check.Engine, Run: s.withApp(s.checkEnv)},
		{ID: "lab4.logs", Mode: check.Engine, Run: s.withApp(s.checkLogs)},
		{ID: "lab4.ip", Mode: check.Engine, Run: s.withApp(s.checkIP)},
		{ID: "lab4.stats", Mode: check.Engine, Run: s.withApp(s.checkStats)},
		{ID: "lab4.restart", Mode: check.Engine, Run: s.withApp(s.checkRestart)},
		{ID: "lab4.oom", Mode: check.Engine, Run: s.withApp(s.checkOOM)},
		{ID: "lab4.manual-stop", Mode: check.Engine, Run: s.withApp(s.checkManualStop)},
		{ID: "lab4.diagnostic", Mode: check.Engine, Run: s.checkDiagnostic},
		{ID: "lab4.fixed", Mode: check.Engine, Run: s.checkFixed},
		{ID: "lab4.cleanup", Mode: check.Engine, Run: s.checkCleanup},
	}
}

// withApp skips run when run.sh made no lab4-app at all.
func (s *state) withApp(run func(context.Context) (check.Outcome, error)) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		if s.appID == "" {
			return check.Skipf("Non évalué : run.sh n'a pas créé lab4-app (voir lab4.run).",
				"Not evaluated: run.sh did not create lab4-app (see lab4.run)."), nil
		}
		return run(ctx)
	}
}
