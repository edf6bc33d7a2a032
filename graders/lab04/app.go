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
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// runObs is what lab4.run observes, stage by stage: run.sh's two runs, then lab4-app.
type runObs struct {
	First  script.Result
	Second *script.Result // nil when the first run failed
	Found  bool           // lab4-app exists; the rest is read only when the scripts succeeded
	Seen   bool           // App, Logs and ImageID are read
	App    engine.Container
	Logs   string // the end of its logs, when it is not running
	Image  string // the contract's image
	// ImageID is what Image names on the engine.
	ImageID string
}

// checkRun runs run.sh twice (the contract says it recreates lab4-app) and looks at what the
// engine then holds under the name lab4-app.
func (s *state) checkRun(ctx context.Context) (check.Outcome, error) {
	r := s.run
	var o runObs
	var err error
	if o.First, err = r.Script(ctx, "run.sh"); err != nil {
		return check.Outcome{}, err
	}
	if scriptlab.JudgeScript("run.sh", o.First) == nil {
		second, err := r.Script(ctx, "run.sh")
		if err != nil {
			return check.Outcome{}, err
		}
		o.Second = &second
	}
	c, err := r.Engine.InspectContainer(ctx, appName)
	if err != nil && !errors.Is(err, engine.ErrNotFound) {
		return check.Outcome{}, err
	}
	o.Found = err == nil
	if o.Found {
		// From here on the other checks have a container to look at, whatever this one says.
		s.appID = c.ID
	}
	if out, done := judgeRun(o); done {
		return out, nil
	}
	if o.App, err = s.waitRunning(ctx, c.ID, 3*time.Second); err != nil {
		return check.Outcome{}, err
	}
	if !up(o.App) {
		o.Logs, _ = r.Engine.Logs(ctx, c.ID, 2<<10)
	}
	o.Image = s.param("app-image")
	img, err := r.Engine.InspectImage(ctx, o.Image)
	if err != nil {
		return check.Outcome{}, fmt.Errorf("%s: %w (run `grade images` first)", o.Image, err)
	}
	o.ImageID, o.Seen = img.ID, true
	out, _ := judgeRun(o)
	return out, nil
}

