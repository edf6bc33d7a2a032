package lab02

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// lifecycle is what events.sh must print, in order, for the grader's container.
var lifecycle = []string{"create", "start", "die", "destroy"}

func (s *state) checkEvents(ctx context.Context) (check.Outcome, error) {
	const name = "events.sh"
	if !s.scriptExists(name) {
		return judgeEventsRun(scriptMissing(name), window{}), nil
	}
	// Another door must not speak for the student: clear what the scripts left, before the
	// window opens.
	if err := s.run.ClearLab(ctx, Grader{}.Meta().Contract); err != nil {
		return check.Outcome{}, err
	}
	w, err := s.lifecycle(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	since, until := w.since, w.until
	// events.sh takes arguments, which Run.Script does not pass: in the private copy, the
	// student's script moves aside and a wrapper takes its name (and its progress line).
	moved := ".grade-student-" + name
	if err := os.Rename(filepath.Join(s.run.Files, name), filepath.Join(s.run.Files, moved)); err != nil {
		return check.Outcome{}, err
	}
	body := fmt.Sprintf("exec sh -eu %s %d %d\n", moved, since, until)
	if err := os.WriteFile(filepath.Join(s.run.Files, name), []byte(body), 0o600); err != nil {
		return check.Outcome{}, err
	}
	sr, err := s.script(ctx, name)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeEventsRun(sr.res, w), nil
}

// judgeEventsRun: events.sh succeeds and prints the grader's lifecycle, and nothing else (judgeEvents).
func judgeEventsRun(res script.Result, w window) check.Outcome {
	if f := scriptlab.JudgeScript("events.sh", res); f != nil {
		return *f
	}
	return judgeEvents(res.Stdout, w)
}

// window is the lifecycle the grader ran: when, and which container (its name and ID are
// known only once it exists, so a script cannot print them without asking the engine).
type window struct {
	since, until int64
	name, id     string
}

// names tells whether a line of events.sh's output is about the window's container.
func (w window) names(line string) bool {
	return (w.name != "" && strings.Contains(line, w.name)) || (len(w.id) >= 12 && strings.Contains(line, check.ShortID(w.id)))
}

// lifecycle runs, inside a window of whole seconds that nothing else labelled ddlab.lab=lab2
// shares, a labelled container from create to destroy, and an unlabelled decoy that a
// script filtering by time only would print too.
func (s *state) lifecycle(ctx context.Context) (window, error) {
	r, e := s.run, s.run.Engine
	start := time.Now().Truncate(time.Second).Add(time.Second)
	if err := sleepUntil(ctx, start); err != nil {
		return window{}, err
	}
	// The decoy is only created and removed: its create and destroy are enough to show, and
	// a whole lifecycle costs seconds on this engine.
	decoy, err := e.Create(ctx, engine.RunSpec{Name: r.Name("decoy"), Image: "ddlab/busybox:1", Cmd: []string{"true"},
		Labels: map[string]string{"ddlab.run": r.ID, "ddlab.tool": "grade"}})
	if err != nil {
		return window{}, err
	}
	id, err := e.Run(ctx, engine.RunSpec{Name: r.Name("events"), Image: "ddlab/busybox:1", Cmd: []string{"true"}, Labels: r.Labels()})
	if id != "" {
		if _, werr := e.Wait(ctx, id); werr != nil && err == nil {
			err = werr
		}
		if rerr := e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id}); rerr != nil && err == nil {
			err = rerr
		}
	}
	if rerr := e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: decoy}); rerr != nil && err == nil {
		err = rerr
	}
	if err != nil {
		return window{}, err
	}
	end := time.Now().Truncate(time.Second).Add(time.Second)
	// Past the window's end, so a correct script returns at once.
	if err := sleepUntil(ctx, end.Add(200*time.Millisecond)); err != nil {
		return window{}, err
	}
	return window{since: start.Unix(), until: end.Unix(), name: r.Name("events"), id: id}, nil
}

func sleepUntil(ctx context.Context, t time.Time) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(time.Until(t)):
		return nil
	}
}

var words = regexp.MustCompile(`[A-Za-z_]+`)

// lineActions reads the lifecycle actions one line of events.sh printed, whatever the format
// (the action alone, a line with time and name, the raw JSON), each action once.
func lineActions(line string) []string {
	var seen []string
	for _, w := range words.FindAllString(strings.ToLower(line), -1) {
		if slices.Contains(lifecycle, w) && !slices.Contains(seen, w) {
			seen = append(seen, w)
		}
	}
	return seen
}

// judgeEvents wants, from the lines that name the grader's container, exactly its lifecycle,
// and no event line about anything else (the decoy, another container).
func judgeEvents(out string, w window) check.Outcome {
	var acts, others []string
	for _, line := range strings.Split(out, "\n") {
		a := lineActions(line)
		if len(a) == 0 {
			continue
		}
		if w.names(line) {
			acts = append(acts, a...)
		} else {
			others = append(others, a...)
		}
	}
	if slices.Equal(acts, lifecycle) && len(others) == 0 {
		return check.Passf("events.sh %d %d affiche create, start, die, destroy du conteneur du correcteur (%s), et rien d'autre.",
			"events.sh %d %d prints create, start, die, destroy of the grader's container (%s), and nothing else.", w.since, w.until, w.name)
	}
	var o check.Outcome
	switch {
	case len(acts) == 0 && len(others) > 0 && len(others) <= len(lifecycle):
		o = check.Failf("events.sh %d %d affiche %s sans nommer le conteneur : chaque ligne doit donner l'action et le nom (ou l'ID) du conteneur.",
			"events.sh %d %d prints %s without naming the container: each line must give the action and the container's name (or ID).", w.since, w.until, strings.Join(others, ", "))
	case len(others) > 0:
		o = check.Failf("events.sh %d %d affiche des événements d'autres conteneurs (%s) : filtrez par label (ddlab.lab=lab2) et par fenêtre (since, until).",
			"events.sh %d %d prints events of other containers (%s): filter by label (ddlab.lab=lab2) and window (since, until).", w.since, w.until, strings.Join(others, ", "))
	case len(acts) == 0:
		o = check.Failf("events.sh %d %d n'affiche rien pour le conteneur du correcteur au lieu de create, start, die, destroy.",
			"events.sh %d %d prints nothing for the grader's container instead of create, start, die, destroy.", w.since, w.until)
	default:
		o = check.Failf("events.sh %d %d affiche %s pour le conteneur du correcteur au lieu de create, start, die, destroy.",
			"events.sh %d %d prints %s for the grader's container instead of create, start, die, destroy.", w.since, w.until, strings.Join(acts, ", "))
	}
	return o.With(strings.Join(lifecycle, ", ")+" ("+w.name+")", check.Cut(out, 600))
}
