package lab05_test

import (
	"encoding/json"
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
				var tc gradetest.Case
				var want gradetest.Want
				readJSON(t, filepath.Join(caseDir, "case.json"), &tc)
				readJSON(t, filepath.Join(caseDir, "want.json"), &want)
				dir := gradetest.Prepare(t, "lab5", caseDir, tc)
				args := tc.Args
				if _, err := os.Stat(filepath.Join(caseDir, "spec.yaml")); err == nil {
					abs, _ := filepath.Abs(filepath.Join(caseDir, "spec.yaml"))
					args = append(args, "--spec", abs)
				}
				code, rep, stderr := gradetest.Grade(t, "lab5", dir, args...)
				gradetest.Check(t, rep, want)
				require.Equal(t, tc.Exit, code, "exit code; stderr:\n%s", stderr)
			})
		}
	})
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), path)
}
