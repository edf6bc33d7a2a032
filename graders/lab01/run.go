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
	var w webObs
	if first.Fail == nil {
		if w, err = s.observeWeb(ctx); err != nil {
			return check.Outcome{}, err
		}
		s.firstID = w.C.ID
	}
	return judgeRun(first.Fail, w), nil
}

// judgeRun: run.sh succeeds and leaves lab1-web as the contract says (judgeWeb).
func judgeRun(scriptFail *check.Outcome, w webObs) check.Outcome {
	if scriptFail != nil {
		return *scriptFail
	}
	return judgeWebObs(w)
}

// idempotentObs is what lab1.idempotent observes: both runs of run.sh, then lab1-web.
type idempotentObs struct {
	First, Second *check.Outcome // the runs' failures; nil when they succeeded
	FirstID       string         // lab1-web after the first run
	Web           webObs         // after the second run, when it succeeded
}

func (s *state) checkIdempotent(ctx context.Context) (check.Outcome, error) {
	first, err := s.firstRun(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o := idempotentObs{First: first.Fail, FirstID: s.firstID}
	if first.Fail == nil {
		if err := s.runs(ctx); err != nil {
			return check.Outcome{}, err
		}
		o.Second = s.second.Fail
		if o.Second == nil {
			if o.Web, err = s.observeWeb(ctx); err != nil {
				return check.Outcome{}, err
			}
		}
	}
	return judgeIdempotent(o), nil
}

// judgeIdempotent: run.sh, run again, succeeds and leaves lab1-web alone as the contract says,
// re-created or kept.
func judgeIdempotent(o idempotentObs) check.Outcome {
	if o.First != nil {
		return check.Skipf("Non évalué : le premier run.sh a échoué (voir lab1.run).",
			"Not evaluated: the first run.sh failed (see lab1.run).")
	}
	if f := o.Second; f != nil {
		out := *f
		out.Message.FR = "Relancé, " + strings.ToLower(out.Message.FR[:1]) + out.Message.FR[1:]
		out.Message.EN = "Run again, " + out.Message.EN
		return out
	}
	out := judgeWebObs(o.Web)
	if out.Status != check.Pass {
		return out
	}
	id := check.ShortID(o.Web.C.ID)
	if o.FirstID != "" && o.Web.C.ID != o.FirstID {
		return check.Passf("Relancé, run.sh réussit et recrée lab1-web (nouvel ID %s), seul en marche.",
			"Run again, run.sh succeeds and re-creates lab1-web (new ID %s), the only one running.", id)
	}
	return check.Passf("Relancé, run.sh réussit et lab1-web (%s) reste le seul en marche.",
		"Run again, run.sh succeeds and lab1-web (%s) stays the only one running.", id)
}

// webWant is what the contract says lab1-web is.
type webWant struct {
	Image   string // as the student names it, "ddlab/webapp:1"
	ImageID string // what that name points to on the engine
}

// webObs is lab1-web and the lab's other running containers as run.sh left them.
type webObs struct {
	C      engine.Container
	Found  bool
	Want   webWant
	Others []string
	Logs   string // the end of its logs, when it is not running
}

// observeWeb looks at lab1-web and the lab's other running containers as run.sh left them.
func (s *state) observeWeb(ctx context.Context) (webObs, error) {
	var w webObs
	image, err := s.kit.Param("image")
	if err != nil {
		return w, err
	}
	img, err := s.run.Engine.InspectImage(ctx, image)
	if err != nil {
		return w, fmt.Errorf("%s: %w (run `grade images` first)", image, err)
	}
	w.Want = webWant{Image: image, ImageID: img.ID}
	if w.C, w.Found, err = s.web(ctx); err != nil {
		return w, err
	}
	lab, err := s.run.Engine.ListContainers(ctx, engine.ContainerFilter{Labels: []string{"ddlab.lab=lab1"}})
	if err != nil {
		return w, err
	}
	w.Others = others(lab, s.run.ID)
	if w.Found && !w.C.Running {
		if logs, err := s.run.Engine.ReadLogs(ctx, w.C.ID, engine.LogOptions{Tail: 10, MaxBytes: 4 << 10}); err == nil {
			w.Logs = logs.Stdout + logs.Stderr
		}
	}
	return w, nil
}

// judgeWebObs is judgeWeb, with the end of the logs of a lab1-web that stopped.
func judgeWebObs(w webObs) check.Outcome {
	o := judgeWeb(w.C, w.Found, w.Want, w.Others)
	if w.Found && !w.C.Running {
		o.Actual = check.Lit(strings.TrimSpace(o.Actual.FR+"\n"+w.Logs), strings.TrimSpace(o.Actual.EN+"\n"+w.Logs))
	}
	return o
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
			WithT(check.T("un conteneur %s", "a container %s", webName), check.Lit("aucun", "none"))
	case c.ImageID != want.ImageID:
		return check.Failf("%s a été créé depuis l'image %s, pas depuis %s.", "%s was created from image %s, not from %s.", webName, c.Image, want.Image).
			With(want.Image, c.Image)
	case c.Labels["ddlab.lab"] != "lab1":
		got := check.Lit("aucun label ddlab.lab", "no ddlab.lab label")
		if v, ok := c.Labels["ddlab.lab"]; ok {
			got = check.Same("ddlab.lab=" + v)
		}
		return check.Failf("%s n'a pas le label ddlab.lab=lab1 : le correcteur et cleanup.sh le retrouvent par ce label.",
			"%s lacks the label ddlab.lab=lab1: the grader and cleanup.sh find it by that label.", webName).
			WithT(check.Same("ddlab.lab=lab1"), got)
	case !c.Running:
		return check.Failf("%s existe mais ne tourne pas (état %s, code de sortie %d).", "%s exists but is not running (state %s, exit code %d).",
			webName, c.Status, c.ExitCode).WithT(check.Lit("état running", "state running"), check.T("état %s, code %d", "state %s, code %d", c.Status, c.ExitCode))
	case len(others) > 0:
		return check.Failf("D'autres conteneurs du lab tournent à côté de %s : %s.", "Other containers of the lab run beside %s: %s.",
			webName, strings.Join(others, ", ")).WithT(check.T("un seul conteneur en marche, %s", "a single running container, %s", webName),
			check.Same(strings.Join(append([]string{webName}, others...), ", ")))
	}
	return check.Passf("%s tourne depuis %s, avec le label ddlab.lab=lab1 (ID %s).", "%s runs from %s, labelled ddlab.lab=lab1 (ID %s).",
		webName, want.Image, check.ShortID(c.ID))
}
