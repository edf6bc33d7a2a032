package lab10_test

import (
	"path/filepath"
	"testing"

	"github.com/ddlab/grade/internal/gradetest"
)

// BenchmarkGradeSolution measures grading the reference solution in process, from the command
// line to the report: lab 10 reads files only, so this is its whole cost (`make bench`).
func BenchmarkGradeSolution(b *testing.B) {
	dir := gradetest.Prepare(b, "lab10", filepath.Join("testdata", "solution"), gradetest.Case{Solution: true})
	b.ReportAllocs()
	for b.Loop() {
		if code, _, stderr := gradetest.Grade(b, "lab10", dir); code != 0 {
			b.Fatalf("exit %d\n%s", code, stderr)
		}
	}
}
