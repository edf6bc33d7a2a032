package lab04

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
)

// checkRun runs run.sh twice (the contract says it recreates lab4-app) and looks at what the
// engine then holds under the name lab4-app.
func (s *state) checkRun(ctx context.Context) (check.Outcome, error) {
	r := s.run
	first, err := r.Script(ctx, "run.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	var scriptFail *check.Outcome
	if first.ExitCode != 0 || first.TimedOut {
		o := grader.ScriptFailed("run.sh", first)
		scriptFail = &o
	} else {
		second, err := r.Script(ctx, "run.sh")
		if err != nil {
			return check.Outcome{}, err
		}
		if second.ExitCode != 0 || second.TimedOut {
			o := grader.ScriptFailed("run.sh", second)
			o.Message = check.T("run.sh a réussi une fois mais échoue quand on le relance (code %d) : il n'est pas rejouable.",
				"run.sh succeeded once but fails when run again (exit code %d): it cannot be replayed.", second.ExitCode)
			scriptFail = &o
		}
	}
	c, err := r.Engine.InspectContainer(ctx, appName)
	if errors.Is(err, engine.ErrNotFound) {
		if scriptFail != nil {
			return *scriptFail, nil
		}
		return check.Failf("run.sh s'est terminé sans erreur mais aucun conteneur lab4-app n'existe.",
			"run.sh exited cleanly but there is no lab4-app container.").
			With("un conteneur nommé lab4-app", "aucun"), nil
	} else if err != nil {
		return check.Outcome{}, err
	}
	// From here on the other checks have a container to look at, whatever this one says.
	s.appID = c.ID
	if scriptFail != nil {
		return *scriptFail, nil
	}
	c, err = s.waitRunning(ctx, c.ID, 3*time.Second)
	if err != nil {
		return check.Outcome{}, err
	}
	if !up(c) {
		return s.notRunning(ctx, c, "après run.sh"), nil
	}
	want := s.param("app-image")
	img, err := r.Engine.InspectImage(ctx, want)
	if err != nil {
		return check.Outcome{}, fmt.Errorf("%s: %w (run `grade images` first)", want, err)
	}
	if c.ImageID != img.ID {
		return check.Failf("lab4-app tourne depuis l'image %s, pas depuis %s.", "lab4-app runs from image %s, not from %s.", c.Image, want).
			With(want, c.Image), nil
	}
	if !hasLabel(c.Labels, labLabel) {
		return check.Failf("lab4-app n'a pas le label %s : le correcteur ne peut pas le reconnaître comme objet du lab.",
			"lab4-app lacks the %s label: the grader cannot tell it belongs to the lab.", labLabel).
			With(labLabel, labelList(c.Labels)), nil
	}
	return check.Passf("lab4-app tourne depuis %s avec le label %s ; run.sh a réussi deux fois de suite.",
		"lab4-app runs from %s with the %s label; run.sh succeeded twice in a row.", want, labLabel), nil
}

// waitRunning inspects id until it runs or wait passes, while the engine is restarting it;
// a container the engine will not restart is returned at once.
func (s *state) waitRunning(ctx context.Context, id string, wait time.Duration) (engine.Container, error) {
	deadline := time.Now().Add(wait)
	for {
		c, err := s.run.Engine.InspectContainer(ctx, id)
		if err != nil || up(c) || c.Status != "restarting" || time.Now().After(deadline) {
			return c, err
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return c, err
		}
	}
}

// app returns lab4-app running, or the verdict of a check that needs it running.
func (s *state) app(ctx context.Context) (engine.Container, *check.Outcome, error) {
	wait, err := s.duration("restart-wait")
	if err != nil {
		return engine.Container{}, nil, err
	}
	c, err := s.waitRunning(ctx, s.appID, wait)
	if errors.Is(err, engine.ErrNotFound) {
		o := check.Failf("lab4-app a disparu pendant la correction.", "lab4-app vanished during grading.").
			With("lab4-app démarré", "aucun conteneur")
		return c, &o, nil
	}
	if err != nil {
		return c, nil, err
	}
	if !up(c) {
		o := s.notRunning(ctx, c, "")
		return c, &o, nil
	}
	return c, nil, nil
}

// notRunning says that c is not running, with its exit code and the end of its logs.
func (s *state) notRunning(ctx context.Context, c engine.Container, when string) check.Outcome {
	if when != "" {
		when = " " + when
	}
	logs, _ := s.run.Engine.Logs(ctx, c.ID, 2<<10)
	return check.Failf("%s n'est pas démarré%s : état %s, code de sortie %d, %d redémarrage(s).",
		"%s is not running%s: state %s, exit code %d, %d restart(s).", c.Name, when, c.Status, c.ExitCode, c.RestartCount).
		With("un conteneur démarré", lastLines(logs, 5))
}

// up tells a running container from one that the engine counts as running while it waits to
// restart it (State.Restarting).
func up(c engine.Container) bool { return c.Running && c.Status == "running" }

func hasLabel(labels map[string]string, kv string) bool {
	k, v, _ := strings.Cut(kv, "=")
	got, ok := labels[k]
	return ok && got == v
}

func labelList(labels map[string]string) string {
	if len(labels) == 0 {
		return "aucun label"
	}
	var out []string
	for k, v := range labels {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return strings.Join(out, ", ")
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// lastLines keeps the last n non-empty lines of s.
func lastLines(s string, n int) string {
	lines := nonEmptyLines(s)
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// nonEmptyLines splits s into lines without their trailing blanks, dropping empty ones.
func nonEmptyLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimRight(l, " \t\r"); l != "" {
			out = append(out, l)
		}
	}
	return out
}
