// Package buildctx makes the private copy of a submission that grading reads, edits and
// sends to the builder. The copy holds exactly the build context `docker build` would send
// (.dockerignore applied with the CLI's own code), and refuses what could hurt the grader:
// links leaving the submission, special files, and contexts too large to send.
package buildctx

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/docker/go-units"
	"github.com/moby/go-archive"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"

	"github.com/ddlab/grade/internal/check"
)

// Limits bound a snapshot.
type Limits struct {
	MaxBytes int64 // total size of the context's regular files
	MaxFiles int
}

// Snapshot is the private copy of a submission.
type Snapshot struct {
	Dir      string
	Bytes    int64
	Files    int
	Problems []Problem // each is a reason to refuse the submission
}

// Problem is one refused entry, with a sentence for the student.
type Problem struct {
	Path    string
	Message check.Text
}

// Take copies the build context of src (after .dockerignore) into dst, which must exist and
// be empty. A problem with the submission goes into Problems; the error is for the grader's
// own failures.
func Take(src, dst, dockerfile string, lim Limits) (*Snapshot, error) {
	src, err := filepath.Abs(src)
	if err != nil {
		return nil, err
	}
	// Like the docker CLI, follow a link naming the folder itself: archiving it would send
	// the link alone.
	if resolved, err := filepath.EvalSymlinks(src); err == nil {
		src = resolved
	}
	st, err := os.Stat(src)
	if err != nil {
		return nil, fmt.Errorf("submission: %w", err)
	}
	if !st.IsDir() {
		return nil, fmt.Errorf("submission %s is not a folder", src)
	}
	excludes, err := readIgnore(src)
	snap := &Snapshot{Dir: dst}
	if err != nil {
		snap.Problems = append(snap.Problems, Problem{".dockerignore", check.T(
			".dockerignore illisible : %v", ".dockerignore is unreadable: %v", err)})
		return snap, nil
	}
	// A pattern docker build rejects is the submission's fault, not the grader's.
	if _, err := patternmatcher.New(excludes); err != nil {
		snap.Problems = append(snap.Problems, Problem{".dockerignore", check.T(
			".dockerignore invalide : %v", ".dockerignore is invalid: %v", err)})
		return snap, nil
	}
	return snap, snap.copy(src, trimBuildFiles(excludes, dockerfile), lim)
}

// TakeAll copies the whole of src into dst, .dockerignore or not, with the same limits and
// refusals as Take: the folder student scripts run in.
func TakeAll(src, dst string, lim Limits) (*Snapshot, error) {
	src, err := filepath.Abs(src)
	if err != nil {
		return nil, err
	}
	if resolved, err := filepath.EvalSymlinks(src); err == nil {
		src = resolved
	}
	if st, err := os.Stat(src); err != nil {
		return nil, fmt.Errorf("submission: %w", err)
	} else if !st.IsDir() {
		return nil, fmt.Errorf("submission %s is not a folder", src)
	}
	snap := &Snapshot{Dir: dst}
	return snap, snap.copy(src, nil, lim)
}

func (snap *Snapshot) copy(src string, excludes []string, lim Limits) error {
	rc, err := archive.TarWithOptions(src, &archive.TarOptions{ExcludePatterns: excludes})
	if err != nil {
		return fmt.Errorf("build context: %w", err)
	}
	defer rc.Close()
	if err := snap.extract(rc, lim); err != nil {
		// go-archive writes a header before it opens the file: a file the grader cannot
		// read breaks the stream. That is the submission's doing; name the file.
		if p := unreadable(src, excludes); p != "" {
			snap.Problems = append(snap.Problems, Problem{p, check.T(
				"%s est illisible (droits ?) : rendez-le lisible ou excluez-le avec .dockerignore.",
				"%s cannot be read (permissions?): make it readable or exclude it with .dockerignore.", p)})
			return nil
		}
		return err
	}
	return nil
}

// unreadable returns the first path of the context that cannot be opened, or "".
func unreadable(src string, excludes []string) string {
	pm, err := patternmatcher.New(excludes)
	if err != nil {
		return ""
	}
	found := ""
	_ = filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		rel, _ := filepath.Rel(src, p)
		if rel == "." {
			return err
		}
		if skip, _ := pm.MatchesOrParentMatches(filepath.ToSlash(rel)); skip {
			if d != nil && d.IsDir() && !pm.Exclusions() {
				return filepath.SkipDir
			}
			return nil
		}
		if err != nil {
			found = rel
			return filepath.SkipAll
		}
		if d.Type().IsRegular() {
			f, err := os.Open(p)
			if err != nil {
				found = rel
				return filepath.SkipAll
			}
			f.Close()
		}
		return nil
	})
	return found
}

// Excludes returns the exclusion patterns `docker build` applies to dir's context: its
// .dockerignore, with the Dockerfile and .dockerignore kept as the CLI keeps them.
func Excludes(dir, dockerfile string) ([]string, error) {
	excludes, err := readIgnore(dir)
	if err != nil {
		return nil, err
	}
	return trimBuildFiles(excludes, dockerfile), nil
}

