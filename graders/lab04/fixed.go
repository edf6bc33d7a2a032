package lab04

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// fixedObs is what lab4.fixed observes, stage by stage: fix.sh, lab4-fixed and the image
// it should run, then its state until it is healthy, stops, or the wait passes.
type fixedObs struct {
	Script  script.Result
	Found   bool // lab4-fixed exists
	Image   string
	ImageID string // what Image names on the engine; "" until read
	C       engine.Container
	Logs    *engine.Logs  // the end of its logs, read when it stopped or is unhealthy
	Late    bool          // the wait passed
	Wait    time.Duration // how long it may take to be healthy
	Took    time.Duration // until healthy
	Want    string        // the contract's DATABASE_URL=…
}

func (s *state) checkFixed(ctx context.Context) (check.Outcome, error) {
	r := s.run
	o := fixedObs{Image: s.param("broken-image"), Want: "DATABASE_URL=" + s.param("database-url")}
	var err error
	if o.Wait, err = s.duration("fixed-wait"); err != nil {
		return check.Outcome{}, err
	}
	if o.Script, err = r.Script(ctx, "fix.sh"); err != nil {
		return check.Outcome{}, err
	}
	if scriptlab.JudgeScript("fix.sh", o.Script) == nil {
		o.C, err = r.Engine.InspectContainer(ctx, fixedName)
		if err != nil && !errors.Is(err, engine.ErrNotFound) {
			return check.Outcome{}, err
		}
		o.Found = err == nil
	}
	if out, done := judgeFixed(o); done {
		return out, nil
	}
	img, err := r.Engine.InspectImage(ctx, o.Image)
	if err != nil {
		return check.Outcome{}, fmt.Errorf("%s: %w (run `grade images` first)", o.Image, err)
	}
	o.ImageID = img.ID
	if out, done := judgeFixed(o); done {
		return out, nil
	}
	r.Progress(check.Lit("attente de l'état healthy de lab4-fixed…", "waiting for lab4-fixed to be healthy…"))
	start := time.Now()
	deadline := start.Add(o.Wait)
	for {
		if o.C, err = r.Engine.InspectContainer(ctx, o.C.ID); err != nil {
			return check.Outcome{}, err
		}
		o.Late, o.Took = time.Now().After(deadline), time.Since(start).Round(100*time.Millisecond)
		if fixedDown(o.C) {
			// Stopped, or restarting in a loop: the logs say why.
			logs, _ := r.Engine.ReadLogs(ctx, o.C.ID, engine.LogOptions{Tail: 20, MaxBytes: 8 << 10})
			o.Logs = &logs
		}
		if out, done := judgeFixed(o); done {
			return out, nil
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return check.Outcome{}, err
		}
	}
}

// fixedDown: lab4-fixed will not become healthy by waiting (not healthy yet counts as up).
func fixedDown(c engine.Container) bool {
	return !(up(c) && c.Health == "healthy") && (!c.Running && c.Status != "restarting" || c.Health == "unhealthy")
}

// judgeFixed: fix.sh starts lab4-fixed from the broken image, with the contract's
// DATABASE_URL and the lab's label, and it becomes healthy in time.
func judgeFixed(o fixedObs) (out check.Outcome, decided bool) {
	c := o.C
	switch {
	case scriptlab.JudgeScript("fix.sh", o.Script) != nil:
		return *scriptlab.JudgeScript("fix.sh", o.Script), true
	case !o.Found:
		return check.Failf("fix.sh s'est terminé sans erreur mais aucun conteneur lab4-fixed n'existe.",
			"fix.sh exited cleanly but there is no lab4-fixed container.").
			WithT(check.Lit("un conteneur nommé lab4-fixed", "a container named lab4-fixed"), check.Lit("aucun", "none")), true
	case o.ImageID == "":
		return check.Outcome{}, false
	case c.ImageID != o.ImageID:
		return check.Failf("lab4-fixed tourne depuis l'image %s, pas depuis %s.", "lab4-fixed runs from image %s, not from %s.", c.Image, o.Image).
			With(o.Image, c.Image), true
	case up(c) && c.Health == "healthy":
	case fixedDown(c) && o.Logs != nil:
		return judgeFixedDown(c, *o.Logs), true
	case o.Late:
		h := healthText(c)
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: fmt.Sprintf("lab4-fixed n'est pas healthy après %s (état : %s).", o.Wait, h.FR),
			EN: fmt.Sprintf("lab4-fixed is not healthy after %s (state: %s).", o.Wait, h.EN),
		}}.WithT(check.Same("healthy"), h), true
	default:
		return check.Outcome{}, false
	}
	if !hasLabel(c.Labels, labLabel) {
		return check.Failf("lab4-fixed est healthy mais n'a pas le label %s.", "lab4-fixed is healthy but lacks the %s label.", labLabel).
			WithT(check.Same(labLabel), labelList(c.Labels)), true
	}
	if got := envOf(c.Env, "DATABASE_URL"); got.FR != o.Want {
		return check.Failf("lab4-fixed est healthy, mais DATABASE_URL n'a pas la valeur du contrat.", "lab4-fixed is healthy, but DATABASE_URL does not have the contract's value.").
			WithT(check.Same(o.Want), got), true
	}
	return check.Passf("lab4-fixed (%s, %s) est healthy en %s.", "lab4-fixed (%s, %s) is healthy within %s.", o.Image, o.Want, o.Took), true
}

// judgeFixedDown reports a lab4-fixed that stopped or is unhealthy, with what its logs say.
func judgeFixedDown(c engine.Container, logs engine.Logs) check.Outcome {
	text := lastLines(logs.Stderr, 3)
	if text == "" {
		text = lastLines(logs.Stdout, 3)
	}
	if c.Running && c.Health == "unhealthy" {
		return check.Failf("lab4-fixed est unhealthy.", "lab4-fixed is unhealthy.").With("healthy", lastLines(joinLines(c.HealthLog), 3))
	}
	return check.Failf("lab4-fixed s'est arrêté (code %d) : %s", "lab4-fixed stopped (exit code %d): %s", c.ExitCode, check.Cut(text, 300)).
		WithT(check.Lit("un conteneur healthy", "a healthy container"), check.Lit(stateText(c).FR+"\n"+text, stateText(c).EN+"\n"+text))
}

// healthText is c's status and health, for a report.
func healthText(c engine.Container) check.Text {
	if c.Health == "" {
		return check.T("%s, sans healthcheck", "%s, no healthcheck", c.Status)
	}
	return check.Same(c.Status + ", " + c.Health)
}

func joinLines(lines []string) string {
	out := ""
	for _, l := range lines {
		out += l + "\n"
	}
	return out
}
