// Package lab08 grades lab 8, « Docker Compose : une application multi-conteneurs » (labs.md
// §9): the student's compose.yaml runs web (the gateway), api (built from ./api) and db (the kv
// store) on two networks. The grader loads it with compose-go, builds api itself, starts the
// project on the embedded Compose engine under a name of its own, then observes start order,
// segmentation, the data path, persistence across down/up, interpolation from .env, and the
// bonuses (scale, dev override, profiles).
package lab08

import (
	"context"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/grader"
)

// The contract's services (labs.md §9).
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

// Composed: the grader runs the student's Compose project.
func (Grader) Composed() bool { return true }

// Contract: the project publishes a fixed host port (8088), so two runs take turns.
func (Grader) Contract() grader.Contract { return grader.Contract{} }

// Params lists the spec parameters the checks read.
func (Grader) Params() []string {
	return []string{"port", "up-timeout", "health-timeout", "scale", "scale-requests", "greeting",
		"greeting-override", "probe-image", "probe-timeout"}
}

// Checks lists lab 8's checks: what the files say, then the running project, then the
// checks that take it down and up again, last.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := &state{run: r, sess: composelab.New(r, compose.Allow{})}
	const policy, build, up = "lab8.policy", "lab8.build", "lab8.up-healthy"
	running := []string{policy, build}
	engineCheck := func(id string, run func(context.Context) (check.Outcome, error)) check.Check {
		return check.Check{ID: id, Mode: check.Engine, Needs: running, Run: s.ready(run)}
	}
	return []check.Check{
		{ID: "lab8.valid", Mode: check.Static, Run: s.sess.CheckValid(judgeValid)},
		{ID: policy, Mode: check.Static, Run: s.sess.CheckPolicy},
		{ID: "lab8.offline-images", Mode: check.Engine, Needs: []string{policy}, Run: s.ready(s.checkOfflineImages)},
		{ID: build, Mode: check.Engine, Needs: []string{policy}, Run: s.ready(s.sess.CheckBuild)},
		engineCheck(up, s.checkUpHealthy),
		engineCheck("lab8.depends-healthy", s.checkDependsHealthy),
		engineCheck("lab8.segmentation", s.checkSegmentation),
		engineCheck("lab8.ports", s.checkPorts),
		engineCheck("lab8.e2e", s.checkE2E),
		engineCheck("lab8.restart", s.checkRestart),
		engineCheck("lab8.persistence", s.checkPersistence),
		engineCheck("lab8.env", s.checkEnv),
		engineCheck("lab8.scale", s.checkScale),
		engineCheck("lab8.dev-override", s.checkDevOverride),
		engineCheck("lab8.profiles", s.checkProfiles),
	}
}

// state is what lab 8's checks share for one run.
type state struct {
	run  *grader.Run
	sess *composelab.Session

	params       bool
	port         int
	upTimeout    time.Duration
	healthWait   time.Duration
	probeTimeout time.Duration
	scale        int
	requests     int
	remote       bool
	item         string // the item e2e created, that persistence looks for
}

func (s *state) param(key string) string { return s.run.Spec.Params[key] }

// ready reads the parameters once, loads the project and starts it before the first check
// that observes it.
func (s *state) ready(run func(context.Context) (check.Outcome, error)) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		if !s.params {
			if err := s.readParams(ctx); err != nil {
				return check.Outcome{}, err
			}
		}
		if err := s.sess.Load(ctx); err != nil {
			return check.Outcome{}, err
		}
		return run(ctx)
	}
}

func (s *state) readParams(ctx context.Context) error {
	ps := composelab.Params{Values: s.run.Spec.Params}
	s.upTimeout, s.healthWait, s.probeTimeout = ps.Duration("up-timeout"), ps.Duration("health-timeout"), ps.Duration("probe-timeout")
	s.port, s.scale, s.requests = ps.Int("port"), ps.Int("scale"), ps.Int("scale-requests")
	if ps.Err != nil {
		return ps.Err
	}
	info, err := s.run.Engine.Info(ctx)
	if err != nil {
		return err
	}
	s.remote, s.params = info.Remote, true
	return nil
}

// started brings the project up once (with the health wait) for the checks that observe it.
func (s *state) started(ctx context.Context) error {
	return s.sess.Up(ctx, s.upTimeout, s.healthWait)
}
