package lab02_test

import (
	"testing"

	"github.com/ddlab/grade/graders/lab02"
	"github.com/ddlab/grade/internal/gradetest"
)

// TestFixtures grades the reference solution, the starter and the failing fixtures
// (testdata/<case>/) on the real engine, one after another (lab2-api and port 8082 are fixed:
// runs take turns), compares every check's status with want.json, and requires that nothing
// of the run or of the lab is left.
func TestFixtures(t *testing.T) {
	gradetest.SerialFixtures(t, "lab2", lab02.New().Meta().Contract, nil)
}