// judgeRun: run.sh succeeds twice in a row and leaves lab4-app running from the contract's
// image, with the lab's label.
func judgeRun(o runObs) (out check.Outcome, decided bool) {
	scriptFail := scriptlab.JudgeScript("run.sh", o.First)
	if scriptFail == nil && o.Second != nil {
		if f := scriptlab.JudgeScript("run.sh", *o.Second); f != nil {
			f.Message = check.T("run.sh a réussi une fois mais échoue quand on le relance (code %d) : il n'est pas rejouable.",
				"run.sh succeeded once but fails when run again (exit code %d): it cannot be replayed.", o.Second.ExitCode)
			scriptFail = f
		}
	}
	switch {
	case !o.Found && scriptFail != nil:
		return *scriptFail, true
	case !o.Found:
		return check.Failf("run.sh s'est terminé sans erreur mais aucun conteneur lab4-app n'existe.",
			"run.sh exited cleanly but there is no lab4-app container.").
			WithT(check.Lit("un conteneur nommé lab4-app", "a container named lab4-app"), check.Lit("aucun", "none")), true
	case scriptFail != nil:
		return *scriptFail, true
	case !o.Seen:
		return check.Outcome{}, false
	case !up(o.App):
		return notRunning(o.App, o.Logs, check.Lit("après run.sh", "after run.sh")), true
	case o.App.ImageID != o.ImageID:
		return check.Failf("lab4-app tourne depuis l'image %s, pas depuis %s.", "lab4-app runs from image %s, not from %s.", o.App.Image, o.Image).
			With(o.Image, o.App.Image), true
	case !hasLabel(o.App.Labels, labLabel):
		return check.Failf("lab4-app n'a pas le label %s : le correcteur ne peut pas le reconnaître comme objet du lab.",
			"lab4-app lacks the %s label: the grader cannot tell it belongs to the lab.", labLabel).
			WithT(check.Same(labLabel), labelList(o.App.Labels)), true
	}
	return check.Passf("lab4-app tourne depuis %s avec le label %s ; run.sh a réussi deux fois de suite.",
		"lab4-app runs from %s with the %s label; run.sh succeeded twice in a row.", o.Image, labLabel), true
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

// appSeen is lab4-app as a check finds it before acting on it.
type appSeen struct {
	C    engine.Container
	Gone bool   // removed during grading
	Logs string // the end of its logs, when it is not running
}

// app looks at lab4-app, giving it restart-wait to come back if the engine is restarting it.
func (s *state) app(ctx context.Context) (appSeen, error) {
	wait, err := s.duration("restart-wait")
	if err != nil {
		return appSeen{}, err
	}
	c, err := s.waitRunning(ctx, s.appID, wait)
	if errors.Is(err, engine.ErrNotFound) {
		return appSeen{C: c, Gone: true}, nil
	}
	if err != nil {
		return appSeen{}, err
	}
	a := appSeen{C: c}
	if !up(c) {
		a.Logs, _ = s.run.Engine.Logs(ctx, c.ID, 2<<10)
	}
	return a, nil
}

// runningApp is lab4-app running, or judgeApp's verdict on it.
func (s *state) runningApp(ctx context.Context) (engine.Container, *check.Outcome, error) {
	a, err := s.app(ctx)
	if err != nil {
		return engine.Container{}, nil, err
	}
	return a.C, judgeApp(a), nil
}

// judgeApp is the verdict of a check that needs lab4-app running, when it is not; nil when it is.
func judgeApp(a appSeen) *check.Outcome {
	var o check.Outcome
	switch {
	case a.Gone:
		o = check.Failf("lab4-app a disparu pendant la correction.", "lab4-app vanished during grading.").
			WithT(check.Lit("lab4-app démarré", "lab4-app running"), check.Lit("aucun conteneur", "no container"))
	case !up(a.C):
		o = notRunning(a.C, a.Logs, check.Text{})
	default:
		return nil
	}
	return &o
}

// notRunning says that c is not running (when: since what, if anything), with its exit code
// and the end of its logs.
func notRunning(c engine.Container, logs string, when check.Text) check.Outcome {
	if when.FR != "" {
		when = check.Lit(" "+when.FR, " "+when.EN)
	}
	restarts := check.T("%d redémarrages", "%d restarts", c.RestartCount)
	switch c.RestartCount {
	case 0:
		restarts = check.Lit("aucun redémarrage", "no restart")
	case 1:
		restarts = check.Lit("1 redémarrage", "1 restart")
	}
	return check.Outcome{Status: check.Fail, Message: check.Text{
		FR: fmt.Sprintf("%s n'est pas démarré%s : état %s, code de sortie %d, %s.", c.Name, when.FR, c.Status, c.ExitCode, restarts.FR),
		EN: fmt.Sprintf("%s is not running%s: state %s, exit code %d, %s.", c.Name, when.EN, c.Status, c.ExitCode, restarts.EN),
	}}.WithT(check.Lit("un conteneur démarré", "a running container"), check.Same(lastLines(logs, 5)))
}

// up tells a running container from one that the engine counts as running while it waits to
// restart it (State.Restarting).
func up(c engine.Container) bool { return c.Running && c.Status == "running" }

func hasLabel(labels map[string]string, kv string) bool {
	k, v, _ := strings.Cut(kv, "=")
	got, ok := labels[k]
	return ok && got == v
}

func labelList(labels map[string]string) check.Text {
	if len(labels) == 0 {
		return check.Lit("aucun label", "no label")
	}
	var out []string
	for k, v := range labels {
		out = append(out, k+"="+v)
	}
	slices.Sort(out)
	return check.Same(strings.Join(out, ", "))
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
