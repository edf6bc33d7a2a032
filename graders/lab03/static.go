package lab03

import (
	"context"

	"github.com/ddlab/grade/internal/buildlab"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/imagetar"
	"github.com/ddlab/grade/internal/registry"
	"github.com/ddlab/grade/internal/script"
)

// The lab's contract (docs/labs/lab3.md): the image the grader builds and gives the scripts as
// $IMAGE, the tag its rebuilds use to make dangling images, and the registry repository.
const (
	dockerfileName = "Dockerfile"
	imageRef       = "lab3/site:build"
	rebuildRef     = "lab3/site:rebuild"
	repo           = "lab3/site"
	// offlineBase is what the lab builds from, offline (`grade images` makes it).
	offlineBase = "ddlab/busybox:1"
)

// state is what lab 3's checks share for one run.
type state struct {
	run     *grader.Run
	kit     *buildlab.Session
	src     []byte
	df      *dockerfile.Analysis
	image   engine.Image // the built image, as inspected right after the build
	imageID string       // "" until built; follows the image if pull-digest brings it back
	base    *engine.Image
	layers  []imagetar.Layer // the image's layers from `docker save`, read once

	reg     *registry.Registry
	publish *script.Result // publish.sh's run, once
	skip    *check.Outcome // why the registry checks cannot run here (remote engine)
}

// stateFor starts lab 3's state for a run.
func stateFor(r *grader.Run) *state {
	return &state{run: r, kit: buildlab.New(r, dockerfileName)}
}

// checkFiles is the gate: the snapshot took nothing dangerous, and the Dockerfile is a regular
// text file that BuildKit parses.
func (s *state) checkFiles(ctx context.Context) (check.Outcome, error) {
	out, err := s.kit.CheckFiles(ctx)
	s.src, s.df = s.kit.Src, s.kit.DF
	return out, err
}
