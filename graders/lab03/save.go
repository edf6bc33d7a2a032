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
	"github.com/ddlab/grade/internal/imagetar"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// archivePath is where export.sh writes the image, relative to the lab folder.
const archivePath = "out/site.tar"

func (s *state) checkSave(ctx context.Context) (check.Outcome, error) {
	e := s.run.Engine
	if err := s.ensureTagged(ctx); err != nil {
		return check.Outcome{}, err
	}
	limit, err := units.FromHumanSize(s.run.Spec.Params["save-max"])
	if err != nil {
		return check.Outcome{}, fmt.Errorf("params.save-max: %w", err)
	}
	o := saveObs{Limit: limit}
	img, err := e.InspectImage(ctx, imageRef)
	if errors.Is(err, engine.ErrNotFound) {
		o.Gone = true
	} else if err != nil {
		return check.Outcome{}, err
	}
	o.WantID = img.ID
	judge := func() (check.Outcome, bool) { return judgeSave(o) }
	if out, done := judge(); done {
		return out, nil
	}
	p := filepath.Join(s.run.Files, archivePath)
	_ = os.Remove(p) // only what export.sh writes now counts
	res, err := s.run.Script(ctx, "export.sh", "IMAGE="+imageRef)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Script = &res
	o.File = statArchive(p)
	if out, done := judge(); done {
		return out, nil
	}
	f, err := os.Open(p)
	if err != nil {
		o.File.Err = err.Error()
		out, _ := judge()
		return out, nil
	}
	defer f.Close()
	a, err := imagetar.Read(f, 0)
	o.Archive = &archiveObs{Archive: a}
	if err != nil {
		o.Archive.ReadErr = err.Error()
	}
	if out, done := judge(); done {
		return out, nil
	}
	if _, err := f.Seek(0, 0); err != nil {
		return check.Outcome{}, err
	}
	s.run.Progress(check.Same("docker load " + archivePath + "…"))
	loaded, err := e.LoadImage(ctx, f)
	o.Load = &loadObs{}
	if err != nil {
		if ctx.Err() != nil {
			return check.Outcome{}, ctx.Err()
		}
		o.Load.Err = err.Error()
	}
	for _, ref := range loaded {
		got, err := e.InspectImage(ctx, ref)
		if err != nil {
			return check.Outcome{}, err
		}
		o.Load.IDs = append(o.Load.IDs, got.ID)
	}
	out, _ := judge()
	return out, nil
}

// saveObs is what lab3.save sees, stage by stage (a nil stage is not observed yet): whether
// the image still exists, export.sh's run, the archive it wrote as a file, then as a
// `docker save` archive, then what `docker load` made of it.
type saveObs struct {
	Gone    bool   // an earlier script removed the image
	WantID  string // the image's ID
	Limit   int64  // the largest archive read
	Script  *script.Result
	File    *archiveFile
	Archive *archiveObs
	Load    *loadObs
}

// archiveFile is out/site.tar as a file.
type archiveFile struct {
	Missing bool
	Err     string // it could not be examined or opened
	Regular bool
	Size    int64
}

// archiveObs is the archive as read; Archive holds what was read even when ReadErr is set.
type archiveObs struct {
	Archive *imagetar.Archive
	ReadErr string
}

// loadObs is what `docker load` said and the IDs of the images it named.
type loadObs struct {
	Err string
	IDs []string
}

