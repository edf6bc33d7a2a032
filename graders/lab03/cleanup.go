package lab03

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// labLabel marks the lab's images; cleanup.sh prunes the dangling ones that carry it.
const labLabel = "ddlab.lab=lab3"

// dangling reports an image with no tag. Engines before API 1.44 list "<none>:<none>".
func dangling(s engine.ImageSummary) bool {
	for _, t := range s.Tags {
		if t != "<none>:<none>" && t != "" {
			return false
		}
	}
	return true
}

// makeDangling rebuilds the submission three times under rebuildRef with a changing label:
// each build takes the tag from the one before, which stays behind untagged. It returns the
// two dangling images and the one that keeps the tag.
func (s *state) makeDangling(ctx context.Context) (gone []string, kept string, o *check.Outcome, err error) {
	var ids []string
	for i := 1; i <= 3; i++ {
		s.run.Progress(check.T("reconstruction %d/3 pour créer des images pendantes…", "rebuild %d/3 to make dangling images…", i))
		res, err := s.build(ctx, rebuildRef, map[string]string{"ddlab.lab": "lab3", "ddlab.rebuild": fmt.Sprint(i)})
		if o, ok, err := buildOutcome(ctx, res, err); !ok {
			return nil, "", &o, err
		}
		ids = append(ids, res.ImageID)
	}
	return ids[:2], ids[2], nil, nil
}

func (s *state) checkCleanup(ctx context.Context) (check.Outcome, error) {
	e := s.run.Engine
	if _, err := e.InspectImage(ctx, s.imageID); errors.Is(err, engine.ErrNotFound) {
		// pull-digest removed it and could not bring it back: build it again.
		res, err := s.build(ctx, imageRef, nil)
		if o, ok, err := buildOutcome(ctx, res, err); !ok {
			return o, err
		}
		s.imageID = res.ImageID
	} else if err != nil {
		return check.Outcome{}, err
	}
	if err := s.ensureTagged(ctx); err != nil {
		return check.Outcome{}, err
	}
	gone, kept, failed, err := s.makeDangling(ctx)
	if failed != nil || err != nil {
		return check.Verdict(failed), err
	}
	before, err := s.danglingImages(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	for _, id := range gone {
		if !contains(before, id) {
			return check.Outcome{}, fmt.Errorf("rebuild %s did not leave a dangling image (have %v)", check.ShortID(id), before)
		}
	}
	res, err := s.run.Script(ctx, "cleanup.sh", "IMAGE="+imageRef)
	if err != nil {
		return check.Outcome{}, err
	}
	o := cleanupObs{Script: res, Before: before, Kept: kept}
	if res.ExitCode == 0 && !res.TimedOut {
		if o.After, err = s.danglingImages(ctx); err != nil {
			return check.Outcome{}, err
		}
		for _, ref := range []string{imageRef, rebuildRef, s.run.Spec.Params["base"]} {
			if _, err := e.InspectImage(ctx, ref); errors.Is(err, engine.ErrNotFound) {
				o.Lost = append(o.Lost, ref)
			} else if err != nil {
				return check.Outcome{}, err
			}
		}
	}
	return judgeCleanup(o), nil
}

// cleanupObs is what lab3.cleanup sees: the lab's dangling images before cleanup.sh, its
// run, and, when it succeeded, the dangling images left and the tagged ones it removed.
type cleanupObs struct {
	Script        script.Result
	Before, After []string
	Lost          []string // tagged images (the lab's and its base) gone after the script
	Kept          string   // the rebuild that keeps rebuildRef
}

// judgeCleanup: cleanup.sh succeeds, removes every dangling image of the lab, and no tagged
// one: `docker image prune -a` is not a cleanup of dangling images.
func judgeCleanup(o cleanupObs) check.Outcome {
	if fail := scriptlab.JudgeScript("cleanup.sh", o.Script); fail != nil {
		return *fail
	}
	want := check.T("toujours là : %s, %s", "still there: %s, %s", imageRef, rebuildRef)
	switch {
	case len(o.Lost) == 1:
		return check.Failf("cleanup.sh a supprimé une image taguée : %s. Seules les images pendantes (sans tag) doivent partir.",
			"cleanup.sh removed a tagged image: %s. Only dangling (untagged) images must go.", o.Lost[0]).
			WithT(want, check.T("supprimée : %s", "removed: %s", o.Lost[0]))
	case len(o.Lost) > 1:
		lost := strings.Join(o.Lost, ", ")
		return check.Failf("cleanup.sh a supprimé des images taguées : %s. Seules les images pendantes (sans tag) doivent partir.",
			"cleanup.sh removed tagged images: %s. Only dangling (untagged) images must go.", lost).
			WithT(want, check.T("supprimées : %s", "removed: %s", lost))
	case len(o.After) > 0:
		f := check.Failf("Après cleanup.sh, il reste %d images pendantes avec le label %s.",
			"After cleanup.sh, %d dangling images labelled %s remain.", len(o.After), labLabel)
		if len(o.After) == 1 {
			f = check.Failf("Après cleanup.sh, il reste 1 image pendante avec le label %s.",
				"After cleanup.sh, 1 dangling image labelled %s remains.", labLabel)
		}
		return f.WithT(check.T("aucune image pendante %s", "no dangling %s image", labLabel), shortList(o.After))
	}
	if len(o.Before) == 1 {
		return check.Passf("1 image pendante %s supprimée ; %s et %s (taguées) conservées.",
			"1 dangling %s image removed; %s and %s (tagged) kept.", labLabel, imageRef, check.ShortID(o.Kept))
	}
	return check.Passf("%d images pendantes %s supprimées ; %s et %s (taguées) conservées.",
		"%d dangling %s images removed; %s and %s (tagged) kept.", len(o.Before), labLabel, imageRef, check.ShortID(o.Kept))
}

// danglingImages lists the IDs of the untagged images labelled for the lab.
func (s *state) danglingImages(ctx context.Context) ([]string, error) {
	list, err := s.run.Engine.ListImages(ctx, labLabel)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, img := range list {
		if dangling(img) {
			ids = append(ids, img.ID)
		}
	}
	return ids, nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
