package lab03

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
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
		s.run.Progress(fmt.Sprintf("reconstruction %d/3 pour créer des images pendantes…", i))
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
	gone, kept, o, err := s.makeDangling(ctx)
	if o != nil || err != nil {
		return check.Verdict(o), err
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
	if res.ExitCode != 0 || res.TimedOut {
		return grader.ScriptFailed("cleanup.sh", res), nil
	}
	after, err := s.danglingImages(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	var lost []string
	for _, ref := range []string{imageRef, rebuildRef, s.run.Spec.Params["base"]} {
		if _, err := e.InspectImage(ctx, ref); errors.Is(err, engine.ErrNotFound) {
			lost = append(lost, ref)
		} else if err != nil {
			return check.Outcome{}, err
		}
	}
	switch {
	case len(lost) > 0:
		return check.Failf("cleanup.sh a supprimé une image taguée : %s. Seules les images pendantes (sans tag) doivent partir.",
			"cleanup.sh removed a tagged image: %s. Only dangling (untagged) images must go.", strings.Join(lost, ", ")).
			With("toujours là : "+imageRef+", "+rebuildRef, "supprimée(s) : "+strings.Join(lost, ", ")), nil
	case len(after) > 0:
		return check.Failf("Après cleanup.sh, il reste %d image(s) pendante(s) avec le label %s.",
			"After cleanup.sh, %d dangling image(s) labelled %s remain.", len(after), labLabel).
			With("0 image pendante "+labLabel, shortList(after)), nil
	}
	return check.Passf("%d images pendantes %s supprimées ; %s et %s (taguées) conservées.",
		"%d dangling %s images removed; %s and %s (tagged) kept.", len(before), labLabel, imageRef, check.ShortID(kept)), nil
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
