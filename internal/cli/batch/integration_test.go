package batch_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
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

// TestBatchOnEngine grades a small lab 5 class on the real engine: two submissions that fail
// fast (no Dockerfile; a Dockerfile that does not parse) and one whose build never ends. The
// endless one is stopped at its own limit without holding the others, a rerun resumes
// without grading again, and no object labelled with any of their runs is left on the
// engine. (The reference solution is graded by graders/lab05's own tests; under load it takes
// minutes, too long for this package's budget.)
func TestBatchOnEngine(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	t.Setenv("BATCH_TEST_CHILD", "grade")
	lab5 := filepath.Join("..", "..", "..", "graders", "lab05", "testdata")
	class := t.TempDir()
	for id, fixture := range map[string]string{"ana": "fail-files-missing", "ben": "fail-files-parse", "cyd": "fail-build-timeout"} {
		caseDir := filepath.Join(lab5, fixture)
		dir := gradetest.Prepare(t, "lab5", caseDir, gradetest.LoadFixture(t, caseDir).Case)
		require.NoError(t, os.Rename(dir, filepath.Join(class, id)))
		require.NoError(t, os.MkdirAll(dir, 0o755)) // t.TempDir's cleanup wants it back
	}
	out := filepath.Join(t.TempDir(), "results")

	// -j 3: the endless build must not hold the two others, and must stop at its own bound.
	const limit, grace = 20 * time.Second, 10 * time.Second
	start := time.Now()
	err, stdout, stderr := runCmd(t, "lab5", class, "--out", out, "-j", "3", "--timeout", limit.String(), "--grace", grace.String())
	took := time.Since(start)
	t.Logf("3 submissions, -j 3: %s", took.Round(time.Second))
	require.NoError(t, err, stderr)
	assert.Less(t, took, limit+2*grace+15*time.Second, "the endless submission held the batch past its bound")
	assert.Contains(t, stdout, "3 rendus\u00a0: 3 corrigés, 0 non corrigé\u00a0; moyenne ")

	recs := map[string]*gradebook.Record{}
	var runs []string
	for _, id := range []string{"ana", "ben", "cyd"} {
		rec, err := gradebook.ReadRecord(out, id)
		require.NoError(t, err, id)
		recs[id] = rec
		runs = append(runs, rec.RunID)
		assert.Equal(t, gradebook.Graded, rec.Status, "%+v", rec)
		assert.Equal(t, 1, rec.ExitCode, id)
	}
	assert.Less(t, recs["ana"].Seconds, recs["cyd"].Seconds, "the fast ones did not wait for the endless one")
	cyd, err := gradebook.ReadReport(filepath.Join(out, gradebook.SubDir, "cyd", gradebook.ReportFile))
	require.NoError(t, err)
	build := map[string]gradebook.Test{}
	for _, tt := range cyd.Tests {
		build[tt.ID] = tt
	}
	assert.Equal(t, "fail", build["lab5.build"].Status, "the endless build fails at the time limit")
	assert.GreaterOrEqual(t, recs["cyd"].Seconds, limit.Seconds()-1)
	for _, name := range []string{gradebook.CanvasFile, gradebook.MoodleFile, gradebook.HTMLFile} {
		assert.FileExists(t, filepath.Join(out, name))
	}
	assert.Empty(t, gradetest.Leftovers(t, e, runs...), "engine objects left behind")

	// A rerun grades nothing again.
	start = time.Now()
	_, _, stderr = runCmd(t, "lab5", class, "--out", out)
	assert.Contains(t, stderr, "3 rendus déjà corrigés dans ")
	assert.Less(t, time.Since(start), 10*time.Second)
}

// TestShardProcessesMerge runs a class as one batch, then as two shard processes (one from
// --shard, one from JOB_COMPLETION_INDEX as in a Kubernetes Indexed Job), merges the shards
// with `grade merge`, and finds the same gradebooks and class report, byte for byte.
func TestShardProcessesMerge(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	exe, err := os.Executable()
	require.NoError(t, err)
	lab5 := filepath.Join("..", "..", "..", "graders", "lab05", "testdata")
	class := t.TempDir()
	for id, fixture := range map[string]string{"s1": "fail-files-missing", "s2": "fail-files-parse", "s3": "fail-files-missing", "s4": "fail-files-parse", "s5": "fail-files-missing"} {
		caseDir := filepath.Join(lab5, fixture)
		dir := gradetest.Prepare(t, "lab5", caseDir, gradetest.LoadFixture(t, caseDir).Case)
		require.NoError(t, os.Rename(dir, filepath.Join(class, id)))
		require.NoError(t, os.MkdirAll(dir, 0o755))
	}
	root := t.TempDir()
	grade := func(env []string, args ...string) {
		t.Helper()
		cmd := exec.Command(exe, args...)
		cmd.Env = append(os.Environ(), append(env, "BATCH_TEST_CHILD=grade", "LANG=fr_FR.UTF-8")...)
		outb, err := cmd.CombinedOutput()
		var ee *exec.ExitError
		if errors.As(err, &ee) && ee.ExitCode() == 1 {
			err = nil // some submission not graded: the gradebook says which
		}
		require.NoError(t, err, "grade %s:\n%s", strings.Join(args, " "), outb)
	}
	start := time.Now()
	grade(nil, "batch", "lab5", class, "--out", filepath.Join(root, "one"), "-j", "2")
	t.Logf("one batch of 5: %s", time.Since(start).Round(time.Second))
	start = time.Now()
	grade(nil, "batch", "lab5", class, "--out", filepath.Join(root, "shard-0"), "--shard", "0/2")
	grade([]string{"JOB_COMPLETION_INDEX=1"}, "batch", "lab5", class, "--out", filepath.Join(root, "shard-1"), "--shards", "2")
	t.Logf("two shards: %s", time.Since(start).Round(time.Second))
	start = time.Now()
	grade(nil, "merge", filepath.Join(root, "shard-0"), filepath.Join(root, "shard-1"), "--out", filepath.Join(root, "merged"))
	t.Logf("merge: %s", time.Since(start).Round(time.Millisecond))

	s0, err := gradebook.Load(filepath.Join(root, "shard-0"))
	require.NoError(t, err)
	s1, err := gradebook.Load(filepath.Join(root, "shard-1"))
	require.NoError(t, err)
	assert.Len(t, s0, 3)
	assert.Len(t, s1, 2)
	for _, name := range []string{gradebook.CanvasFile, gradebook.MoodleFile, gradebook.HTMLFile} {
		want, err := os.ReadFile(filepath.Join(root, "one", name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(root, "merged", name))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), name)
	}
	var runs []string
	for _, en := range append(s0, s1...) {
		runs = append(runs, en.Record.RunID)
	}
	assert.Empty(t, gradetest.Leftovers(t, e, runs...), "engine objects left behind")
}