// readIgnore reads .dockerignore as the docker CLI does. A .dockerignore that is a link, a
// folder or huge is refused rather than followed.
func readIgnore(src string) ([]string, error) {
	p := filepath.Join(src, ".dockerignore")
	st, err := os.Lstat(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, errors.New("ce n'est pas un fichier ordinaire / not a regular file")
	}
	if st.Size() > 1<<20 {
		return nil, errors.New("plus de 1 Mo / larger than 1 MiB")
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ignorefile.ReadAll(f)
}

// trimBuildFiles keeps the Dockerfile and .dockerignore in the context even when excluded,
// as the docker CLI's build.TrimBuildFilesFromExcludes does; the builder hides them again.
func trimBuildFiles(excludes []string, dockerfile string) []string {
	if keep, _ := patternmatcher.Matches(".dockerignore", excludes); keep {
		excludes = append(excludes, "!.dockerignore")
	}
	dockerfile = filepath.ToSlash(dockerfile)
	if keep, _ := patternmatcher.Matches(dockerfile, excludes); keep {
		excludes = append(excludes, "!"+dockerfile)
	}
	return excludes
}

func (s *Snapshot) refuse(p string, m check.Text) {
	if len(s.Problems) < 20 {
		s.Problems = append(s.Problems, Problem{p, m})
	}
}

func (s *Snapshot) extract(r io.Reader, lim Limits) error {
	// Symbolic links are made last, once every link of the context is known: a link that
	// looks inside on its own can leave the folder through another one (up -> .., then
	// x -> up/../etc/passwd).
	links := map[string]string{}
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return s.makeLinks(links)
		}
		if err != nil {
			return fmt.Errorf("build context: %w", err)
		}
		name := path.Clean(h.Name)
		if name == "." {
			continue
		}
		if strings.HasPrefix(name, "../") || path.IsAbs(name) {
			s.refuse(name, check.T("chemin hors du dossier : %s", "path outside the folder: %s", name))
			continue
		}
		s.Files++
		if lim.MaxFiles > 0 && s.Files > lim.MaxFiles {
			s.refuse("", check.T("Le contexte de build contient plus de %d fichiers : excluez ce qui est inutile avec .dockerignore.",
				"The build context holds more than %d files: exclude what is not needed with .dockerignore.", lim.MaxFiles))
			return s.makeLinks(links)
		}
		target := filepath.Join(s.Dir, filepath.FromSlash(name))
		switch h.Typeflag {
		case tar.TypeDir:
			if err := os.MkdirAll(target, 0o755); err != nil {
				return err
			}
		case tar.TypeReg:
			s.Bytes += h.Size
			if lim.MaxBytes > 0 && s.Bytes > lim.MaxBytes {
				s.refuse(name, check.T("Le contexte de build dépasse %s (à %s) : excluez les gros fichiers avec .dockerignore.",
					"The build context exceeds %s (at %s): exclude large files with .dockerignore.", units.HumanSize(float64(lim.MaxBytes)), name))
				return s.makeLinks(links)
			}
			if err := writeFile(target, tr, h); err != nil {
				return err
			}
		case tar.TypeSymlink:
			links[name] = h.Linkname
		case tar.TypeLink:
			if link, ok := links[path.Clean(h.Linkname)]; ok {
				// A hard link to a symbolic link is the same link under another name, so
				// its target is read from another folder: check it as a link of its own.
				links[name] = link
				continue
			}
			old := filepath.Join(s.Dir, filepath.FromSlash(path.Clean(h.Linkname)))
			if strings.HasPrefix(path.Clean(h.Linkname), "../") || os.Link(old, target) != nil {
				s.refuse(name, check.T("lien physique refusé : %s", "hard link refused: %s", name))
			}
		default:
			s.refuse(name, check.T("%s n'est pas un fichier ordinaire (tube, périphérique…) : retirez-le.",
				"%s is not a regular file (pipe, device…): remove it.", name))
		}
	}
}

func writeFile(target string, r io.Reader, h *tar.Header) error {
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	// Keep the executable bits, drop setuid and friends.
	f, err := os.OpenFile(target, os.O_CREATE|os.O_EXCL|os.O_WRONLY, os.FileMode(h.Mode)&0o755|0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Chtimes(target, h.ModTime, h.ModTime)
}

// makeLinks creates the symbolic links of the context that stay inside it, and refuses the
// others.
func (s *Snapshot) makeLinks(links map[string]string) error {
	names := make([]string, 0, len(links))
	for name := range links {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if leaves(links, name) {
			s.refuse(name, check.T("%s est un lien symbolique qui sort du dossier du lab (%s) : remplacez-le par le fichier lui-même.",
				"%s is a symbolic link leaving the lab folder (%s): replace it with the file itself.", name, links[name]))
			continue
		}
		target := filepath.Join(s.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
			return err
		}
		if err := os.Symlink(links[name], target); err != nil {
			return err
		}
	}
	return nil
}

// maxLinkSteps bounds the path components leaves reads for one link: real links resolve in
// a few steps, and a loop or a crafted chain must not cost more.
const maxLinkSteps = 1024

// leaves reports whether the link at name resolves outside the root, following the other
// links of the context (links: slash-separated name to target) as the kernel would. An
// absolute target, a loop or a chain too long to follow counts as leaving.
func leaves(links map[string]string, name string) bool {
	var cur []string // resolved components, from the root
	todo := strings.Split(name, "/")
	for steps := 0; len(todo) > 0; steps++ {
		if steps > maxLinkSteps {
			return true
		}
		c := todo[0]
		todo = todo[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			if len(cur) == 0 {
				return true
			}
			cur = cur[:len(cur)-1]
			continue
		}
		cur = append(cur, c)
		link, ok := links[strings.Join(cur, "/")]
		if !ok {
			continue
		}
		if path.IsAbs(link) {
			return true
		}
		// The link's target is read from the link's folder.
		cur = cur[:len(cur)-1]
		todo = append(strings.Split(link, "/"), todo...)
	}
	return false
}
