package gradebook

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// TestUpdateFlagOff fails whenever -update is set, so a run that rewrote golden files can
// never pass: rerun without -update and review the diff.
func TestUpdateFlagOff(t *testing.T) {
	require.False(t, *update, "-update rewrote the golden files; review them and rerun without -update")
}

func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./internal/gradebook -update")
	assert.Equal(t, string(want), string(got), "output differs from %s; run -update and review the diff", path)
}

var due = time.Date(2026, 12, 1, 23, 59, 0, 0, time.UTC)

func classMeta() Meta {
	return Meta{Lab: "lab5", Title: "Écrire un bon Dockerfile", Assignment: "Lab 5: Dockerfile (123456)", Lang: "fr",
		Deadline: &Policy{Due: due, Grace: "15m", PenaltyPerDay: 10, MaxLateDays: 3}}
}

func tests(statuses ...string) []Test {
	ids := []string{"lab5.builds", "lab5.multistage", "lab5.non-root"}
	names := []string{"L'image se construit", "Build multi-étapes", "Utilisateur non root"}
	var out []Test
	for i, s := range statuses {
		pts := 0.0
		if s == "pass" {
			pts = float64(i + 2)
		}
		out = append(out, Test{ID: ids[i], Name: names[i], Status: s, Score: pts, MaxScore: float64(i + 2)})
	}
	return out
}

// classEntries is a small class: full marks, a late partial, one past the late limit, a
// timeout, a grader error, and a roster name that looks like a spreadsheet formula.
func classEntries() []Entry {
	rec := func(id string, st Status, at time.Time) Record {
		return Record{ID: id, Folder: "subs/" + id, Status: st, RunID: "run-" + id, SubmittedAt: at, SubmittedFrom: "roster"}
	}
	alice := rec("alice", Graded, due.Add(-time.Hour))
	alice.Name, alice.Email, alice.Section, alice.SISUserID, alice.SISLoginID = "Martin, Alice", "alice@example.edu", "DOCKER-01", "S001", "amartin"
	bob := rec("bob", Graded, due.Add(30*time.Hour))
	bob.Name = "=HYPERLINK(\"x\")"
	carol := rec("carol", Timeout, due)
	carol.Error = "plus de 2m0s : arrêté"
	dave := rec("dave", Graded, due.Add(100*time.Hour))
	erin := rec("erin", Failed, due)
	erin.Error = "le moteur Docker est injoignable"
	return []Entry{
		{Record: alice, Report: &Report{SchemaVersion: 1, Lab: "lab5", Score: 9, MaxScore: 9, Passed: true, Tests: tests("pass", "pass", "pass")}},
		{Record: bob, Report: &Report{SchemaVersion: 1, Lab: "lab5", Score: 5, MaxScore: 9, Tests: tests("pass", "pass", "fail")}},
		{Record: carol},
		{Record: dave, Report: &Report{SchemaVersion: 1, Lab: "lab5", Score: 2, MaxScore: 9, Tests: tests("pass", "fail", "skip")}},
		{Record: erin},
	}
}

func TestBuild(t *testing.T) {
	b := Build(classMeta(), classEntries())
	assert.Equal(t, 3, b.Graded)
	assert.Equal(t, 2, b.Errors)
	assert.Equal(t, 2, b.Late)
	assert.Equal(t, 9.0, b.MaxScore)
	finals := map[string]float64{}
	for _, r := range b.Rows {
		finals[r.Record.ID] = r.Final
	}
	assert.Equal(t, map[string]float64{"alice": 9, "bob": 4, "carol": 0, "dave": 0, "erin": 0}, finals)
	assert.Equal(t, Late{Days: 2, Penalty: 20}, b.Rows[1].Late)
	assert.Equal(t, 4.33, b.Mean)
	assert.Equal(t, 4.0, b.Median)
	assert.Equal(t, [10]int{1, 0, 0, 0, 1, 0, 0, 0, 0, 1}, b.Bins)
	require.Len(t, b.Checks, 3)
	assert.Equal(t, CheckStat{ID: "lab5.non-root", Name: "Utilisateur non root", Passed: 1, Graded: 3}, b.Checks[2])
	hard := b.Hardest(5)
	require.Len(t, hard, 2)
	assert.Equal(t, "lab5.non-root", hard[0].ID)
	assert.Equal(t, "lab5.multistage", hard[1].ID)
}

func TestGolden(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		meta := classMeta()
		meta.Lang = lang
		b := Build(meta, classEntries())
		for _, w := range []struct {
			name string
			fn   func(*bytes.Buffer, *Book) error
		}{
			{"canvas.csv", func(buf *bytes.Buffer, b *Book) error { return Canvas(buf, b) }},
			{"moodle.csv", func(buf *bytes.Buffer, b *Book) error { return Moodle(buf, b) }},
			{"class-report.html", func(buf *bytes.Buffer, b *Book) error { return HTML(buf, b) }},
		} {
			if lang == "en" && w.name == "canvas.csv" {
				continue // Canvas's columns carry no text in the report language
			}
			t.Run(lang+"."+w.name, func(t *testing.T) {
				var buf bytes.Buffer
				require.NoError(t, w.fn(&buf, b))
				assertGolden(t, lang+"."+w.name, buf.Bytes())
			})
		}
	}
}

