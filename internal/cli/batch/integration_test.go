package batch_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cli"
	"github.com/ddlab/grade/internal/cli/batch"
	"github.com/ddlab/grade/internal/gradebook"
	"github.com/ddlab/grade/internal/gradetest"
	"github.com/ddlab/grade/internal/iostreams"
	"github.com/ddlab/grade/internal/testenv"
)

// runCmd runs `grade batch args...` in-process; its children are this test binary acting as
// grade (TestMain, BATCH_TEST_CHILD=grade).
func runCmd(t *testing.T, args ...string) (error, string, string) {
	t.Helper()
	ios, _, out, errOut := iostreams.Test()
	f := cli.NewFactory(ios)
	f.Getenv = func(string) string { return "" }
	cmd := batch.NewCmdBatch(f, nil)
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	_, err := cmd.ExecuteContextC(ctx)
	return err, out.String(), errOut.String()
}

// TestBatchOnEngine grades a small lab 5 class on the real engine: the reference solution, the
// starter (fails the build gate) and a submission whose build never ends. The endless one is
// stopped at its own limit without holding the others, a rerun resumes without grading again,
// and no object labelled with any of their runs is left on the engine.
func TestBatchOnEngine(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	t.Setenv("BATCH_TEST_CHILD", "grade")
	lab5 := filepath.Join("..", "..", "..", "graders", "lab05", "testdata")
	class := t.TempDir()
	for id, fixture := range map[string]string{"ana": "solution", "ben": "", "cyd": "fail-build-timeout"} {
		var c gradetest.Case
		caseDir := t.TempDir()
		if fixture != "" {
			caseDir = filepath.Join(lab5, fixture)
			c = gradetest.LoadFixture(t, caseDir).Case
		}
		dir := gradetest.Prepare(t, "lab5", caseDir, c)
		require.NoError(t, os.Rename(dir, filepath.Join(class, id)))
		require.NoError(t, os.MkdirAll(dir, 0o755)) // t.TempDir's cleanup wants it back
	}
	endless := filepath.Join(t.TempDir(), "later")
	require.NoError(t, os.MkdirAll(endless, 0o755))
	require.NoError(t, os.Rename(filepath.Join(class, "cyd"), filepath.Join(endless, "cyd")))
	out := filepath.Join(t.TempDir(), "results")

	// The two finite submissions, at once.
	start := time.Now()
	err, stdout, stderr := runCmd(t, "lab5", class, "--out", out, "-j", "2", "--timeout", "4m")
	require.NoError(t, err, stderr)
	t.Logf("2 submissions, -j 2: %s", time.Since(start).Round(time.Second))
	assert.Contains(t, stdout, "2 rendu(s), 2 corrigé(s), 0 non corrigé(s)")

	// The endless one, with a short limit, into the same results: the others are kept.
	require.NoError(t, os.Rename(filepath.Join(endless, "cyd"), filepath.Join(class, "cyd")))
	start = time.Now()
	err, stdout, stderr = runCmd(t, "lab5", class, "--out", out, "--timeout", "20s", "--grace", "10s")
	took := time.Since(start)
	t.Logf("endless submission: %s", took.Round(time.Second))
	require.Error(t, err, "a submission was not graded: exit 1")
	assert.Less(t, took, 20*time.Second+2*10*time.Second+15*time.Second, "the endless submission held the batch past its bound")
	assert.Contains(t, stderr, "2 rendu(s) déjà corrigé(s)")
	assert.Contains(t, stdout, "3 rendu(s), 2 corrigé(s), 1 non corrigé(s)")

	recs := map[string]*gradebook.Record{}
	var runs []string
	for _, id := range []string{"ana", "ben", "cyd"} {
		rec, err := gradebook.ReadRecord(out, id)
		require.NoError(t, err, id)
		recs[id] = rec
		runs = append(runs, rec.RunID)
	}
	assert.Equal(t, gradebook.Graded, recs["ana"].Status)
	assert.Equal(t, 0, recs["ana"].ExitCode)
	assert.Equal(t, gradebook.Graded, recs["ben"].Status)
	assert.Equal(t, 1, recs["ben"].ExitCode)
	assert.Equal(t, gradebook.Timeout, recs["cyd"].Status, "%+v", recs["cyd"])
	ana, err := gradebook.ReadReport(filepath.Join(out, gradebook.SubDir, "ana", gradebook.ReportFile))
	require.NoError(t, err)
	assert.Equal(t, 115.0, ana.Score, "the reference solution's score")
	log, err := os.ReadFile(filepath.Join(out, gradebook.SubDir, "cyd", gradebook.LogFile))
	require.NoError(t, err)
	assert.NotEmpty(t, strings.TrimSpace(string(log)))
	for _, name := range []string{gradebook.CanvasFile, gradebook.MoodleFile, gradebook.HTMLFile} {
		assert.FileExists(t, filepath.Join(out, name))
	}
	assert.Empty(t, gradetest.Leftovers(t, e, runs...), "engine objects left behind")

	// A rerun grades nothing again.
	start = time.Now()
	_, _, stderr = runCmd(t, "lab5", class, "--out", out)
	assert.Contains(t, stderr, "3 rendu(s) déjà corrigé(s)")
	assert.Less(t, time.Since(start), 10*time.Second)
}
