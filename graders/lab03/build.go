package lab03

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"

	"github.com/ddlab/grade/internal/buildlab"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// build builds the snapshot as tag with labels on top of the run's own, and registers the
// image for removal. The main image carries no ddlab.lab label of the grader's: lab3.labels
// must see the student's.
func (s *state) build(ctx context.Context, tag string, extra map[string]string) (engine.BuildResult, error) {
	labels := map[string]string{"ddlab.run": s.run.ID, "ddlab.tool": "grade"}
	for k, v := range extra {
		labels[k] = v
	}
	return s.kit.Build(ctx, engine.BuildRequest{Tag: tag, Labels: labels})
}

// buildOutcome is the verdict on a build that produced no image; ok is false when o is it.
func buildOutcome(ctx context.Context, res engine.BuildResult, err error) (o check.Outcome, ok bool, _ error) {
	return buildlab.Outcome(ctx, res, err, check.Text{}, check.Same(offlineBase))
}

func (s *state) checkBuild(ctx context.Context) (check.Outcome, error) {
	s.run.Progress(check.T("construction de %s…", "building %s…", imageRef))
	res, err := s.build(ctx, imageRef, nil)
	b := buildlab.Summary(res)
	s.run.Build = b
	if o, ok, err := buildOutcome(ctx, res, err); !ok {
		b.LogTail = o.Actual.EN
		return o, err
	}
	img, err := s.run.Engine.InspectImage(ctx, res.ImageID)
	if err != nil {
		return check.Outcome{}, err
	}
	s.image, s.imageID = img, img.ID
	ref, line := buildlab.FinalBase(s.df)
	return judgeBuild(buildObs{Base: ref, Line: line, Want: s.run.Spec.Params["base"], Res: res}), nil
}

// buildObs is what lab3.build sees of a build that made an image: the final stage's base as
// written, the line of the FROM naming it, and the build itself.
type buildObs struct {
	Base, Want string
	Line       int
	Res        engine.BuildResult
}

// judgeBuild: the image starts from the lab's base. A build that made no image is the kit's
// verdict (buildlab.Judge).
func judgeBuild(o buildObs) check.Outcome {
	if buildlab.NormalizeRef(o.Base) != o.Want {
		// The image exists: the other checks still grade it.
		return check.Failf("L'image se construit, mais part de `%s` au lieu de %s.", "The image builds, but starts from `%s` instead of %s.", o.Base, o.Want).
			At(dockerfileName, o.Line).With("FROM "+o.Want, "FROM "+o.Base)
	}
	return check.Passf("Image %s construite en %s (%s), à partir de %s.", "Image %s built in %s (%s), from %s.",
		imageRef, o.Res.Duration.Round(100*time.Millisecond), o.Res.Builder, o.Want)
}

// baseImage inspects the lab's base image once.
func (s *state) baseImage(ctx context.Context) (engine.Image, error) {
	if s.base == nil {
		img, err := s.run.Engine.InspectImage(ctx, s.run.Spec.Params["base"])
		if err != nil {
			return engine.Image{}, fmt.Errorf("base image %s: %w", s.run.Spec.Params["base"], err)
		}
		s.base = &img
	}
	return *s.base, nil
}