// TestCanvasColumns checks the export against the importer's rules, not only against itself:
// Student then ID first, Section last of the student columns, a Points Possible row, blank
// (not zero) for a submission without a score.
func TestCanvasColumns(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Canvas(&buf, Build(classMeta(), classEntries())))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	require.Len(t, rows, 7)
	assert.Equal(t, []string{"Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Lab 5: Dockerfile (123456)"}, rows[0])
	assert.True(t, strings.HasPrefix(rows[1][0], "Points Possible"))
	assert.Equal(t, "9", rows[1][5])
	assert.Equal(t, []string{"Martin, Alice", "alice", "S001", "amartin", "DOCKER-01", "9"}, rows[2])
	assert.Equal(t, "'=HYPERLINK(\"x\")", rows[3][0], "formula-like names are neutralised")
	assert.Equal(t, "", rows[4][5], "a timeout has no score")
	for _, r := range rows {
		assert.Len(t, r, 6)
	}
}

func TestMoodleColumns(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Moodle(&buf, Build(classMeta(), classEntries())))
	rows, err := csv.NewReader(&buf).ReadAll()
	require.NoError(t, err)
	assert.Equal(t, []string{"idnumber", "email", "Lab 5: Dockerfile (123456)", "Lab 5: Dockerfile (123456) feedback"}, rows[0])
	assert.Equal(t, []string{"alice", "alice@example.edu", "9", ""}, rows[1])
	assert.Equal(t, []string{"bob", "", "4", "à revoir : lab5.non-root ; 2 jours de retard : -20 %"}, rows[2])
	assert.Equal(t, []string{"carol", "", "", "non corrigé (timeout)"}, rows[3])
}

func writeResults(t *testing.T, dir string, meta Meta, entries []Entry) {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	require.NoError(t, WriteJSON(filepath.Join(dir, MetaFile), meta))
	for _, e := range entries {
		sub := filepath.Join(dir, SubDir, e.Record.ID)
		require.NoError(t, os.MkdirAll(sub, 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(sub, LogFile), []byte("log of "+e.Record.ID+"\n"), 0o644))
		if e.Report != nil {
			require.NoError(t, WriteJSON(filepath.Join(sub, ReportFile), e.Report))
		}
		require.NoError(t, WriteJSON(filepath.Join(sub, RecordFile), e.Record))
	}
}

// TestMergeMatchesOneRun: the shards of a class, merged, give the same files byte for byte as
// the class graded in one results folder.
func TestMergeMatchesOneRun(t *testing.T) {
	root := t.TempDir()
	all := classEntries()
	one := filepath.Join(root, "one")
	writeResults(t, one, classMeta(), all)
	// An unfinished submission (no record) stays out of both.
	require.NoError(t, os.MkdirAll(filepath.Join(one, SubDir, "zed"), 0o755))
	_, err := WriteAll(one)
	require.NoError(t, err)

	s0, s1 := filepath.Join(root, "s0"), filepath.Join(root, "s1")
	writeResults(t, s0, classMeta(), []Entry{all[0], all[2], all[4]})
	writeResults(t, s1, classMeta(), []Entry{all[1], all[3]})
	merged := filepath.Join(root, "merged")
	b, err := Merge(merged, []string{s0, s1})
	require.NoError(t, err)
	assert.Len(t, b.Rows, 5)
	for _, name := range []string{CanvasFile, MoodleFile, HTMLFile, MetaFile} {
		want, err := os.ReadFile(filepath.Join(one, name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(merged, name))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), name)
	}
	rep, err := ReadReport(filepath.Join(merged, SubDir, "bob", ReportFile))
	require.NoError(t, err)
	assert.Equal(t, 5.0, rep.Score)

	t.Run("same submission twice", func(t *testing.T) {
		_, err := Merge(filepath.Join(root, "dup"), []string{s0, one})
		require.ErrorContains(t, err, "is in both")
	})
	t.Run("other settings", func(t *testing.T) {
		other := filepath.Join(root, "other")
		m := classMeta()
		m.Deadline = nil
		writeResults(t, other, m, nil)
		_, err := Merge(filepath.Join(root, "x"), []string{s0, other})
		require.ErrorContains(t, err, "other settings")
	})
	t.Run("not a results folder", func(t *testing.T) {
		_, err := Merge(filepath.Join(root, "y"), []string{t.TempDir()})
		require.ErrorContains(t, err, "not a batch results folder")
	})
}

func TestValidID(t *testing.T) {
	for id, ok := range map[string]bool{"alice": true, "jdoe@example.edu": true, "s-001_a.b": true,
		"": false, ".": false, "..": false, ".hidden": false, "a/b": false, "a b": false, strings.Repeat("a", 129): false} {
		assert.Equal(t, ok, ValidID(id), id)
	}
}

// A check the environment left out (no cluster for lab10.live, --static) is not the
// student's to review, and counts in no one's statistics.
func TestExcludedSkipIsNotToReview(t *testing.T) {
	rec := Record{ID: "alice", Folder: "subs/alice", Status: Graded, RunID: "run-alice", SubmittedAt: due.Add(-time.Hour), SubmittedFrom: "roster"}
	ts := tests("pass", "skip", "skip")
	ts[2].Excluded = true
	b := Build(classMeta(), []Entry{{Record: rec, Report: &Report{SchemaVersion: 1, Lab: "lab5", Score: 2, MaxScore: 9, Tests: ts}}})
	require.Len(t, b.Rows, 1)
	assert.Equal(t, []string{"lab5.multistage"}, b.Rows[0].Failed)
	require.Len(t, b.Checks, 3)
	assert.Equal(t, 0, b.Checks[2].Graded)
}
