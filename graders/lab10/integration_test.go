package lab10_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/gradetest"
	"github.com/ddlab/grade/internal/kube/kubefake"
)

// TestFixtures grades the reference solution, the starter and one failing fixture per check
// (testdata/<case>/), and compares every check's status with want.json. Lab 10 needs no
// engine; the fixtures that name --kube-context fake-cluster reach a fake API server (see
// fakeCluster), never a real cluster.
func TestFixtures(t *testing.T) {
	cluster := kubefake.New(t)
	t.Setenv("KUBECONFIG", kubefake.Kubeconfig(t, "fake-cluster", cluster.URL))
	cases, err := os.ReadDir("testdata")
	require.NoError(t, err)
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		// One after another: KUBECONFIG is the process's, and each case takes milliseconds.
		t.Run(c.Name(), func(t *testing.T) {
			caseDir := filepath.Join("testdata", c.Name())
			fx := gradetest.LoadFixture(t, caseDir)
			dir := gradetest.Prepare(t, "lab10", caseDir, fx.Case)
			code, rep, stderr := gradetest.Grade(t, "lab10", dir, fx.Args...)
			gradetest.Check(t, rep, fx.Want)
			require.Equal(t, fx.Case.Exit, code, "exit code; stderr:\n%s", stderr)
		})
	}
	require.Empty(t, cluster.Applied(), "lab10.live stored objects on the cluster: every apply must be a dry run")
}
