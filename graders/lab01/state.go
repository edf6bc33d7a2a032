package lab01

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/script"
)

// state is what lab 1's checks share for one run. Each student script runs at most as often
// as the checks need it: run.sh twice, observe.sh and cleanup.sh once.
type state struct {
	run     *grader.Run
	info    *engine.Info
	first   *scriptRun // run.sh, first time
	second  *scriptRun // run.sh again, only when the first succeeded
	firstID string     // lab1-web after the first run.sh, to tell a re-creation from a kept one
	obs     *observation
}

// scriptRun is one run of a student script and, when it failed, the verdict that says so.
type scriptRun struct {
	res  script.Result
	fail *check.Outcome
}

// script runs name once. A script the submission copy refused (a link leaving the folder…)
// fails with the copy's reason rather than "missing".
func (s *state) script(ctx context.Context, name string) (*scriptRun, error) {
	for _, p := range s.run.Refused {
		if p.Path == name {
			o := check.Outcome{Status: check.Fail, Message: check.Text{
				FR: fmt.Sprintf("%s est refusé : %s", name, p.Message.FR),
				EN: fmt.Sprintf("%s is refused: %s", name, p.Message.EN)}}
			return &scriptRun{fail: &o}, nil
		}
	}
	res, err := s.run.Script(ctx, name)
	if err != nil {
		return nil, err
	}
	sr := &scriptRun{res: res}
	if res.TimedOut || res.ExitCode != 0 {
		o := grader.ScriptFailed(name, res)
		sr.fail = &o
	}
	return sr, nil
}

func (s *state) firstRun(ctx context.Context) (*scriptRun, error) {
	if s.first == nil {
		sr, err := s.script(ctx, "run.sh")
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
	if err != nil || first.fail != nil || s.second != nil {
		return err
	}
	s.second, err = s.script(ctx, "run.sh")
	return err
}

func (s *state) engineInfo(ctx context.Context) (engine.Info, error) {
	if s.info == nil {
		info, err := s.run.Engine.Info(ctx)
		if err != nil {
			return info, err
		}
		s.info = &info
	}
	return *s.info, nil
}

// web inspects lab1-web; found is false when there is no such container.
func (s *state) web(ctx context.Context) (c engine.Container, found bool, err error) {
	c, err = s.run.Engine.InspectContainer(ctx, webName)
	if errors.Is(err, engine.ErrNotFound) {
		return c, false, nil
	}
	return c, err == nil, err
}

func (s *state) param(key string) (string, error) { return s.run.Spec.Param(key) }

func (s *state) duration(key string) (time.Duration, error) {
	v, err := s.param(key)
	if err != nil {
		return 0, err
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("params.%s: %q is not a duration", key, v)
	}
	return d, nil
}

// remoteSkip is the verdict of checks that dial 127.0.0.1 from the grader's host, when the
// engine runs elsewhere: the environment's limit, not the student's fault.
func remoteSkip(host string) check.Outcome {
	o := check.Skipf("Non évalué : le moteur Docker est distant (%s), le correcteur ne peut pas joindre son 127.0.0.1.",
		"Not evaluated: the Docker engine is remote (%s), the grader cannot reach its 127.0.0.1.", host)
	o.Excluded = true
	return o
}
