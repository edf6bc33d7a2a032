package lab01_test

import (
	"testing"

	"github.com/ddlab/grade/graders/lab01"
	"github.com/ddlab/grade/internal/gradetest"
)

// TestFixtures grades the reference solution, the starter and the failing fixtures
// (testdata/<case>/) on the real engine, one after another (lab1-web and port 8081 are
// fixed: runs take turns), compares every check's status with want.json, and requires that
// nothing of the run or of the lab is left.
func TestFixtures(t *testing.T) {
	gradetest.SerialFixtures(t, "lab1", lab01.New().Meta().Contract, nil)
}
