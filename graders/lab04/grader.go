// Package lab04 grades lab 4, « Cycle de vie et débogage des conteneurs » (docs/labs/lab4.md): the
// student's scripts run lab4-app with a restart policy and limits, which the grader then sees
// at work (a crash, an OOM kill, a manual stop); a diagnosis of ddlab/broken:1 is compared
// with the grader's own run of it; fix.sh repairs it; logs.sh and cleanup.sh are judged on
// what the engine says at the same moment.
package lab04

import (
	"context"
	"net/http"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
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

// Scripted: the submission is shell scripts, run in a private copy.
func (Grader) Scripted() bool { return true }

// Contract names what the student's scripts create; runs of lab 4 on one engine take turns,
// since the names and port 8084 are fixed.
func (Grader) Contract() grader.Contract {
	return grader.Contract{Containers: []string{appName, fixedName}}
}

// Params lists the spec parameters the checks read.
func (Grader) Params() []string {
	return []string{"script-timeout", "app-image", "broken-image", "host-ip", "host-port", "memory", "nano-cpus",
		"pids-limit", "app-mode", "restart-retries", "restart-wait", "oom-mb", "oom-wait", "manual-stop-wait",
		"diagnostic-wait", "database-url", "fixed-wait", "log-requests", "log-lines"}
}

// state is what the checks of one run share: lab4-app's ID once run.sh made it, the engine's
// description, and an HTTP client for the published port.
type state struct {
	run   *grader.Run
	appID string
	info  *engine.Info
	http  *http.Client
}

// Checks lists lab 4's checks in the order they must run: the container's configuration is
// read while it runs, then it crashes, is OOM-killed and is stopped by hand, in that order, so
// that it restarts at most twice under on-failure:3 (docs/labs/lab4.md); the diagnosis, the repair and
// the cleanup come last. The bonuses need the running container, so they come before the crash.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := &state{run: r, http: newHTTPClient()}
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
