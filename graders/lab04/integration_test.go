package lab04_test

import (
	"testing"

	"github.com/ddlab/grade/graders/lab04"
	"github.com/ddlab/grade/internal/gradetest"
)

// TestFixtures grades the reference solution, the starter and the failing fixtures
// (testdata/<case>/) on the real engine, one after another (lab4-app and port 8084 are fixed:
// runs take turns), compares every check's status with want.json, and requires that nothing
// of the run or of the lab is left, anonymous volumes included.
func TestFixtures(t *testing.T) {
	gradetest.SerialFixtures(t, "lab4", lab04.New().Meta().Contract, nil)
}
