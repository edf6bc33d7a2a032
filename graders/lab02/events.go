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
	"github.com/ddlab/grade/internal/grader"
)

// lifecycle is what events.sh must print, in order, for the grader's container.
var lifecycle = []string{"create", "start", "die", "destroy"}

func (s *state) checkEvents(ctx context.Context) (check.Outcome, error) {
	const name = "events.sh"
	if !s.scriptExists(name) {
		return grader.ScriptFailed(name, scriptMissing(name)), nil
	}
	// Another door must not speak for the student: clear what the scripts left, before the
	// window opens.
	if err := s.run.ClearLab(ctx, Grader{}.Contract()); err != nil {
		return check.Outcome{}, err
	}
	since, until, err := s.lifecycle(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
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
	if sr.res.ExitCode != 0 || sr.res.TimedOut {
		return grader.ScriptFailed(name, sr.res), nil
	}
	return judgeEvents(sr.res.Stdout, since, until), nil
}

// lifecycle runs, inside a window of whole seconds that nothing else labelled ddlab.lab=lab2
// shares, a labelled container from create to destroy, and an unlabelled decoy that a
// script filtering by time only would print too.
func (s *state) lifecycle(ctx context.Context) (since, until int64, err error) {
	r, e := s.run, s.run.Engine
	start := time.Now().Truncate(time.Second).Add(time.Second)
	if err := sleepUntil(ctx, start); err != nil {
		return 0, 0, err
	}
	// The decoy is only created and removed: its create and destroy are enough to show, and
	// a whole lifecycle costs seconds on this engine.
	decoy, err := e.Create(ctx, engine.RunSpec{Name: r.Name("decoy"), Image: "ddlab/busybox:1", Cmd: []string{"true"},
		Labels: map[string]string{"ddlab.run": r.ID, "ddlab.tool": "grade"}})
	if err != nil {
		return 0, 0, err
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
		return 0, 0, err
	}
	end := time.Now().Truncate(time.Second).Add(time.Second)
	// Past the window's end, so a correct script returns at once.
	if err := sleepUntil(ctx, end.Add(200*time.Millisecond)); err != nil {
		return 0, 0, err
	}
	return start.Unix(), end.Unix(), nil
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

// eventActions reads the actions events.sh printed, whatever the format (the action alone,
// a line with time and name, the raw JSON): each line counts each action word once.
func eventActions(out string) []string {
	var acts []string
	for _, line := range strings.Split(out, "\n") {
		var seen []string
		for _, w := range words.FindAllString(strings.ToLower(line), -1) {
			if slices.Contains(lifecycle, w) && !slices.Contains(seen, w) {
				seen = append(seen, w)
			}
		}
		acts = append(acts, seen...)
	}
	return acts
}

func judgeEvents(out string, since, until int64) check.Outcome {
	acts := eventActions(out)
	if slices.Equal(acts, lifecycle) {
		return check.Passf("events.sh %d %d affiche create, start, die, destroy du conteneur du correcteur, et rien d'autre.",
			"events.sh %d %d prints create, start, die, destroy of the grader's container, and nothing else.", since, until)
	}
	o := check.Failf("events.sh %d %d affiche %s au lieu de create, start, die, destroy.",
		"events.sh %d %d prints %s instead of create, start, die, destroy.", since, until, orNothing(acts))
	if len(acts) > len(lifecycle) {
		o = check.Failf("events.sh %d %d affiche trop d'événements (%s) : filtrez par label (ddlab.lab=lab2) et par fenêtre (since, until).",
			"events.sh %d %d prints too many events (%s): filter by label (ddlab.lab=lab2) and window (since, until).", since, until, orNothing(acts))
	}
	return o.With(strings.Join(lifecycle, ", "), shorten(out, 600))
}

func orNothing(acts []string) string {
	if len(acts) == 0 {
		return "rien"
	}
	return strings.Join(acts, ", ")
}
