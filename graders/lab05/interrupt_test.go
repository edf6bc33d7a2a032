package lab05_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/gradetest"
	"github.com/ddlab/grade/internal/testenv"
)

// TestInterruptedRunLeavesNothing stands for a Ctrl-C in the middle of a build that would
// never finish: the run must stop, still write a complete report, exit 130 and leave no
// container, image, network or volume behind.
func TestInterruptedRunLeavesNothing(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	caseDir := filepath.Join("testdata", "fail-build-timeout")
	tc := gradetest.LoadFixture(t, caseDir).Case
	dir := gradetest.Prepare(t, "lab5", caseDir, tc)

	ctx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(8*time.Second, cancel)
	defer timer.Stop()
	start := time.Now()
	code, rep, stderr := gradetest.GradeContext(ctx, t, "lab5", dir) // the embedded spec: a 10 min build timeout
	assert.Less(t, time.Since(start), 2*time.Minute, "an interrupted run must stop promptly")
	require.Equal(t, cliutil.ExitInterrupted, code, stderr)
	require.Len(t, rep.Tests, 15, "the report lists every check even when interrupted")
	require.Empty(t, gradetest.Leftovers(t, e, rep.RunID), "engine objects left behind")
}

// TestConcurrentRuns grades the reference solution twice at once on one engine: names, tags
// and cleanups of one run must never touch the other's.
func TestConcurrentRuns(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	caseDir := filepath.Join("testdata", "solution")
	tc := gradetest.LoadFixture(t, caseDir).Case
	var wg sync.WaitGroup
	codes := make([]int, 2)
	scores := make([]float64, 2)
	runs := make([]string, 2)
	for i := range codes {
		dir := gradetest.Prepare(t, "lab5", caseDir, tc)
		wg.Add(1)
		go func() {
			defer wg.Done()
			code, rep, _ := gradetest.Grade(t, "lab5", dir)
			codes[i], scores[i], runs[i] = code, rep.Score, rep.RunID
		}()
	}
	wg.Wait()
	assert.Equal(t, []int{0, 0}, codes)
	assert.Equal(t, []float64{115, 115}, scores)
	assert.NotEqual(t, runs[0], runs[1])
	require.Empty(t, gradetest.Leftovers(t, e, runs...), "engine objects left behind")
}
