package composelab

import (
	"context"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/engine"
)

// The verdicts of the checks every Compose lab shares, decided from what was observed and
// nothing else, so unit tests judge them without an engine.

// CheckValid is a lab's first check: the run's refusal (a file screened out before
// loading), then the files as Compose loads them, judged by judge when they load.
func (s *Session) CheckValid(judge func(*compose.Loaded) check.Outcome) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		if o := s.Run.RefusedOutcome(); o != nil {
			return *o, nil
		}
		if err := s.Load(ctx); err != nil {
			return check.Outcome{}, err
		}
		if s.Loaded == nil {
			return LoadFailure(s.Problems), nil
		}
		return judge(s.Loaded), nil
	}
}

// JudgePolicy decides the policy gate: the files load (l is nil when they do not, and
// problems says why) and policy found nothing that would harm the grading host. A file that
// is not YAML at all is valid's failure, said there once: the policy waits for it.
func JudgePolicy(valid string, l *compose.Loaded, problems, policy []compose.Problem) check.Outcome {
	if l == nil && len(problems) > 0 && problems[0].Syntax {
		o := check.Skipf("Non évalué : les fichiers ne sont pas du YAML lisible (voir %s).",
			"Not evaluated: the files are not readable YAML (see %s).", valid)
		o.BlockedBy = valid
		return o
	}
	if l == nil {
		return LoadFailure(problems)
	}
	if len(policy) > 0 {
		why := policy[0].Say()
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: "Le projet demande ce que le correcteur refuse pour protéger la machine : " + why.FR,
			EN: "The project asks for what the grader refuses to protect the machine: " + why.EN,
		}}.WithT(check.Lit("aucune option dangereuse pour l'hôte", "no option dangerous to the host"), Problems(policy)).
			At(policy[0].File, policy[0].Line)
	}
	return check.Passf("Rien dans le projet ne touche l'hôte (%d services).", "Nothing in the project touches the host (%d services).",
		len(l.Project.Services))
}

// JudgeBuild decides the build gate from the grader's builds, in order: the last one is the
// one that failed, if any did (the grader stops at the first failure).
func JudgeBuild(builds []compose.Built) check.Outcome {
	if len(builds) == 0 {
		return check.Passf("Aucun service à construire.", "No service to build.")
	}
	last := builds[len(builds)-1]
	if last.Result.Failed {
		return check.Failf("La construction du service %s échoue : « %s »", "Building service %s fails: %s", last.Service, check.Clip(last.Result.Error, 300)).
			WithT(check.Lit("un build réussi", "a successful build"), check.Same(check.Tail(last.Result.Log, 25)))
	}
	var names []string
	for _, b := range builds {
		names = append(names, b.Service)
	}
	return check.Passf("Images construites par le correcteur : %s.", "Images built by the grader: %s.", strings.Join(names, ", "))
}

// FirstRunning picks the first running container of a service among cs (ordered by name),
// or returns the failing verdict that says why there is none.
func FirstRunning(service string, cs []engine.Container) (engine.Container, *check.Outcome) {
	for _, c := range cs {
		if c.Running {
			return c, nil
		}
	}
	running := check.T("%s démarré", "%s running", service)
	o := check.Failf("Le service %s ne tourne pas.", "Service %s is not running.", service).
		WithT(running, check.Lit("aucun conteneur démarré", "no running container"))
	if len(cs) > 0 {
		c := cs[0]
		o = check.Failf("Le service %s ne tourne pas (%s, code %d).", "Service %s is not running (%s, exit code %d).", service, c.Status, c.ExitCode).
			WithT(running, check.Same(c.Status))
	}
	return engine.Container{}, &o
}

// Unreachable is the verdict when requests must go through a service that has no running
// container.
func Unreachable(service string) check.Outcome {
	return check.Failf("Le service %s ne tourne pas : impossible de passer par lui.", "Service %s is not running: requests cannot go through it.", service).
		WithT(check.T("%s démarré", "%s running", service), check.Lit("arrêté ou absent", "stopped or missing"))
}

// Settle observes and judges again every second until judge decides (its second result),
// for verdicts that wait for containers to become healthy. Observation errors and the
// context's end stop it.
func Settle(ctx context.Context, judge func(ctx context.Context) (check.Outcome, bool, error)) (check.Outcome, error) {
	for {
		o, done, err := judge(ctx)
		if err != nil || done {
			return o, err
		}
		select {
		case <-ctx.Done():
			return check.Outcome{}, ctx.Err()
		case <-time.After(time.Second):
		}
	}
}
