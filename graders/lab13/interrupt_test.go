package lab13_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/gradetest"
	"github.com/ddlab/grade/internal/testenv"
)

// TestInterruptedRunLeavesNothing stands for a Ctrl-C while the project starts or is being
// observed: the run stops, writes a full report, exits 130, and neither the Compose project
// (containers, networks, volumes) nor the images the grader built survive it.
func TestInterruptedRunLeavesNothing(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	caseDir := filepath.Join("testdata", "solution")
	dir := gradetest.Prepare(t, "lab13", caseDir, gradetest.LoadFixture(t, caseDir).Case)

	ctx, cancel := context.WithCancel(context.Background())
	timer := time.AfterFunc(12*time.Second, cancel)
	defer timer.Stop()
	start := time.Now()
	code, rep, stderr := gradetest.GradeContext(ctx, t, "lab13", dir)
	assert.Less(t, time.Since(start), 90*time.Second, "an interrupted run must stop promptly")
	require.Equal(t, cliutil.ExitInterrupted, code, stderr)
	require.Len(t, rep.Tests, 16, "the report lists every check even when interrupted")
	require.Empty(t, gradetest.Leftovers(t, e, rep.RunID), "engine objects left behind")
	require.Empty(t, gradetest.ProjectLeftovers(t, e, "lab13-"+rep.RunID[:12]), "the Compose project outlived the run")
	images, err := e.ListImages(context.Background(), "ddlab.run="+rep.RunID)
	require.NoError(t, err)
	require.Empty(t, images, "images the grader built outlived the run")
}
