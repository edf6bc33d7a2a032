// Package lab01 grades lab 1, « Premiers conteneurs : conteneur ou VM ? » (docs/labs/lab1.md): the
// student's run.sh starts lab1-web, observe.sh reports what a container shares with the host
// (kernel) and what it does not (PID, hostname), cleanup.sh removes the lab's containers.
package lab01

import (
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
)

// webName is the container the contract names; Contract needs it before any spec is read.
const webName = "lab1-web"

// Grader is lab 1's grader.
type Grader struct{}

// New returns lab 1's grader.
func New() Grader { return Grader{} }

// Lab names the lab.
func (Grader) Lab() string { return "lab1" }

// Meta: lab 1 runs the student's scripts; lab1-web has a fixed name and port 8081, so two
// runs on one engine take turns.
func (Grader) Meta() grader.Meta {
	return grader.Meta{
		Kind:      grader.Scripts,
		Exclusive: true,
		Contract:  grader.Contract{Containers: []string{webName}},
		Params: []grader.Param{
			grader.StringParam("image"), grader.PortParam("host-port"), grader.PortParam("app-port"),
			grader.StringParam("greeting"), grader.DurationParam("http-wait"), grader.StringParam("quiz-salt"),
			grader.ListParam("quiz-answers"),
		},
		Fuzz: []string{"FuzzParseKeyValues", "FuzzParseAnswers"},
	}
}

// Checks lists lab 1's checks. Their order is the lab's story and it matters: run.sh twice,
// then what the running lab1-web looks like, then observe.sh, and cleanup.sh last since it
// removes what the others look at. They share one state, filled on first use.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := stateFor(r)
	return []check.Check{
		{ID: "lab1.run", Mode: check.Engine, Run: s.checkRun},
		{ID: "lab1.idempotent", Mode: check.Engine, Run: s.checkIdempotent},
		{ID: "lab1.http", Mode: check.Engine, Run: s.checkHTTP},
		{ID: "lab1.loopback", Mode: check.Engine, Run: s.checkLoopback},
		{ID: "lab1.kernel", Mode: check.Engine, Run: s.observed(judgeKernel)},
		{ID: "lab1.pid", Mode: check.Engine, Run: s.observed(judgePID)},
		{ID: "lab1.hostname", Mode: check.Engine, Run: s.observed(judgeHostname)},
		{ID: "lab1.logs", Mode: check.Engine, Run: s.checkLogs},
		{ID: "lab1.quiz", Mode: check.Static, Run: s.checkQuiz},
		{ID: "lab1.cleanup", Mode: check.Engine, Run: s.checkCleanup},
	}
}
