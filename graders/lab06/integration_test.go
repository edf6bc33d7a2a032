package lab06_test

import (
	"testing"

	"github.com/ddlab/grade/graders/lab06"
	"github.com/ddlab/grade/internal/gradetest"
)

// TestFixtures grades the reference solution, the starter and the failing fixtures
// (testdata/<case>/) on the real engine, one after another (lab 6's fixed names make runs
// take turns anyway), compares every check's status with want.json, and requires that nothing
// of the lab remains: no run-labelled object, no contract object, and no anonymous volume
// that a lab6 container mounted.
func TestFixtures(t *testing.T) {
	gradetest.SerialFixtures(t, "lab6", lab06.New().Meta().Contract, nil)
}
