package grader

import (
	"context"
	"errors"

	"github.com/ddlab/grade/internal/engine"
)

// Sweep removes every object that carries label, containers first so networks, volumes and
// images are free to go. It is the safety net of a run (whatever a check forgot, the run's
// label finds) and what `grade batch` runs for a grading process it had to kill.
func Sweep(ctx context.Context, e engine.System, label string) error {
	refs, err := e.List(ctx, label)
	if err != nil {
		return err
	}
	var errs []error
	for _, kind := range []engine.Kind{engine.KindContainer, engine.KindNetwork, engine.KindVolume, engine.KindImage} {
		for _, r := range refs {
			if r.Kind == kind {
				if err := e.Remove(ctx, r); err != nil {
					errs = append(errs, err)
				}
			}
		}
	}
	return errors.Join(errs...)
}

// RunLabelOf is the label filter that finds the objects of the run with this ID.
func RunLabelOf(id string) string { return "ddlab.run=" + id }
