package lab05

import (
	"context"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/probe"
)

// container starts the built image once, with the run's limits, and returns its ID. When the
// container cannot start or dies at once, fail is the verdict every container check gives.
func (s *state) container(ctx context.Context) (id string, fail *check.Outcome, err error) {
	if s.ctr != "" || s.ctrFail != nil {
		return s.ctr, s.ctrFail, nil
	}
	r := s.run
	r.Progress(check.Lit("démarrage du conteneur…", "starting the container…"))
	id, err = r.Engine.Run(ctx, engine.RunSpec{
		Name:   r.Name("app"),
		Image:  s.imageRef,
		Labels: r.Labels(),
	})
	if id != "" {
		r.Cleanup.Add("container "+check.ShortID(id), func(ctx context.Context) error {
			return r.Engine.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id})
		})
	}
	if err != nil {
		if id == "" {
			return "", nil, err
		}
		o := judgeNotStarted(err.Error())
		s.ctrFail = &o
		return "", s.ctrFail, nil
	}
	// Give the app a moment, then make sure it is still there.
	select {
	case <-ctx.Done():
		return "", nil, ctx.Err()
	case <-time.After(300 * time.Millisecond):
	}
	c, err := r.Engine.InspectContainer(ctx, id)
	if err != nil {
		return "", nil, err
	}
	if !c.Running {
		logs, _ := r.Engine.Logs(ctx, id, 4<<10)
		o := judgeExited(c, logs)
		s.ctrFail = &o
		return "", s.ctrFail, nil
	}
	s.ctr = id
	return id, nil, nil
}

// get asks the running app for path; fail is the verdict when the container does not run or
// the app does not answer.
func (s *state) get(ctx context.Context, path string) (probe.Response, *check.Outcome, error) {
	id, fail, err := s.container(ctx)
	if fail != nil || err != nil {
		return probe.Response{}, fail, err
	}
	ps := grader.ReadValues(s.run.Spec)
	port, wait := ps.Int("port"), ps.Duration("startup-wait")
	if ps.Err != nil {
		return probe.Response{}, nil, ps.Err
	}
	resp, err := probe.HTTPGet(ctx, s.run, id, port, path, wait)
	if err != nil {
		// A probe cannot join a container that died meanwhile: that is the app's doing.
		if o, dead := s.died(ctx, id); dead {
			return resp, &o, nil
		}
		return resp, nil, err
	}
	return resp, judgeAnswer(path, port, resp), nil
}

func (s *state) checkNonRoot(ctx context.Context) (check.Outcome, error) {
	o := nonRootObs{User: s.image.User}
	if out, done := judgeNonRoot(o); done {
		return out, nil
	}
	resp, fail, err := s.get(ctx, "/whoami")
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	o.Whoami = &resp.Body
	out, _ := judgeNonRoot(o)
	return out, nil
}

func (s *state) checkHealthcheck(ctx context.Context) (check.Outcome, error) {
	o := healthObs{Test: s.image.Healthcheck}
	if out, done := judgeHealthcheck(o); done {
		return out, nil
	}
	id, fail, err := s.container(ctx)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	ps := grader.ReadValues(s.run.Spec)
	if o.Wait = ps.Duration("health-wait"); ps.Err != nil {
		return check.Outcome{}, ps.Err
	}
	s.run.Progress(check.Lit("attente de l'état healthy…", "waiting for the healthy state…"))
	deadline := time.Now().Add(o.Wait)
	for {
		c, err := s.run.Engine.InspectContainer(ctx, id)
		if err != nil {
			return check.Outcome{}, err
		}
		o.Ctr, o.Late = &c, time.Now().After(deadline)
		if out, done := judgeHealthcheck(o); done {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return check.Outcome{}, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

func (s *state) checkVersion(ctx context.Context) (check.Outcome, error) {
	o := versionObs{Want: s.run.Spec.Params["version"], Labels: s.image.Labels}
	if out, done := judgeVersion(o); done {
		return out, nil
	}
	resp, fail, err := s.get(ctx, "/version")
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	o.Version = &resp.Body
	out, _ := judgeVersion(o)
	return out, nil
}

func (s *state) checkSignals(ctx context.Context) (check.Outcome, error) {
	id, fail, err := s.container(ctx)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	ps := grader.ReadValues(s.run.Spec)
	timeout, limit := ps.Duration("stop-timeout"), ps.Duration("stop-max")
	if ps.Err != nil {
		return check.Outcome{}, ps.Err
	}
	if o, dead := s.died(ctx, id); dead {
		return o, nil
	}
	s.run.Progress(check.Same("docker stop…"))
	start := time.Now()
	if err := s.run.Engine.Stop(ctx, id, timeout); err != nil {
		return check.Outcome{}, err
	}
	took := time.Since(start)
	c, err := s.run.Engine.InspectContainer(ctx, id)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeSignals(signalsObs{Took: took, ExitCode: c.ExitCode, Limit: limit}), nil
}

// died reports, as a verdict, a container that stopped on its own since it was started.
func (s *state) died(ctx context.Context, id string) (check.Outcome, bool) {
	c, err := s.run.Engine.InspectContainer(ctx, id)
	if err != nil || c.Running {
		return check.Outcome{}, false
	}
	logs, _ := s.run.Engine.Logs(ctx, id, 4<<10)
	return judgeDied(c, logs), true
}