// judgeSave: export.sh writes out/site.tar, a `docker save` archive of the image alone (no
// name foreign to the lab, which loading would tag), that `docker load` turns back into the
// same image. decided is false while the next stage is needed.
func judgeSave(o saveObs) (out check.Outcome, decided bool) {
	if o.Gone {
		return check.Failf("L'image %s n'existe plus : un script précédent l'a supprimée.", "Image %s no longer exists: an earlier script removed it.", imageRef), true
	}
	if o.Script == nil {
		return check.Outcome{}, false
	}
	if fail := scriptlab.JudgeScript("export.sh", *o.Script); fail != nil {
		return *fail, true
	}
	if o.File == nil {
		return check.Outcome{}, false
	}
	if fail := judgeArchiveFile(*o.File, o.Limit); fail != nil {
		return *fail, true
	}
	if o.Archive == nil {
		return check.Outcome{}, false
	}
	if fail := judgeArchive(*o.Archive, o.WantID); fail != nil {
		return *fail, true
	}
	if o.Load == nil {
		return check.Outcome{}, false
	}
	if o.Load.Err != "" {
		return check.Failf("docker load refuse %s : %s", "docker load refuses %s: %s", archivePath, check.Clip(o.Load.Err, 200)).
			WithT(check.Lit("une archive rechargeable", "an archive that loads back"), check.Same(check.Clip(o.Load.Err, 200))), true
	}
	for _, id := range o.Load.IDs {
		if id != o.WantID {
			return check.Failf("docker load de %s donne l'image %s, pas %s.", "docker load of %s gives image %s, not %s.",
				archivePath, check.ShortID(id), check.ShortID(o.WantID)).With(o.WantID, id), true
		}
	}
	if len(o.Load.IDs) == 0 {
		return check.Failf("docker load de %s ne charge aucune image.", "docker load of %s loads no image.", archivePath).
			WithT(check.Same(o.WantID), check.Lit("rien", "nothing")), true
	}
	return check.Passf("%s (%s) se recharge avec docker load : même ID %s.", "%s (%s) loads back with docker load: same ID %s.",
		archivePath, units.HumanSize(float64(o.File.Size)), check.ShortID(o.WantID)), true
}

// judgeArchiveFile is the verdict on an archive file the grader cannot read; nil when it can.
func judgeArchiveFile(f archiveFile, limit int64) *check.Outcome {
	var o check.Outcome
	switch {
	case f.Missing:
		o = check.Failf("export.sh a réussi mais n'a pas écrit %s.", "export.sh succeeded but did not write %s.", archivePath).
			WithT(check.Same(archivePath), check.Lit("absent", "missing"))
	case f.Err != "":
		o = check.Failf("%s est illisible : %s", "%s is unreadable: %s", archivePath, f.Err)
	case !f.Regular:
		o = check.Failf("%s n'est pas un fichier ordinaire (lien symbolique ?).", "%s is not a regular file (a symbolic link?).", archivePath)
	case f.Size > limit:
		o = check.Failf("%s pèse %s, plus que %s.", "%s weighs %s, more than %s.", archivePath,
			units.HumanSize(float64(f.Size)), units.HumanSize(float64(limit)))
	default:
		return nil
	}
	return &o
}

// judgeArchive is the verdict on an archive that is not the image alone, as `docker save`
// writes it; nil when it is.
func judgeArchive(a archiveObs, want string) *check.Outcome {
	fail := func(o check.Outcome) *check.Outcome { return &o }
	if a.ReadErr != "" {
		return fail(check.Failf("%s n'est pas une archive `docker save` lisible : %s", "%s is not a readable `docker save` archive: %s", archivePath, a.ReadErr).
			WithT(check.Lit("une archive `docker save`", "a `docker save` archive"), check.Same(check.Clip(a.ReadErr, 200))))
	}
	id, err := a.Archive.ConfigDigest()
	if err != nil {
		return fail(check.Failf("%s n'a pas la forme d'une archive `docker save` (%v) : `docker load` ne saurait pas la lire.",
			"%s is not shaped like a `docker save` archive (%v): `docker load` could not read it.", archivePath, err).
			WithT(check.Lit("manifest.json et la config de l'image", "manifest.json and the image's config"), check.Same(check.Clip(err.Error(), 200))))
	}
	if id != want {
		return fail(check.Failf("%s contient une autre image (%s) que %s (%s).", "%s holds another image (%s) than %s (%s).",
			archivePath, check.ShortID(id), imageRef, check.ShortID(want)).With(want, id))
	}
	// Loading may tag: only names of this lab's image are let through to the engine.
	if bad := foreignNames(a.Archive); len(bad) > 0 {
		return fail(check.Failf("%s donnerait à l'image des noms étrangers au lab au chargement : %s.", "%s would give the image names foreign to the lab when loaded: %s.",
			archivePath, strings.Join(bad, ", ")).With(repo+":…", strings.Join(bad, ", ")))
	}
	return nil
}

// statArchive looks at the archive export.sh wrote, without following a link.
func statArchive(p string) *archiveFile {
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &archiveFile{Missing: true}
	case err != nil:
		return &archiveFile{Err: err.Error()}
	}
	return &archiveFile{Regular: st.Mode().IsRegular(), Size: st.Size()}
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
