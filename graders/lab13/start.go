package lab13

import (
	"context"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/composelab"
)

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
		cs, err := s.ServiceContainers(ctx, names...)
		if err != nil {
			return check.Outcome{}, false, err
		}
		o, done := judgeUp(upObs{Services: names, Jobs: jobs, Containers: cs, Late: time.Now().After(deadline),
			UpFailure: s.Sess.UpFailureText(), Elapsed: time.Since(s.Sess.UpSince)})
		return o, done, nil
	})
}
