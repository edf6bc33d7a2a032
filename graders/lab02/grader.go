// Package lab02 grades lab 2, « Parler au démon : le CLI n'est qu'un client » (docs/labs/lab2.md):
// the student drives the engine with curl against DOCKER_API_URL, a recording proxy the
// grader puts in front of the engine (internal/apiproxy), then with the docker CLI pointed at
// the same proxy, and reads the runtime stack, the logs stream and the events stream.
package lab02

import (
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
)

// The contract's fixed names.
const (
	apiName  = "lab2-api"
	cliName  = "lab2-cli"
	labLabel = "ddlab.lab=lab2"
	logFile  = "out/lab2-api.log"
)

// Grader is lab 2's grader.
type Grader struct{}

// New returns lab 2's grader.
func New() Grader { return Grader{} }

// Lab names the lab.
func (Grader) Lab() string { return "lab2" }

// Meta: lab 2 is graded by running the student's scripts; the contract names what they
// create, so runs take turns and start from a clean engine.
func (Grader) Meta() grader.Meta {
	return grader.Meta{
		Kind:      grader.Scripts,
		Exclusive: true,
		Contract:  grader.Contract{Containers: []string{apiName, cliName}},
		Params:    []grader.Param{grader.PortParam("port"), grader.StringParam("greeting"), grader.DurationParam("startup-wait")},
		Fuzz:      []string{"FuzzParseKV", "FuzzEventActions"},
	}
}

// Checks lists lab 2's checks in the order the student reads them. api.sh, cli.sh, info.sh
// and cleanup.sh each run once, on first use; cleanup comes after every check that needs the
// containers, and the events bonus runs its own container lifecycle afterwards.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := stateFor(r)
	return []check.Check{
		{ID: "lab2.api-create", Mode: check.Engine, Run: s.checkAPICreate},
		{ID: "lab2.api-container", Mode: check.Engine, Run: s.checkAPIContainer},
		{ID: "lab2.api-only", Mode: check.Engine, Run: s.checkAPIOnly},
		{ID: "lab2.logs", Mode: check.Engine, Run: s.checkLogs},
		{ID: "lab2.cli-via-api", Mode: check.Engine, Run: s.checkCLI},
		{ID: "lab2.info", Mode: check.Engine, Run: s.checkInfo},
		{ID: "lab2.cleanup", Mode: check.Engine, Run: s.checkCleanup},
		{ID: "lab2.events", Mode: check.Engine, Run: s.checkEvents},
		{ID: "lab2.negotiate", Mode: check.Engine, Run: s.checkNegotiate},
	}
}
