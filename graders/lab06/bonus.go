package lab06

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
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
			return check.Skipf("Non évalué : up.sh après down.sh n'a pas relancé %s (voir lab6.persistence).",
				"Not evaluated: up.sh after down.sh did not restart %s (see lab6.persistence).", kvName), nil
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
	if fail := (&scriptRun{"backup.sh", res}).failed(); fail != nil {
		return *fail, nil
	}
	mounts, err := s.volumeMounts(ctx, since, time.Now())
	if err != nil {
		return check.Outcome{}, err
	}
	if len(mounts) == 0 {
		return check.Failf("Aucun conteneur n'a monté le volume %s pendant backup.sh.", "No container mounted volume %s during backup.sh.", volumeName).
			With("docker run --rm -v "+volumeName+":/data:ro …", "aucun montage du volume"), nil
	}
	var left []string
	rw := ""
	for _, m := range mounts {
		if m.Attrs["read/write"] != "false" && rw == "" {
			rw = "read/write=" + m.Attrs["read/write"] + " sur " + m.Attrs["destination"]
		}
		if _, err := s.run.Engine.InspectContainer(ctx, m.Attrs["container"]); err == nil {
			left = append(left, check.ShortID(m.Attrs["container"]))
			s.removeLater(m.Attrs["container"])
		}
	}
	if rw != "" {
		return check.Failf("Le conteneur de sauvegarde monte %s en lecture-écriture.", "The backup container mounts %s read-write.", volumeName).
			With(volumeName+":/data:ro", rw), nil
	}
	if len(left) > 0 {
		return check.Failf("Le conteneur de sauvegarde existe encore après backup.sh : il doit être jetable (--rm).",
			"The backup container still exists after backup.sh: it must be thrown away (--rm).").
			With("aucun conteneur restant", strings.Join(left, ", ")), nil
	}
	entries, err := readArchive(archive)
	if err != nil {
		return check.Failf("%s est illisible : %s", "%s is unreadable: %s", backupFile, err).With("une archive tar.gz", err.Error()).At(backupFile, 0), nil
	}
	got, ok := archiveValue(entries, key)
	switch {
	case !ok:
		return check.Failf("%s ne contient pas le fichier %s du volume.", "%s does not hold the volume's file %s.", backupFile, key).
			With(key+" (ou ./"+key+")", names(entries)).At(backupFile, 0), nil
	case got != s.nonce:
		return check.Failf("Dans %s, %s ne contient pas la valeur du volume.", "In %s, %s does not hold the volume's value.", backupFile, key).
			With(s.nonce, check.OneLine(got, 200)).At(backupFile, 0), nil
	}
	return check.Passf("%s contient %s ; le conteneur jetable montait %s en lecture seule.",
		"%s holds %s; the throw-away container mounted %s read-only.", backupFile, key, volumeName), nil
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
		return nil, errors.New("fichier absent")
	case err != nil:
		return nil, err
	case !st.Mode().IsRegular():
		return nil, errors.New("pas un fichier ordinaire")
	case st.Size() > maxArchiveBytes:
		return nil, fmt.Errorf("plus de %d Mio", maxArchiveBytes>>20)
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
		return nil, fmt.Errorf("pas du gzip (%v)", err)
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
			return nil, fmt.Errorf("tar invalide (%v)", err)
		}
		if len(out) >= maxArchiveFiles {
			return nil, fmt.Errorf("plus de %d entrées", maxArchiveFiles)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		b, err := io.ReadAll(io.LimitReader(tr, maxEntryKept))
		if err != nil {
			return nil, fmt.Errorf("tar invalide (%v)", err)
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

func names(entries []entry) string {
	if len(entries) == 0 {
		return "(archive vide)"
	}
	var out []string
	for i, e := range entries {
		if i == 10 {
			out = append(out, "…")
			break
		}
		out = append(out, e.name)
	}
	return strings.Join(out, ", ")
}

// checkWhere: where.sh prints the volume's folder on the engine's host, its Mountpoint.
func (s *state) checkWhere(ctx context.Context) (check.Outcome, error) {
	if _, err := s.reup(ctx); err != nil {
		return check.Outcome{}, err
	}
	vol, err := s.run.Engine.InspectVolume(ctx, volumeName)
	mp := vol.Mountpoint
	if errors.Is(err, engine.ErrNotFound) {
		return check.Skipf("Non évalué : le volume %s n'existe pas (voir lab6.persistence).",
			"Not evaluated: volume %s does not exist (see lab6.persistence).", volumeName), nil
	}
	if err != nil {
		return check.Outcome{}, err
	}
	res, err := s.run.Script(ctx, "where.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	if fail := (&scriptRun{"where.sh", res}).failed(); fail != nil {
		return *fail, nil
	}
	got := lastLine(res.Stdout)
	if got != mp {
		return check.Failf("where.sh affiche « %s » et non le dossier du volume sur l'hôte du moteur, son Mountpoint %s (la dernière ligne affichée compte).",
			"where.sh prints %q, not the volume's folder on the engine's host, its Mountpoint %s (the last line printed counts).", got, mp).
			With(mp, got), nil
	}
	return check.Passf("where.sh affiche %s, le Mountpoint du volume %s.", "where.sh prints %s, volume %s's Mountpoint.", mp, volumeName), nil
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
