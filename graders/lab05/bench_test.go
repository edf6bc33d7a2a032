package lab05_test

import (
	"path/filepath"
	"testing"

	"github.com/ddlab/grade/internal/gradetest"
	"github.com/ddlab/grade/internal/testenv"
)

// BenchmarkGradeSolution measures grading the reference solution end to end on the real
// engine, warm caches (the first run is done before the timer starts). `make bench` runs it.
func BenchmarkGradeSolution(b *testing.B) {
	e := testenv.Engine(b)
	testenv.BaseImages(b, e)
	caseDir := filepath.Join("testdata", "solution")
	dir := gradetest.Prepare(b, "lab5", caseDir, gradetest.Case{Solution: true})
	if code, _, stderr := gradetest.Grade(b, "lab5", dir); code != 0 {
		b.Fatalf("warm-up run: exit %d\n%s", code, stderr)
	}
	b.ResetTimer()
	for b.Loop() {
		if code, _, stderr := gradetest.Grade(b, "lab5", dir); code != 0 {
			b.Fatalf("exit %d\n%s", code, stderr)
		}
	}
}