func (s *state) checkBaseShared(ctx context.Context) (check.Outcome, error) {
	base, err := s.baseImage(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeBaseShared(base.LayerIDs, s.image.LayerIDs, s.run.Spec.Params["base"]), nil
}

// judgeBaseShared: the image's first layers are all of the base's (baseRef), unchanged.
func judgeBaseShared(base, got []string, baseRef string) check.Outcome {
	k := len(base)
	if !sharesBase(got, base) {
		return check.Failf("Les %d premières couches de l'image ne sont pas celles de %s : la base n'est pas partagée.",
			"The image's first %d layers are not those of %s: the base is not shared.", k, baseRef).
			WithT(shortList(base), shortList(got[:min(len(got), k+1)]))
	}
	if k == 1 {
		return check.Passf("L'unique couche de %s est réutilisée telle quelle (%s).", "The only layer of %s is reused as it is (%s).",
			baseRef, check.ShortID(base[0]))
	}
	return check.Passf("Les %d couches de %s sont réutilisées telles quelles (%s).", "The %d layers of %s are reused as they are (%s).",
		k, baseRef, check.ShortID(base[0]))
}

// sharesBase reports whether layers start with all of base's layers.
func sharesBase(layers, base []string) bool {
	if len(base) == 0 || len(layers) < len(base) {
		return false
	}
	for i := range base {
		if layers[i] != base[i] {
			return false
		}
	}
	return true
}

func (s *state) checkLayers(ctx context.Context) (check.Outcome, error) {
	base, err := s.baseImage(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	limit, err := strconv.Atoi(s.run.Spec.Params["max-new-layers"])
	if err != nil {
		return check.Outcome{}, fmt.Errorf("params.max-new-layers: %w", err)
	}
	return judgeLayers(base, s.image, limit), nil
}

// judgeLayers: the image adds between 1 and limit layers above its base; history lines
// show which instruction made each.
func judgeLayers(base, img engine.Image, limit int) check.Outcome {
	added := len(img.LayerIDs) - len(base.LayerIDs)
	if !sharesBase(img.LayerIDs, base.LayerIDs) {
		added = len(img.LayerIDs)
	}
	hist := img.History
	if len(base.History) <= len(hist) && sharesBase(img.LayerIDs, base.LayerIDs) {
		hist = hist[len(base.History):]
	}
	// The Engine API's history has no empty_layer field: a zero size stands for it, so a layer
	// that only deletes files looks empty there. The count comes from RootFS, which is exact.
	var lines []string
	for _, h := range hist {
		mark := "—"
		if !h.EmptyLayer {
			mark = units.HumanSize(float64(h.Size))
		}
		lines = append(lines, fmt.Sprintf("%-8s %s", mark, check.Clip(instruction(h.CreatedBy), 200)))
	}
	seen := strings.Join(lines, "\n")
	switch {
	case added > limit:
		return check.Failf("L'image ajoute %d couches au-dessus de la base, plus que %d : chaque RUN, COPY ou ADD en crée une, même un RUN qui ne fait que supprimer.",
			"The image adds %d layers above its base, more than %d: every RUN, COPY or ADD makes one, even a RUN that only deletes.", added, limit).
			WithT(check.T("au plus %d couches", "at most %d layers", limit), check.Same(seen))
	case added == 0:
		return check.Failf("L'image n'ajoute aucune couche à sa base : le site n'y est pas copié.", "The image adds no layer to its base: the site is not copied into it.").
			WithT(check.Lit("1 couche (COPY site/ /www/)", "1 layer (COPY site/ /www/)"), check.Same(seen))
	case added == 1:
		return check.Passf("1 couche au-dessus de la base ; les instructions de métadonnées n'en créent pas.",
			"1 layer above the base; metadata instructions create none.")
	}
	return check.Passf("%d couches au-dessus de la base ; les instructions de métadonnées n'en créent pas.",
		"%d layers above the base; metadata instructions create none.", added)
}

// instruction strips the builders' decorations from a history line: BuildKit writes
// `LABEL a=b` (or `RUN /bin/sh -c …`), the classic builder `/bin/sh -c #(nop)  LABEL a=b`.
func instruction(createdBy string) string {
	s := strings.TrimSpace(createdBy)
	if i := strings.Index(s, "#(nop)"); i >= 0 {
		return strings.TrimSpace(s[i+len("#(nop)"):])
	}
	if rest, ok := strings.CutPrefix(s, "/bin/sh -c "); ok {
		return "RUN " + rest
	}
	return s
}

// shortList is ids in their short form, for a report.
func shortList(ids []string) check.Text {
	if len(ids) == 0 {
		return check.Lit("aucune couche", "no layer")
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = check.ShortID(id)
	}
	return check.Same(strings.Join(out, " "))
}
