package lab01

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

func (s *state) checkRun(ctx context.Context) (check.Outcome, error) {
	first, err := s.firstRun(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if first.Fail != nil {
		return *first.Fail, nil
	}
	o, c, err := s.judgeWebNow(ctx)
	s.firstID = c.ID
	return o, err
}

func (s *state) checkIdempotent(ctx context.Context) (check.Outcome, error) {
	first, err := s.firstRun(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if first.Fail != nil {
		return check.Skipf("Non évalué : le premier run.sh a échoué (voir lab1.run).",
			"Not evaluated: the first run.sh failed (see lab1.run)."), nil
	}
	if err := s.runs(ctx); err != nil {
		return check.Outcome{}, err
	}
	if f := s.second.Fail; f != nil {
		o := *f
		o.Message.FR = "Relancé, " + strings.ToLower(o.Message.FR[:1]) + o.Message.FR[1:]
		o.Message.EN = "Run again, " + o.Message.EN
		return o, nil
	}
	o, c, err := s.judgeWebNow(ctx)
	if err != nil || o.Status != check.Pass {
		return o, err
	}
	if s.firstID != "" && c.ID != s.firstID {
		return check.Passf("Relancé, run.sh réussit et recrée lab1-web (nouvel ID %.12s), seul en marche.",
			"Run again, run.sh succeeds and re-creates lab1-web (new ID %.12s), the only one running.", c.ID), nil
	}
	return check.Passf("Relancé, run.sh réussit et lab1-web (%.12s) reste le seul en marche.",
		"Run again, run.sh succeeds and lab1-web (%.12s) stays the only one running.", c.ID), nil
}

// webWant is what the contract says lab1-web is.
type webWant struct {
	Image   string // as the student names it, "ddlab/webapp:1"
	ImageID string // what that name points to on the engine
}

// judgeWebNow looks at lab1-web and the lab's other running containers as run.sh left them.
func (s *state) judgeWebNow(ctx context.Context) (check.Outcome, engine.Container, error) {
	image, err := s.kit.Param("image")
	if err != nil {
		return check.Outcome{}, engine.Container{}, err
	}
	img, err := s.run.Engine.InspectImage(ctx, image)
	if err != nil {
		return check.Outcome{}, engine.Container{}, fmt.Errorf("%s: %w (run `grade images` first)", image, err)
	}
	c, found, err := s.web(ctx)
	if err != nil {
		return check.Outcome{}, c, err
	}
	lab, err := s.run.Engine.ListContainers(ctx, engine.ContainerFilter{Labels: []string{"ddlab.lab=lab1"}})
	if err != nil {
		return check.Outcome{}, c, err
	}
	o := judgeWeb(c, found, webWant{Image: image, ImageID: img.ID}, others(lab, s.run.ID))
	if found && !c.Running {
		logs, err := s.run.Engine.ReadLogs(ctx, c.ID, engine.LogOptions{Tail: 10, MaxBytes: 4 << 10})
		if err == nil {
			o.Actual = strings.TrimSpace(o.Actual + "\n" + logs.Stdout + logs.Stderr)
		}
	}
	return o, c, nil
}

// others lists the lab's running containers that are not lab1-web and not this run's own
// (by run ID: a label a script could copy would hide its containers).
func others(lab []engine.ContainerSummary, runID string) []string {
	var out []string
	for _, c := range lab {
		if c.Name == webName || c.State != "running" || c.Labels["ddlab.run"] == runID {
			continue
		}
		out = append(out, c.Name)
	}
	sort.Strings(out)
	return out
}

// judgeWeb says whether lab1-web is what run.sh must leave: from the image, labelled,
// running, and alone.
func judgeWeb(c engine.Container, found bool, want webWant, others []string) check.Outcome {
	switch {
	case !found:
		return check.Failf("Aucun conteneur nommé %s n'existe après run.sh.", "No container named %s exists after run.sh.", webName).
			With("un conteneur "+webName, "aucun")
	case c.ImageID != want.ImageID:
		return check.Failf("%s a été créé depuis l'image %s, pas depuis %s.", "%s was created from image %s, not from %s.", webName, c.Image, want.Image).
			With(want.Image, c.Image)
	case c.Labels["ddlab.lab"] != "lab1":
		got := "aucun label ddlab.lab"
		if v, ok := c.Labels["ddlab.lab"]; ok {
			got = "ddlab.lab=" + v
		}
		return check.Failf("%s n'a pas le label ddlab.lab=lab1 : le correcteur et cleanup.sh le retrouvent par ce label.",
			"%s lacks the label ddlab.lab=lab1: the grader and cleanup.sh find it by that label.", webName).
			With("ddlab.lab=lab1", got)
	case !c.Running:
		return check.Failf("%s existe mais ne tourne pas (état %s, code de sortie %d).", "%s exists but is not running (state %s, exit code %d).",
			webName, c.Status, c.ExitCode).With("état running", fmt.Sprintf("état %s, code %d", c.Status, c.ExitCode))
	case len(others) > 0:
		return check.Failf("D'autres conteneurs du lab tournent à côté de %s : %s.", "Other containers of the lab run beside %s: %s.",
			webName, strings.Join(others, ", ")).With("un seul conteneur en marche, "+webName, strings.Join(append([]string{webName}, others...), ", "))
	}
	return check.Passf("%s tourne depuis %s, avec le label ddlab.lab=lab1 (ID %.12s).", "%s runs from %s, labelled ddlab.lab=lab1 (ID %.12s).",
		webName, want.Image, c.ID)
}
