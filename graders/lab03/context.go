package lab03

import (
	"context"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/imagetar"
)

// maxListed is how many offending paths a message lists.
const maxListed = 8

// contextUse is what the build context held, measured on the snapshot: the grader's copy is
// exactly what `docker build` sends once .dockerignore is applied.
type contextUse struct {
	Bytes int64
	Files int
	Traps []string // trap paths that made it into the context
}

func measureContext(dir string, traps []string) (contextUse, error) {
	var u contextUse
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		if !strings.Contains(rel, "/") && isTrap(rel, traps) {
			u.Traps = append(u.Traps, rel)
		}
		if d.Type().IsRegular() {
			info, err := d.Info()
			if err != nil {
				return err
			}
			u.Bytes += info.Size()
			u.Files++
		}
		return nil
	})
	sort.Strings(u.Traps)
	return u, err
}

func isTrap(name string, traps []string) bool {
	for _, t := range traps {
		if name == t {
			return true
		}
	}
	return false
}

// trapsInLayers lists the paths of the new layers (those not shared with the base) that
// carry a trap as one of their elements: /www/big.bin, /www/.git/HEAD, /www/drafts/…
func trapsInLayers(layers []imagetar.Layer, base []string, traps []string) []string {
	shared := map[string]bool{}
	for _, id := range base {
		shared[id] = true
	}
	seen := map[string]bool{}
	var found []string
	for _, l := range layers {
		if l.DiffID != "" && shared[l.DiffID] {
			continue
		}
		for _, e := range l.Entries {
			if e.Whiteout {
				continue
			}
			for _, el := range strings.Split(strings.TrimPrefix(e.Path, "/"), "/") {
				if isTrap(el, traps) {
					// Report the trap itself, not each file under a trapped folder.
					p := e.Path[:strings.Index(e.Path+"/", "/"+el+"/")+len(el)+1]
					if !seen[p] {
						seen[p] = true
						found = append(found, p)
					}
					break
				}
			}
		}
	}
	sort.Strings(found)
	return found
}

// whiteouts lists the whiteout markers of the new layers.
func whiteouts(layers []imagetar.Layer, base []string) []string {
	shared := map[string]bool{}
	for _, id := range base {
		shared[id] = true
	}
	var found []string
	for _, l := range layers {
		if l.DiffID != "" && shared[l.DiffID] {
			continue
		}
		for _, e := range l.Entries {
			if e.Whiteout {
				found = append(found, e.Path)
			}
		}
	}
	sort.Strings(found)
	return found
}

