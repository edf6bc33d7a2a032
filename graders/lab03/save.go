package lab03

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/docker/go-units"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/imagetar"
)

// archivePath is where export.sh writes the image, relative to the lab folder.
const archivePath = "out/site.tar"

func (s *state) checkSave(ctx context.Context) (check.Outcome, error) {
	e := s.run.Engine
	if err := s.ensureTagged(ctx); err != nil {
		return check.Outcome{}, err
	}
	img, err := e.InspectImage(ctx, imageRef)
	if errors.Is(err, engine.ErrNotFound) {
		return check.Failf("L'image %s n'existe plus : un script précédent l'a supprimée.", "Image %s no longer exists: an earlier script removed it.", imageRef), nil
	} else if err != nil {
		return check.Outcome{}, err
	}
	_ = os.Remove(filepath.Join(s.run.Files, archivePath)) // only what export.sh writes now counts
	res, err := s.run.Script(ctx, "export.sh", "IMAGE="+imageRef)
	if err != nil {
		return check.Outcome{}, err
	}
	if res.ExitCode != 0 || res.TimedOut {
		return grader.ScriptFailed("export.sh", res), nil
	}
	limit, err := units.FromHumanSize(s.run.Spec.Params["save-max"])
	if err != nil {
		return check.Outcome{}, fmt.Errorf("params.save-max: %w", err)
	}
	f, o := openArchive(filepath.Join(s.run.Files, archivePath), limit)
	if o != nil {
		return *o, nil
	}
	defer f.Close()
	size := fileSize(f) // before LoadImage, which closes f once sent
	a, err := imagetar.Read(f, 0)
	if err != nil {
		return check.Failf("%s n'est pas une archive `docker save` lisible : %v", "%s is not a readable `docker save` archive: %v", archivePath, err).
			With("une archive docker save", check.Clip(err.Error(), 200)), nil
	}
	id, err := a.ConfigDigest()
	if err != nil {
		return check.Failf("%s n'a pas la forme d'une archive `docker save` (%v) : `docker load` ne saurait pas la lire.",
			"%s is not shaped like a `docker save` archive (%v): `docker load` could not read it.", archivePath, err).
			With("manifest.json et la config de l'image", check.Clip(err.Error(), 200)), nil
	}
	if id != img.ID {
		return check.Failf("%s contient une autre image (%s) que %s (%s).", "%s holds another image (%s) than %s (%s).",
			archivePath, check.ShortID(id), imageRef, check.ShortID(img.ID)).With(img.ID, id), nil
	}
	// Loading may tag: only names of this lab's image are let through to the engine.
	if bad := foreignNames(a); len(bad) > 0 {
		return check.Failf("%s donnerait à l'image des noms étrangers au lab au chargement : %s.", "%s would give the image names foreign to the lab when loaded: %s.",
			archivePath, strings.Join(bad, ", ")).With(repo+":…", strings.Join(bad, ", ")), nil
	}
	if _, err := f.Seek(0, 0); err != nil {
		return check.Outcome{}, err
	}
	s.run.Progress("docker load " + archivePath + "…")
	loaded, err := e.LoadImage(ctx, f)
	if err != nil {
		if ctx.Err() != nil {
			return check.Outcome{}, ctx.Err()
		}
		return check.Failf("docker load refuse %s : %s", "docker load refuses %s: %s", archivePath, check.Clip(err.Error(), 200)).
			With("une archive rechargeable", check.Clip(err.Error(), 200)), nil
	}
	for _, ref := range loaded {
		got, err := e.InspectImage(ctx, ref)
		if err != nil {
			return check.Outcome{}, err
		}
		if got.ID != img.ID {
			return check.Failf("docker load de %s donne l'image %s, pas %s.", "docker load of %s gives image %s, not %s.",
				archivePath, check.ShortID(got.ID), check.ShortID(img.ID)).With(img.ID, got.ID), nil
		}
	}
	if len(loaded) == 0 {
		return check.Failf("docker load de %s ne charge aucune image.", "docker load of %s loads no image.", archivePath).
			With(img.ID, "rien"), nil
	}
	return check.Passf("%s (%s) se recharge avec docker load : même ID %s.", "%s (%s) loads back with docker load: same ID %s.",
		archivePath, units.HumanSize(float64(size)), check.ShortID(img.ID)), nil
}

// openArchive opens the archive export.sh wrote; o is the verdict when it cannot be read.
func openArchive(p string, limit int64) (*os.File, *check.Outcome) {
	fail := func(o check.Outcome) (*os.File, *check.Outcome) { return nil, &o }
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail(check.Failf("export.sh a réussi mais n'a pas écrit %s.", "export.sh succeeded but did not write %s.", archivePath).
			With(archivePath, "absent"))
	case err != nil:
		return fail(check.Failf("%s est illisible : %v", "%s is unreadable: %v", archivePath, err))
	case !st.Mode().IsRegular():
		return fail(check.Failf("%s n'est pas un fichier ordinaire (lien symbolique ?).", "%s is not a regular file (a symbolic link?).", archivePath))
	case st.Size() > limit:
		return fail(check.Failf("%s pèse %s, plus que %s.", "%s weighs %s, more than %s.", archivePath,
			units.HumanSize(float64(st.Size())), units.HumanSize(float64(limit))))
	}
	f, err := os.Open(p)
	if err != nil {
		return fail(check.Failf("%s est illisible : %v", "%s is unreadable: %v", archivePath, err))
	}
	return f, nil
}

// foreignNames lists the names the archive would tag that are not the lab image's names.
func foreignNames(a *imagetar.Archive) []string {
	var names, bad []string
	for _, m := range a.Manifest {
		names = append(names, m.RepoTags...)
	}
	names = append(names, a.OtherNames...)
	for _, n := range names {
		name := n
		// A registry host prefix (127.0.0.1:5000/lab3/site:1.0) keeps the lab's repository.
		if i := strings.Index(name, "/"+repo+":"); i > 0 && !strings.Contains(name[:i], "/") {
			name = name[i+1:]
		}
		name = strings.TrimPrefix(strings.TrimPrefix(name, "docker.io/"), "library/")
		if !strings.HasPrefix(name, repo+":") || strings.ContainsAny(strings.TrimPrefix(name, repo+":"), "/@ ") {
			bad = append(bad, n)
		}
	}
	return bad
}

func fileSize(f *os.File) int64 {
	st, err := f.Stat()
	if err != nil {
		return 0
	}
	return st.Size()
}
