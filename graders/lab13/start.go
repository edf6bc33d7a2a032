package lab13

import (
	"context"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/engine"
)

// containers lists the containers of each service of the session's project.
func (s *state) containers(ctx context.Context, svcs ...string) (map[string][]engine.Container, error) {
	out := map[string][]engine.Container{}
	for _, svc := range svcs {
		cs, err := composelab.Containers(ctx, s.Run.Engine, s.Sess.Project(), svc)
		if err != nil {
			return nil, err
		}
		out[svc] = cs
	}
	return out, nil
}

// checkUp: after up, every long-running service runs and, when it has a healthcheck, is
// healthy; the init job ran.
func (s *state) checkUp(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	deadline := s.Sess.UpSince.Add(s.HealthWait)
	p := s.Sess.Project()
	names, jobs := p.ServiceNames(), oneShots(p)
	return composelab.Settle(ctx, func(ctx context.Context) (check.Outcome, bool, error) {
		cs, err := s.containers(ctx, names...)
		if err != nil {
			return check.Outcome{}, false, err
		}
		o, done := judgeUp(upObs{Services: names, Jobs: jobs, Containers: cs, Late: time.Now().After(deadline),
			UpFailure: s.Sess.UpFailure(), Elapsed: time.Since(s.Sess.UpSince)})
		return o, done, nil
	})
}
