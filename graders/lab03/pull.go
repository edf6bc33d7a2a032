package lab03

import (
	"context"
	"errors"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

func (s *state) checkPullDigest(ctx context.Context) (check.Outcome, error) {
	if skip, err := s.published(ctx); skip != nil || err != nil {
		return check.Verdict(skip), err
	}
	e := s.run.Engine
	tag := strings.Fields(s.run.Spec.Params["tags"])[0]
	m, err := s.reg.Resolve(ctx, repo, tag)
	if err != nil {
		return check.Outcome{}, err
	}
	// Every local name goes, so the pull has to download the image again.
	img, err := e.InspectImage(ctx, s.imageID)
	if err != nil {
		return check.Outcome{}, err
	}
	o := pullObs{Digest: m.Digest, Ref: s.reg.Host() + "/" + repo + "@" + m.Digest, WantID: img.ID}
	for _, ref := range append(append([]string{}, img.RepoTags...), img.RepoDigests...) {
		if err := e.RemoveImage(ctx, ref, false); err != nil && !errors.Is(err, engine.ErrNotFound) {
			o.Kept, o.RemoveErr = ref, err.Error()
			break
		}
	}
	if o.RemoveErr == "" {
		if _, err := e.InspectImage(ctx, s.imageID); err == nil {
			if err := e.RemoveImage(ctx, s.imageID, false); err != nil && !errors.Is(err, engine.ErrNotFound) {
				o.RemoveErr = err.Error()
			}
		}
	}
	if out, done := judgePullDigest(o); done {
		return out, nil
	}
	s.run.Progress(check.Same("docker pull " + o.Ref + "…"))
	pullErr := e.PullImage(ctx, o.Ref)
	got, err := e.InspectImage(ctx, o.Ref)
	if err == nil {
		// The image is back: it keeps its contract name for the checks after this one.
		s.imageID = got.ID
		if err := e.TagImage(ctx, got.ID, imageRef); err != nil {
			return check.Outcome{}, err
		}
	}
	if pullErr == nil && err != nil {
		return check.Outcome{}, err
	}
	o.Pulled, o.GotID = true, got.ID
	if pullErr != nil {
		o.PullErr = pullErr.Error()
	}
	out, _ := judgePullDigest(o)
	return out, nil
}

// pullObs is what lab3.pull-digest sees: the local names removed (or the one that could not
// be, and why), then the pull by digest and the ID it gave.
type pullObs struct {
	Digest, Ref string // the manifest's digest in the registry, and host/repo@digest
	WantID      string // the pushed image's ID
	Kept        string // the local name that could not be removed ("" for the image itself)
	RemoveErr   string // why removing it failed ("" when every local name went)
	Pulled      bool   // the pull was tried
	PullErr     string
	GotID       string
}

// judgePullDigest: the local image can go (no container holds it), and pulling it back by
// digest gives the same ID. decided is false before the pull.
func judgePullDigest(o pullObs) (out check.Outcome, decided bool) {
	why := check.Clip(o.RemoveErr, 200)
	unused := check.Lit("une image sans conteneur qui l'utilise", "an image no container uses")
	switch {
	case o.RemoveErr != "" && o.Kept != "":
		// The engine's own words are the Actual, apart from the sentence.
		return check.Failf("Impossible de retirer le nom local %s avant de tirer par digest : un conteneur utilise-t-il l'image ?",
			"Cannot remove the local name %s before pulling by digest: does a container use the image?", o.Kept).
			WithT(unused, check.Same(why)), true
	case o.RemoveErr != "":
		return check.Failf("L'image locale ne peut pas être supprimée avant de la tirer par digest : un conteneur utilise-t-il l'image ?",
			"The local image cannot be removed before pulling it by digest: does a container use the image?").
			WithT(unused, check.Same(why)), true
	case !o.Pulled:
		return check.Outcome{}, false
	case o.PullErr != "":
		return check.Failf("`docker pull %s` échoue.", "`docker pull %s` fails.", o.Ref).
			WithT(check.Lit("l'image tirée par son digest", "the image pulled by its digest"), check.Same(check.Clip(o.PullErr, 200))), true
	case o.GotID != o.WantID && o.GotID != o.Digest:
		return check.Failf("L'image tirée par digest a l'ID %s, pas celui de l'image poussée (%s).", "The image pulled by digest has ID %s, not that of the pushed image (%s).",
			check.ShortID(o.GotID), check.ShortID(o.WantID)).With(o.WantID, o.GotID), true
	}
	return check.Passf("Image supprimée localement puis tirée par %s : même ID %s.", "Image removed locally, then pulled by %s: same ID %s.",
		o.Digest, check.ShortID(o.GotID)), true
}
