package lab06

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// backupFile is where backup.sh writes the archive, relative to the lab folder.
const backupFile = "backups/lab6-data.tar.gz"

// Limits on the student's archive: lab6-data holds a few bytes.
const (
	maxArchiveBytes  = 8 << 20  // compressed
	maxArchiveUnpack = 16 << 20 // uncompressed
	maxArchiveFiles  = 1000
	maxEntryKept     = 4 << 10 // bytes of one entry's content kept
)

// checkBackup: backup.sh archives the volume with a throw-away container that mounts it
// read-only, and the archive holds the value at key.
func (s *state) checkBackup(ctx context.Context) (check.Outcome, error) {
	if fail, err := s.reup(ctx); fail != nil || err != nil {
		if fail != nil {
			out, _ := judgeBackup(backupObs{NoRestart: true})
			return out, nil
		}
		return check.Outcome{}, err
	}
	if fail, err := s.app(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	// The archive must hold the value whatever happened to it before (lab6.persistence
	// judges that): write it again if it is gone.
	if r, err := s.get(ctx); err != nil || r.Body != s.nonce {
		if fail, err := s.put(ctx); fail != nil || err != nil {
			return check.Verdict(fail), err
		}
	}
	archive := filepath.Join(s.run.Files, filepath.FromSlash(backupFile))
	// An archive shipped with the submission proves nothing.
	if err := os.RemoveAll(archive); err != nil {
		return check.Outcome{}, err
	}
	since := time.Now().Add(-time.Second)
	res, err := s.run.Script(ctx, "backup.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	o := backupObs{Nonce: s.nonce, Script: res}
	if out, done := judgeBackup(o); done {
		return out, nil
	}
	if o.Mounts, err = s.volumeMounts(ctx, since, time.Now()); err != nil {
		return check.Outcome{}, err
	}
	o.Mounted = true
	for _, m := range o.Mounts {
		if _, err := s.run.Engine.InspectContainer(ctx, m.Attrs["container"]); err == nil {
			o.Left = append(o.Left, check.ShortID(m.Attrs["container"]))
			s.removeLater(m.Attrs["container"])
		}
	}
	o.Entries, o.ArchiveErr = readArchive(archive)
	out, _ := judgeBackup(o)
	return out, nil
}

// volumeMounts lists the engine's mounts of lab6-data in [since, until], leaving out
// lab6-kv's own (a backup.sh may restart it).
func (s *state) volumeMounts(ctx context.Context, since, until time.Time) ([]engine.Event, error) {
	evs, err := s.run.Engine.Events(ctx, engine.EventFilter{Since: since, Until: until, Type: "volume"})
	if err != nil {
		return nil, err
	}
	var out []engine.Event
	for _, ev := range evs {
		if ev.Action == "mount" && ev.ID == volumeName && ev.Attrs["container"] != s.reupID {
			out = append(out, ev)
		}
	}
	return out, nil
}

// removeLater removes a container the student's script left, with its anonymous volumes.
func (s *state) removeLater(id string) {
	e := s.run.Engine
	s.run.Cleanup.Add("backup container "+check.ShortID(id), func(ctx context.Context) error {
		return e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id})
	})
}

// entry is one file of the student's archive.
type entry struct {
	name    string // cleaned, relative: "k", "sub/k"
	content string // the first maxEntryKept bytes
}

// readArchive reads a gzip-compressed tar, bounded in size and count: the archive is the
// student's and may be anything.
func readArchive(p string) ([]entry, error) {
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, archiveErrorf("fichier absent", "file missing")
	case err != nil:
		return nil, err
	case !st.Mode().IsRegular():
		return nil, archiveErrorf("pas un fichier ordinaire", "not a regular file")
	case st.Size() > maxArchiveBytes:
		return nil, archiveErrorf("plus de %d Mio", "more than %d MiB", maxArchiveBytes>>20)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return parseArchive(io.LimitReader(f, maxArchiveBytes))
}

// parseArchive reads the entries of a tar.gz stream.
func parseArchive(r io.Reader) ([]entry, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, archiveErrorf("pas du gzip (%v)", "not gzip (%v)", err)
	}
	defer zr.Close()
	tr := tar.NewReader(io.LimitReader(zr, maxArchiveUnpack))
	var out []entry
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, archiveErrorf("tar invalide (%v)", "invalid tar (%v)", err)
		}
		if len(out) >= maxArchiveFiles {
			return nil, archiveErrorf("plus de %d entrées", "more than %d entries", maxArchiveFiles)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, maxEntryKept))
		if err != nil {
			return nil, archiveErrorf("tar invalide (%v)", "invalid tar (%v)", err)
		}
		out = append(out, entry{name: strings.TrimPrefix(path.Clean("/"+h.Name), "/"), content: string(b)})
	}
}

// archiveValue finds the volume's file k at the archive's root ("k", "./k") or under the
// mount point ("data/k", from `tar czf - /data`).
func archiveValue(entries []entry, k string) (string, bool) {
	for _, e := range entries {
		if e.name == k || e.name == "data/"+k {
			return e.content, true
		}
	}
	return "", false
}

// archiveError says, in both languages, why the student's archive cannot be read.
type archiveError struct{ why check.Text }

func (e archiveError) Error() string { return e.why.EN }

func archiveErrorf(fr, en string, args ...any) error { return archiveError{check.T(fr, en, args...)} }

// errText words err in both languages: an archiveError's own text, else the system's
// message (the same in both).
func errText(err error) check.Text {
	var a archiveError
	if errors.As(err, &a) {
		return a.why
	}
	return check.Same(err.Error())
}

func names(entries []entry) check.Text {
	if len(entries) == 0 {
		return check.Lit("(archive vide)", "(empty archive)")
	}
	var out []string
	for i, e := range entries {
		if i == 10 {
			out = append(out, "…")
			break
		}
		out = append(out, e.name)
	}
	return check.Same(strings.Join(out, ", "))
}

// checkWhere: where.sh prints the volume's folder on the engine's host, its Mountpoint.
func (s *state) checkWhere(ctx context.Context) (check.Outcome, error) {
	if _, err := s.reup(ctx); err != nil {
		return check.Outcome{}, err
	}
	vol, err := s.run.Engine.InspectVolume(ctx, volumeName)
	if errors.Is(err, engine.ErrNotFound) {
		return judgeWhere(whereObs{NoVolume: true}), nil
	}
	if err != nil {
		return check.Outcome{}, err
	}
	res, err := s.run.Script(ctx, "where.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeWhere(whereObs{Mountpoint: vol.Mountpoint, Script: res}), nil
}

// lastLine is the last non-blank line of a script's output, trimmed.
func lastLine(out string) string {
	lines := strings.Split(out, "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if l := strings.TrimSpace(lines[i]); l != "" {
			return l
		}
	}
	return ""
}

// sortedKeys is for stable messages.
func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
