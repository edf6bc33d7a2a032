package lab04

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
)

func (s *state) checkFixed(ctx context.Context) (check.Outcome, error) {
	r, image := s.run, s.param("broken-image")
	wait, err := s.duration("fixed-wait")
	if err != nil {
		return check.Outcome{}, err
	}
	res, err := r.Script(ctx, "fix.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	if res.ExitCode != 0 || res.TimedOut {
		return grader.ScriptFailed("fix.sh", res), nil
	}
	c, err := r.Engine.InspectContainer(ctx, fixedName)
	if errors.Is(err, engine.ErrNotFound) {
		return check.Failf("fix.sh s'est terminé sans erreur mais aucun conteneur lab4-fixed n'existe.",
			"fix.sh exited cleanly but there is no lab4-fixed container.").With("un conteneur nommé lab4-fixed", "aucun"), nil
	} else if err != nil {
		return check.Outcome{}, err
	}
	img, err := r.Engine.InspectImage(ctx, image)
	if err != nil {
		return check.Outcome{}, fmt.Errorf("%s: %w (run `grade images` first)", image, err)
	}
	if c.ImageID != img.ID {
		return check.Failf("lab4-fixed tourne depuis l'image %s, pas depuis %s.", "lab4-fixed runs from image %s, not from %s.", c.Image, image).
			With(image, c.Image), nil
	}
	r.Progress("attente de l'état healthy de lab4-fixed…")
	start := time.Now()
	deadline := start.Add(wait)
	for {
		if c, err = r.Engine.InspectContainer(ctx, c.ID); err != nil {
			return check.Outcome{}, err
		}
		switch {
		case up(c) && c.Health == "healthy":
		case !c.Running && c.Status != "restarting" || c.Health == "unhealthy":
			// Stopped, or restarting in a loop: the logs say why.
			return s.fixedDown(ctx, c), nil
		case time.Now().After(deadline):
			return check.Failf("lab4-fixed n'est pas healthy après %s (état : %s).", "lab4-fixed is not healthy after %s (state: %s).", wait, healthText(c)).
				With("healthy", healthText(c)), nil
		default:
			if err := sleep(ctx, pollEvery); err != nil {
				return check.Outcome{}, err
			}
			continue
		}
		break
	}
	took := time.Since(start).Round(100 * time.Millisecond)
	if !hasLabel(c.Labels, labLabel) {
		return check.Failf("lab4-fixed est healthy mais n'a pas le label %s.", "lab4-fixed is healthy but lacks the %s label.", labLabel).
			With(labLabel, labelList(c.Labels)), nil
	}
	want := "DATABASE_URL=" + s.param("database-url")
	if got := envOf(c.Env, "DATABASE_URL"); got != want {
		return check.Failf("lab4-fixed est healthy, mais DATABASE_URL n'a pas la valeur du contrat.", "lab4-fixed is healthy, but DATABASE_URL does not have the contract's value.").
			With(want, got), nil
	}
	return check.Passf("lab4-fixed (%s, %s) est healthy en %s.", "lab4-fixed (%s, %s) is healthy within %s.", image, want, took), nil
}

// fixedDown reports a lab4-fixed that stopped or is unhealthy, with what its logs say.
func (s *state) fixedDown(ctx context.Context, c engine.Container) check.Outcome {
	logs, _ := s.run.Engine.ReadLogs(ctx, c.ID, engine.LogOptions{Tail: 20, MaxBytes: 8 << 10})
	text := lastLines(logs.Stderr, 3)
	if text == "" {
		text = lastLines(logs.Stdout, 3)
	}
	if c.Running && c.Health == "unhealthy" {
		return check.Failf("lab4-fixed est unhealthy.", "lab4-fixed is unhealthy.").With("healthy", lastLines(joinLines(c.HealthLog), 3))
	}
	return check.Failf("lab4-fixed s'est arrêté (code %d) : %s", "lab4-fixed stopped (exit code %d): %s", c.ExitCode, check.Cut(text, 300)).
		With("un conteneur healthy", stateText(c)+"\n"+text)
}

func healthText(c engine.Container) string {
	if c.Health == "" {
		return c.Status + ", sans healthcheck"
	}
	return c.Status + ", " + c.Health
}

func joinLines(lines []string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}
