// Package lab05 grades lab 5, « Écrire un bon Dockerfile » (docs/labs/lab5.md): a multi-stage,
// lint-clean Dockerfile for the provided Go app, ordered for the cache, non-root, with an
// exec-form entrypoint and healthcheck, built offline with VERSION=1.2.3.
package lab05

import (
	"context"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
)

// Grader is lab 5's grader.
type Grader struct{}

// New returns lab 5's grader.
func New() Grader { return Grader{} }

// Lab names the lab.
func (Grader) Lab() string { return "lab5" }

// Meta: lab 5 builds the student's Dockerfile itself. A spec without one of the params is
// refused when it is loaded, not in the middle of grading.
func (Grader) Meta() grader.Meta {
	return grader.Meta{
		Kind: grader.Dockerfile,
		Params: []grader.Param{
			grader.ListParam("allowed-bases"), grader.ListParam("final-bases"), grader.ListParam("build-args"),
			grader.StringParam("version"), grader.PortParam("port"), grader.SizeParam("max-size"), grader.SizeParam("tiny-size"),
			grader.DurationParam("health-wait"), grader.DurationParam("startup-wait"), grader.DurationParam("stop-timeout"),
			grader.DurationParam("stop-max"), grader.SizeParam("context-max"), grader.IntParam("context-files", 1, 1_000_000),
		},
		Fuzz: []string{"internal/dockerfile.FuzzAnalyze", "internal/dockerfile.FuzzScopeCacheMounts"},
	}
}

// Checks lists lab 5's checks in the order the student reads them. They share one static
// analysis, one build and one running container, each made on first use.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := stateFor(r)
	const files, build = "lab5.files", "lab5.build"
	return []check.Check{
		{ID: files, Mode: check.Static, Run: s.checkFiles},
		{ID: "lab5.offline-syntax", Mode: check.Static, Needs: []string{files}, Run: s.checkOfflineSyntax},
		{ID: "lab5.lint", Mode: check.Static, Needs: []string{files}, Run: s.checkLint},
		{ID: build, Mode: check.Engine, Needs: []string{files}, Run: s.checkBuild},
		// The checks below need the image, not a passing lab5.build: an image that builds but
		// forgets EXPOSE still gets every other check graded.
		{ID: "lab5.multistage", Mode: check.Engine, Needs: []string{files}, Run: s.withImage(s.checkMultistage)},
		{ID: "lab5.size", Mode: check.Engine, Needs: []string{files}, Run: s.withImage(s.checkSize)},
		{ID: "lab5.cache-deps", Mode: check.Engine, Needs: []string{files}, Run: s.withImage(s.checkCacheDeps)},
		{ID: "lab5.cache-docs", Mode: check.Engine, Needs: []string{files}, Run: s.withImage(s.checkCacheDocs)},
		{ID: "lab5.nonroot", Mode: check.Engine, Needs: []string{files}, Run: s.withImage(s.checkNonRoot)},
		{ID: "lab5.healthcheck", Mode: check.Engine, Needs: []string{files}, Run: s.withImage(s.checkHealthcheck)},
		{ID: "lab5.version", Mode: check.Engine, Needs: []string{files}, Run: s.withImage(s.checkVersion)},
		{ID: "lab5.signals", Mode: check.Engine, Needs: []string{files}, Run: s.withImage(s.checkSignals)},
		{ID: "lab5.test-stage", Mode: check.Engine, Needs: []string{files}, Run: s.withImage(s.checkTestStage)},
		{ID: "lab5.cache-mount", Mode: check.Static, Needs: []string{files}, Run: s.checkCacheMount},
		{ID: "lab5.tiny", Mode: check.Engine, Needs: []string{files}, Run: s.withImage(s.checkTiny)},
	}
}

// withImage skips run when lab5.build produced no image.
func (s *state) withImage(run func(context.Context) (check.Outcome, error)) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		if s.imageRef == "" {
			return check.Skipf("Non évalué : l'image n'a pas pu être construite (voir lab5.build).",
				"Not evaluated: the image could not be built (see lab5.build)."), nil
		}
		return run(ctx)
	}
}
