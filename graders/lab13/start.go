package lab13

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/composelab"
)

// required are the services the contract names; all but the init job run for good.
var required = []string{gateway, catalog, catalogDB, orders, ordersDB, migrate, logship}

// checkValid: Compose loads the project, the contract's services exist, and every
// long-running service declares a healthcheck.
func (s *state) checkValid(ctx context.Context) (check.Outcome, error) {
	if o := s.run.RefusedOutcome(); o != nil {
		return *o, nil
	}
	if err := s.sess.Load(ctx); err != nil {
		return check.Outcome{}, err
	}
	l := s.sess.Loaded
	if l == nil {
		return composelab.LoadFailure(s.sess.Problems), nil
	}
	p := l.Project
	var missing, unchecked []string
	for _, n := range required {
		if _, ok := p.Services[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return check.Failf("Services absents du projet : %s.", "Services missing from the project: %s.", strings.Join(missing, ", ")).
			With(strings.Join(required, ", "), strings.Join(p.ServiceNames(), ", ")), nil
	}
	oneShot := oneShots(p)
	for _, n := range p.ServiceNames() {
		svc := p.Services[n]
		if oneShot[n] {
			continue // a job that ends needs no healthcheck
		}
		if svc.HealthCheck == nil || svc.HealthCheck.Disable || len(svc.HealthCheck.Test) == 0 {
			unchecked = append(unchecked, n)
		}
	}
	sort.Strings(unchecked)
	if len(unchecked) > 0 {
		return check.Failf("Services de longue durée sans healthcheck dans compose.yaml : %s.", "Long-running services without a healthcheck in compose.yaml: %s.",
			strings.Join(unchecked, ", ")).With("un healthcheck par service", strings.Join(unchecked, ", ")), nil
	}
	return check.Passf("Le projet se charge : %d services, chacun avec son healthcheck.", "The project loads: %d services, each with its healthcheck.",
		len(p.Services)), nil
}

// oneShots are the services that end: the init job, and any service others wait for with
// service_completed_successfully.
func oneShots(p *types.Project) map[string]bool {
	out := map[string]bool{migrate: true}
	for _, svc := range p.Services {
		for dep, d := range svc.DependsOn {
			if d.Condition == types.ServiceConditionCompletedSuccessfully {
				out[dep] = true
			}
		}
	}
	return out
}

// checkUp: after up, every long-running service runs and, when it has a healthcheck, is
// healthy; the init job ran.
func (s *state) checkUp(ctx context.Context) (check.Outcome, error) {
	if err := s.started(ctx); err != nil {
		return check.Outcome{}, err
	}
	deadline := s.sess.UpSince.Add(s.healthWait)
	p := s.sess.Project()
	jobs := oneShots(p)
	for {
		var bad, waiting []string
		for _, n := range p.ServiceNames() {
			cs, err := composelab.Containers(ctx, s.run.Engine, p, n)
			if err != nil {
				return check.Outcome{}, err
			}
			switch {
			case len(cs) == 0:
				bad = append(bad, n+" : aucun conteneur")
			case jobs[n] && cs[0].ExitCode == 0 && !cs[0].Running:
			case jobs[n] && !cs[0].Running:
				bad = append(bad, fmt.Sprintf("%s : terminé avec le code %d", n, cs[0].ExitCode))
			case !cs[0].Running:
				bad = append(bad, fmt.Sprintf("%s : %s (code %d)", n, cs[0].Status, cs[0].ExitCode))
			case cs[0].Health == "starting":
				waiting = append(waiting, n+" : encore « starting »")
			case cs[0].Health == "unhealthy":
				bad = append(bad, n+" : unhealthy ("+check.Clip(strings.Join(cs[0].HealthLog, " | "), 150)+")")
			}
		}
		if len(bad) > 0 || (len(waiting) > 0 && time.Now().After(deadline)) {
			msg := strings.Join(append(bad, waiting...), " ; ")
			if why := s.sess.UpFailure(); why != "" {
				msg += " — " + why
			}
			return check.Failf("Le projet ne démarre pas entièrement : %s.", "The project does not fully start: %s.", msg).
				With("tous les services démarrés et sains", msg), nil
		}
		if len(waiting) == 0 {
			return check.Passf("%d services démarrés et sains en %s.", "%d services started and healthy in %s.",
				len(p.Services), time.Since(s.sess.UpSince).Round(time.Second)), nil
		}
		select {
		case <-ctx.Done():
			return check.Outcome{}, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
