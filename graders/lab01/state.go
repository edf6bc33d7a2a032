package lab01

import (
	"context"
	"errors"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/scriptlab"
)

// state is what lab 1's checks share for one run. Each student script runs at most as often
// as the checks need it: run.sh twice, observe.sh and cleanup.sh once.
type state struct {
	run     *grader.Run
	kit     *scriptlab.Session
	first   *scriptRun // run.sh, first time
	second  *scriptRun // run.sh again, only when the first succeeded
	firstID string     // lab1-web after the first run.sh, to tell a re-creation from a kept one
	obs     *observation
}

// stateFor starts lab 1's state for a run.
func stateFor(r *grader.Run) *state {
	return &state{run: r, kit: scriptlab.New(r)}
}

// scriptRun is one run of a student script and, when it failed, the verdict that says so.
type scriptRun = scriptlab.ScriptRun

func (s *state) firstRun(ctx context.Context) (*scriptRun, error) {
	if s.first == nil {
		sr, err := s.kit.Script(ctx, "run.sh")
		if err != nil {
			return nil, err
		}
		s.first = sr
	}
	return s.first, nil
}

// runs makes sure run.sh ran as the contract says (twice, the second time only if the
// first succeeded), for the checks that look at what it left.
func (s *state) runs(ctx context.Context) error {
	first, err := s.firstRun(ctx)
	if err != nil || first.Fail != nil || s.second != nil {
		return err
	}
	s.second, err = s.kit.Script(ctx, "run.sh")
	return err
}

// web inspects lab1-web; found is false when there is no such container.
func (s *state) web(ctx context.Context) (c engine.Container, found bool, err error) {
	c, err = s.run.Engine.InspectContainer(ctx, webName)
	if errors.Is(err, engine.ErrNotFound) {
		return c, false, nil
	}
	return c, err == nil, err
}

// remoteSkip is the verdict of checks that dial 127.0.0.1 from the grader's host, when the
// engine runs elsewhere: the environment's limit, not the student's fault.
func remoteSkip(host string) check.Outcome {
	return check.RemoteSkip(host, "le correcteur ne peut pas joindre son 127.0.0.1.", "the grader cannot reach its 127.0.0.1.")
}