func (s *state) checkContext(ctx context.Context) (check.Outcome, error) {
	traps := strings.Fields(s.run.Spec.Params["traps"])
	ps := grader.ReadValues(s.run.Spec)
	limit := ps.Size("context-limit")
	if ps.Err != nil {
		return check.Outcome{}, ps.Err
	}
	use, err := measureContext(s.run.Dir, traps)
	if err != nil {
		return check.Outcome{}, err
	}
	base, err := s.baseImage(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	layers, err := s.imageLayers(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeContext(contextObs{Use: use, Layers: layers, Base: base.LayerIDs, Traps: traps, Limit: limit}), nil
}

// contextObs is what lab3.context sees: the context sent to the builder and the image's
// layers, those of the base (Base, by diff ID) included.
type contextObs struct {
	Use    contextUse
	Layers []imagetar.Layer
	Base   []string
	Traps  []string
	Limit  int64
}

// judgeContext: no trap in any new layer (even one a later layer deletes), none in the
// context, and a context under the limit.
func judgeContext(o contextObs) check.Outcome {
	use, traps, limit := o.Use, o.Traps, o.Limit
	inLayers := trapsInLayers(o.Layers, o.Base, traps)
	size := check.Size(float64(use.Bytes))
	switch {
	case len(inLayers) > 0:
		return check.Failf("%s est dans une couche de l'image : ce qui entre dans une couche y reste, même supprimé ensuite.",
			"%s is in a layer of the image: what enters a layer stays there, even when deleted later.", inLayers[0]).
			WithT(check.T("aucun de : %s", "none of: %s", strings.Join(traps, ", ")), check.Same(listed(inLayers)))
	case len(use.Traps) > 0:
		return check.Failf("Le contexte de build envoyé au builder contient %s (%s en tout) : .dockerignore ne l'exclut pas.",
			"The build context sent to the builder holds %s (%s in all): .dockerignore does not exclude it.", strings.Join(use.Traps, ", "), size).
			WithT(check.T("aucun de : %s", "none of: %s", strings.Join(traps, ", ")), check.Same(listed(use.Traps)))
	case use.Bytes >= limit:
		return check.Failf("Le contexte de build pèse %s (%d fichiers), plus que %s.", "The build context weighs %s (%d files), more than %s.",
			size, use.Files, check.Size(float64(limit))).
			WithT(check.T("< %s", "< %s", check.Size(float64(limit))), size)
	}
	return check.Passf("Contexte de %s (%d fichiers) sans %s ; aucune couche ne les contient.",
		"Context of %s (%d files) without %s; no layer holds them.", size, use.Files, strings.Join(traps, ", "))
}

func (s *state) checkNoWhiteout(ctx context.Context) (check.Outcome, error) {
	ps := grader.ReadValues(s.run.Spec)
	limit := ps.Size("max-delta")
	if ps.Err != nil {
		return check.Outcome{}, ps.Err
	}
	base, err := s.baseImage(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	layers, err := s.imageLayers(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeNoWhiteout(whiteoutObs{Layers: layers, Base: base.LayerIDs, Delta: s.image.Size - base.Size, Limit: limit}), nil
}

// whiteoutObs is what lab3.no-whiteout sees: the image's layers, the base's diff IDs, and
// how much the image weighs above its base.
type whiteoutObs struct {
	Layers       []imagetar.Layer
	Base         []string
	Delta, Limit int64
}

// judgeNoWhiteout: the new layers delete nothing, and the image weighs less than limit
// above its base.
func judgeNoWhiteout(o whiteoutObs) check.Outcome {
	delta, limit := o.Delta, o.Limit
	got := check.Size(float64(delta))
	if wh := whiteouts(o.Layers, o.Base); len(wh) > 0 {
		o := check.Failf("Les nouvelles couches contiennent %d « whiteouts » (%s…) : des fichiers supprimés après coup, qui pèsent encore dans l'image (+%s).",
			"The new layers hold %d whiteouts (%s…): files deleted afterwards, which still weigh in the image (+%s).",
			len(wh), path.Base(wh[0]), got)
		if len(wh) == 1 {
			o = check.Failf("Les nouvelles couches contiennent un « whiteout » (%s) : un fichier supprimé après coup, qui pèse encore dans l'image (+%s).",
				"The new layers hold a whiteout (%s): a file deleted afterwards, which still weighs in the image (+%s).",
				path.Base(wh[0]), got)
		}
		return o.WithT(check.Lit("aucun .wh.*", "no .wh.*"), check.Same(listed(wh)))
	}
	if delta >= limit {
		return check.Failf("L'image pèse %s de plus que sa base, au-delà de %s : que copie-t-elle en plus du site ?",
			"The image weighs %s more than its base, beyond %s: what does it copy besides the site?", got, check.Size(float64(limit))).
			WithT(check.T("< %s", "< %s", check.Size(float64(limit))), got)
	}
	return check.Passf("Aucun whiteout ; l'image pèse %s de plus que sa base.", "No whiteout; the image weighs %s more than its base.", got)
}

func listed(paths []string) string {
	if len(paths) > maxListed {
		return strings.Join(paths[:maxListed], "\n") + fmt.Sprintf("\n… (+%d)", len(paths)-maxListed)
	}
	return strings.Join(paths, "\n")
}
