// Package lab03 grades lab 3, « Images et couches » (docs/labs/lab3.md): a one-layer site image on
// ddlab/busybox:1 built from a clean context, published under several tags to a registry the
// grader runs itself, pulled back by digest, and the lab's dangling images cleaned up.
package lab03

import (
	"context"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
)

// Grader is lab 3's grader.
type Grader struct{}

// New returns lab 3's grader.
func New() Grader { return Grader{} }

// Lab names the lab.
func (Grader) Lab() string { return "lab3" }

// Meta: publish.sh, cleanup.sh and export.sh run in a full copy of the submission. The
// contract names the images the lab's scripts work on under fixed names, so two runs on one
// engine take turns. The registry tags (127.0.0.1:<port>/lab3/site:…) are other names of the
// image the grader built, removed with it.
func (Grader) Meta() grader.Meta {
	return grader.Meta{
		Kind:      grader.Scripts,
		Exclusive: true,
		Contract:  grader.Contract{Images: []string{imageRef, rebuildRef}},
		Params: []grader.Param{
			grader.StringParam("base"), grader.ListParam("tags"), grader.ListParam("semver-tags"),
			grader.StringParam("version"), grader.PortParam("port"), grader.StringParam("index-text"),
			grader.StringParam("health-text"), grader.DurationParam("startup-wait"),
			grader.IntParam("max-new-layers", 1, 127), grader.ListParam("traps"), grader.SizeParam("context-limit"),
			grader.SizeParam("max-delta"), grader.SizeParam("registry-max"), grader.SizeParam("save-max"),
		},
		Fuzz: []string{"internal/imagetar.FuzzReadArchive", "internal/dockerfile.FuzzAnalyze", "internal/dockerfile.FuzzScopeCacheMounts"},
	}
}

// Checks lists lab 3's checks in the order the student reads them. They share one build, one
// run of publish.sh and one registry, each made on first use. pull-digest, cleanup and save
// come after the image checks: they remove and re-tag the image.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := stateFor(r)
	const files, push = "lab3.files", "lab3.push"
	img := func(run func(context.Context) (check.Outcome, error)) func(context.Context) (check.Outcome, error) {
		return s.withImage(run)
	}
	return []check.Check{
		{ID: files, Mode: check.Static, Run: s.checkFiles},
		{ID: "lab3.build", Mode: check.Engine, Needs: []string{files}, Run: s.checkBuild},
		{ID: "lab3.base-shared", Mode: check.Engine, Needs: []string{files}, Run: img(s.checkBaseShared)},
		{ID: "lab3.layers", Mode: check.Engine, Needs: []string{files}, Run: img(s.checkLayers)},
		{ID: "lab3.context", Mode: check.Engine, Needs: []string{files}, Run: img(s.checkContext)},
		{ID: "lab3.no-whiteout", Mode: check.Engine, Needs: []string{files}, Run: img(s.checkNoWhiteout)},
		{ID: "lab3.http", Mode: check.Engine, Needs: []string{files}, Run: img(s.checkHTTP)},
		{ID: "lab3.labels", Mode: check.Engine, Needs: []string{files}, Run: img(s.checkLabels)},
		{ID: push, Mode: check.Engine, Needs: []string{files}, Run: img(s.checkPush)},
		{ID: "lab3.pull-digest", Mode: check.Engine, Needs: []string{files, push}, Run: img(s.checkPullDigest)},
		{ID: "lab3.cleanup", Mode: check.Engine, Needs: []string{files}, Run: img(s.checkCleanup)},
		{ID: "lab3.semver", Mode: check.Engine, Needs: []string{files}, Run: img(s.checkSemver)},
		{ID: "lab3.save", Mode: check.Engine, Needs: []string{files}, Run: img(s.checkSave)},
	}
}

// withImage skips run when lab3.build produced no image.
func (s *state) withImage(run func(context.Context) (check.Outcome, error)) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		if s.imageID == "" {
			return check.Skipf("Non évalué : l'image n'a pas pu être construite (voir lab3.build).",
				"Not evaluated: the image could not be built (see lab3.build)."), nil
		}
		return run(ctx)
	}
}
