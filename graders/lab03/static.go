package lab03

import (
	"context"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
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
)

// state is what lab 3's checks share for one run.
type state struct {
	run     *grader.Run
	src     []byte
	df      *dockerfile.Analysis
	image   engine.Image // the built image, as inspected right after the build
	imageID string       // "" until built; follows the image if pull-digest brings it back
	base    *engine.Image
	layers  []layer // the image's layers from `docker save`, read once

	reg     *registry.Registry
	publish *script.Result // publish.sh's run, once
	skip    *check.Outcome // why the registry checks cannot run here (remote engine)
}

// checkFiles is the gate: the snapshot took nothing dangerous, and the Dockerfile is a regular
// text file that BuildKit parses.
func (s *state) checkFiles(ctx context.Context) (check.Outcome, error) {
	if o := s.run.RefusedOutcome(); o != nil {
		return *o, nil
	}
	src, df, out, err := s.run.ReadDockerfile(ctx, dockerfileName)
	s.src, s.df = src, df
	return out, err
}

// finalBase follows the final stage's FROM through earlier stages to an image reference.
func finalBase(df *dockerfile.Analysis) (ref string, line int) {
	st := df.Final()
	for hops := 0; st != nil && hops <= len(df.Stages); hops++ {
		ref, line = st.Base, st.Line
		next := df.StageByName(st.Base)
		if next == nil || next == st {
			break
		}
		st = next
	}
	return ref, line
}

func normalizeRef(ref string) string {
	ref = strings.ToLower(ref)
	ref = strings.TrimPrefix(ref, "docker.io/")
	return strings.TrimPrefix(ref, "library/")
}
