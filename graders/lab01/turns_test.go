package lab01_test

import (
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/graders/lab01"
	"github.com/ddlab/grade/internal/gradetest"
	"github.com/ddlab/grade/internal/testenv"
)

// TestTwoRunsTakeTurns grades the solution twice at once on one engine, as two instructors
// would: lab1-web and port 8081 are fixed, so one run waits for the other (and says so), and
// both get the full score with nothing left behind.
func TestTwoRunsTakeTurns(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	caseDir := filepath.Join("testdata", "solution")
	fx := gradetest.LoadFixture(t, caseDir)
	var waited atomic.Int32
	t.Run("runs", func(t *testing.T) {
		for _, name := range []string{"a", "b"} {
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				dir := gradetest.Prepare(t, "lab1", caseDir, fx.Case)
				code, rep, stderr := gradetest.Grade(t, "lab1", dir, fx.Args...)
				require.Equal(t, 0, code, stderr)
				gradetest.Check(t, rep, fx.Want)
				if strings.Contains(stderr, "attente de son tour") {
					waited.Add(1)
				}
				assert.Empty(t, gradetest.Leftovers(t, e, rep.RunID))
			})
		}
	})
	// One waits for the other (both may wait if another lab 1 grading shares the engine).
	assert.GreaterOrEqual(t, waited.Load(), int32(1), "a run waited for the other")
	assert.Empty(t, gradetest.LabLeftovers(t, e, "lab1", lab01.New().Meta().Contract))
}
