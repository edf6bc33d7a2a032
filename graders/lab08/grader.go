// Package lab08 grades lab 8, « Docker Compose : une application multi-conteneurs » (docs/labs/lab8.md):
// the student's compose.yaml runs web (the gateway), api (built from ./api) and db (the kv
// store) on two networks. The grader loads it with compose-go, builds api itself, starts the
// project on the embedded Compose engine under a name of its own, then observes start order,
// segmentation, the data path, persistence across down/up, interpolation from .env, and the
// bonuses (scale, dev override, profiles).
package lab08

import (
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/grader"
)

// The contract's services (docs/labs/lab8.md).
const (
	web = "web"
	api = "api"
	db  = "db"
)

// Grader is lab 8's grader.
type Grader struct{}

// New returns lab 8's grader.
func New() Grader { return Grader{} }

// Lab names the lab.
func (Grader) Lab() string { return "lab8" }

// Meta: the grader runs the student's Compose project; it publishes host port 8088, so two
// runs take turns.
func (Grader) Meta() grader.Meta {
	return composelab.Meta(grader.IntParam("scale-requests", 1, 10000), grader.StringParam("greeting"),
		grader.StringParam("greeting-override"))
}

// Checks lists lab 8's checks: what the files say, then the running project, then the
// checks that take it down and up again, last.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := &state{}
	s.Lab = composelab.NewLab(r, func(ps *grader.Values) { s.requests = ps.Int("scale-requests") })
	const policy, build = "lab8.policy", "lab8.build"
	running := []string{policy, build}
	return []check.Check{
		s.Valid("lab8.valid", judgeValid),
		s.Policy(policy, "lab8.valid"),
		s.Engine("lab8.offline-images", []string{policy}, s.checkOfflineImages),
		s.Build(build, policy),
		s.Engine("lab8.up-healthy", running, s.checkUpHealthy),
		s.Engine("lab8.depends-healthy", running, s.checkDependsHealthy),
		s.Engine("lab8.segmentation", running, s.checkSegmentation),
		s.Engine("lab8.ports", running, s.checkPorts),
		s.Engine("lab8.e2e", running, s.checkE2E),
		s.Engine("lab8.restart", running, s.checkRestart),
		s.Engine("lab8.persistence", running, s.checkPersistence),
		s.Engine("lab8.env", running, s.checkEnv),
		s.Engine("lab8.scale", running, s.checkScale),
		s.Engine("lab8.dev-override", running, s.checkDevOverride),
		s.Engine("lab8.profiles", running, s.checkProfiles),
	}
}

// state is what lab 8's checks share for one run: the Compose lab skeleton, and what is
// lab 8's own.
type state struct {
	*composelab.Lab

	requests int    // param scale-requests
	item     string // the item e2e created, that persistence looks for
}
