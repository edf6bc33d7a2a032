package batch

import (
	"encoding/csv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/gradebook"
)

// Submission is one student's folder to grade.
type Submission struct {
	gradebook.Record // ID, Folder and roster columns; the rest is filled in when graded
}

// listFolders lists the sub-folders of dir, one submission each, named after the folder.
// Hidden folders and names that cannot name a results folder are left out, and said.
func listFolders(dir string) (subs []Submission, skipped []string, err error) {
	des, err := os.ReadDir(dir)
	if err != nil {
		return nil, nil, err
	}
	for _, de := range des {
		name := de.Name()
		if !de.IsDir() || strings.HasPrefix(name, ".") {
			continue
		}
		if !gradebook.ValidID(name) {
			skipped = append(skipped, name)
			continue
		}
		subs = append(subs, Submission{gradebook.Record{ID: name, Folder: filepath.Join(dir, name)}})
	}
	return subs, skipped, nil
}

// rosterColumns maps the header names a roster may use (case-insensitive) to a field.
var rosterColumns = map[string]string{
	"id": "id", "student id": "id", "student_id": "id", "student": "name", // Canvas: Student is the name
	"folder": "folder", "dir": "folder", "directory": "folder", "path": "folder",
	"name": "name", "email": "email", "section": "section",
	"sis user id": "sis_user_id", "sis_user_id": "sis_user_id",
	"sis login id": "sis_login_id", "sis_login_id": "sis_login_id",
	"submitted_at": "submitted_at", "submitted at": "submitted_at",
}

// parseRoster reads a CSV roster: a header row naming at least an id and a folder column
// (see docs/batch.md), then one row per student. Folders are relative to dir and must stay
// inside it. Comma or semicolon separated, as LMS exports are.
func parseRoster(r io.Reader, dir string) ([]Submission, error) {
	b, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, err
	}
	b = []byte(strings.TrimPrefix(string(b), "\ufeff")) // Excel's byte order mark
	first, _, _ := strings.Cut(string(b), "\n")
	cr := csv.NewReader(strings.NewReader(string(b)))
	if strings.Count(first, ";") > strings.Count(first, ",") {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = -1
	rows, err := cr.ReadAll()
	if err != nil {
		return nil, cliutil.Errorf("fichier CSV illisible (%v)", "unreadable CSV file (%v)", err)
	}
	if len(rows) == 0 {
		return nil, cliutil.Errorf("fichier vide", "empty file")
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		if f, ok := rosterColumns[strings.ToLower(strings.TrimSpace(h))]; ok {
			if _, dup := col[f]; !dup {
				col[f] = i
			}
		}
	}
	for _, need := range []string{"id", "folder"} {
		if _, ok := col[need]; !ok {
			return nil, cliutil.Errorf("pas de colonne « %s » dans la ligne d'en-tête « %s »", "no %q column in the header row %q", need, strings.Join(rows[0], ","))
		}
	}
	get := func(row []string, f string) string {
		if i, ok := col[f]; ok && i < len(row) {
			return strings.TrimSpace(row[i])
		}
		return ""
	}
	seen := map[string]int{}
	var subs []Submission
	for n, row := range rows[1:] {
		line := n + 2
		id, folder := get(row, "id"), get(row, "folder")
		if (id == "" && folder == "") || (len(row) > 0 && strings.Contains(row[0], "Points Possible")) {
			continue // a blank line, or Canvas's "Points Possible" row
		}
		if !gradebook.ValidID(id) {
			return nil, cliutil.Errorf("ligne %d : « %s » ne peut pas servir d'identifiant (lettres, chiffres, @ + _ . - ; ni point ni tiret au début)",
				"line %d: %q is not a usable id (letters, digits, @ + _ . -; no leading dot or dash)", line, id)
		}
		if prev, dup := seen[id]; dup {
			return nil, cliutil.Errorf("ligne %d : l'identifiant %s est déjà sur la ligne %d", "line %d: id %s already on line %d", line, id, prev)
		}
		seen[id] = line
		if !filepath.IsLocal(folder) {
			return nil, cliutil.Errorf("ligne %d : le dossier « %s » doit être un chemin relatif, à l'intérieur de %s",
				"line %d: folder %q must be a relative path inside %s", line, folder, dir)
		}
		s := Submission{gradebook.Record{ID: id, Folder: filepath.Join(dir, folder), Name: get(row, "name"),
			Email: get(row, "email"), Section: get(row, "section"), SISUserID: get(row, "sis_user_id"), SISLoginID: get(row, "sis_login_id")}}
		if at := get(row, "submitted_at"); at != "" {
			t, err := time.Parse(time.RFC3339, at)
			if err != nil {
				return nil, cliutil.Errorf("ligne %d : submitted_at « %s » n'est pas une date RFC 3339", "line %d: submitted_at %q is not an RFC 3339 time", line, at)
			}
			s.SubmittedAt, s.SubmittedFrom = t.UTC(), "roster"
		}
		subs = append(subs, s)
	}
	return subs, nil
}

// shard keeps the submissions of shard i of n: sorted by ID, every n-th from the i-th. The
// same input gives the same partition on every machine, and shards differ in size by one at
// most.
func shard(subs []Submission, i, n int) []Submission {
	sorted := append([]Submission(nil), subs...)
	sort.Slice(sorted, func(a, b int) bool { return sorted[a].ID < sorted[b].ID })
	if n <= 1 {
		return sorted
	}
	var out []Submission
	for k, s := range sorted {
		if k%n == i {
			out = append(out, s)
		}
	}
	return out
}

// parseShard reads "i/N" (0 ≤ i < N).
func parseShard(s string) (i, n int, err error) {
	a, b, ok := strings.Cut(s, "/")
	if ok {
		i, err = strconv.Atoi(a)
		if err == nil {
			n, err = strconv.Atoi(b)
		}
	}
	if !ok || err != nil || n < 1 || i < 0 || i >= n {
		return 0, 0, cliutil.Errorf("--shard : « %s » n'est pas de la forme i/N avec 0 ≤ i < N", "--shard: %q is not i/N with 0 ≤ i < N", s)
	}
	return i, n, nil
}

// submittedAt is the time of a submission when the roster gives none: the modification time
// of the newest file in its folder. Not the git commit time, which the student sets at will
// (GIT_COMMITTER_DATE); file times come from the LMS download, which keeps the upload time
// when it is unzipped with its times (see docs/batch.md). Zero when the folder has no file.
func submittedAt(dir string) time.Time {
	var newest time.Time
	n := 0
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil
		}
		if d.IsDir() && d.Name() == ".git" {
			return filepath.SkipDir
		}
		if n++; n > 20000 {
			return filepath.SkipAll
		}
		if d.Type().IsRegular() {
			if info, err := d.Info(); err == nil && info.ModTime().After(newest) {
				newest = info.ModTime()
			}
		}
		return nil
	})
	return newest.UTC()
}
