package lab08_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/graders/lab08"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/gradetest"
)

// TestFixtures grades the reference solution, the starter and the failing fixtures
// (testdata/<case>/) on the real engine with the embedded Compose engine, compares every
// check's status with want.json, and requires that no container, network or volume of the
// run's Compose projects is left.
func TestFixtures(t *testing.T) {
	gradetest.SerialFixtures(t, "lab8", lab08.New().Meta().Contract, func(t *testing.T, e engine.Engine, rep gradetest.Report) {
		require.Empty(t, gradetest.ProjectLeftovers(t, e, "lab8-"+rep.RunID[:12]), "the run's Compose project outlived it")
	})
}
