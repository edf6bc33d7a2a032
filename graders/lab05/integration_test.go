package lab05_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/gradetest"
	"github.com/ddlab/grade/internal/testenv"
)

// TestFixtures grades the reference solution, the starter and one failing fixture per check
// (testdata/<case>/) on the real engine, and compares every check's status with want.json.
func TestFixtures(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	cases, err := os.ReadDir("testdata")
	require.NoError(t, err)
	t.Run("cases", func(t *testing.T) {
		for _, c := range cases {
			if !c.IsDir() {
				continue
			}
			t.Run(c.Name(), func(t *testing.T) {
				t.Parallel()
				caseDir := filepath.Join("testdata", c.Name())
				fx := gradetest.LoadFixture(t, caseDir)
				dir := gradetest.Prepare(t, "lab5", caseDir, fx.Case)
				code, rep, stderr := gradetest.Grade(t, "lab5", dir, fx.Args...)
				gradetest.Check(t, rep, fx.Want)
				require.Equal(t, fx.Case.Exit, code, "exit code; stderr:\n%s", stderr)
			})
		}
	})
}
