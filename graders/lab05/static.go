package lab05

import (
	"context"
	"strings"

	"github.com/ddlab/grade/internal/buildlab"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
)

const dockerfileName = "Dockerfile"

// offlineBases are what the lab builds from, offline (`grade images` makes them).
var offlineBases = check.Lit("ddlab/go:1, ddlab/busybox:1 ou scratch", "ddlab/go:1, ddlab/busybox:1 or scratch")

// state is what lab 5's checks share for one run.
type state struct {
	run      *grader.Run
	kit      *buildlab.Session
	src      []byte // the Dockerfile as submitted
	df       *dockerfile.Analysis
	image    engine.Image
	imageRef string
	files    []engine.File
	ctr      string         // the running container, "" until started
	ctrFail  *check.Outcome // why the container could not start: a verdict on the student
}

// stateFor starts lab 5's state for a run.
func stateFor(r *grader.Run) *state {
	return &state{run: r, kit: buildlab.New(r, dockerfileName)}
}

// checkFiles is the gate: the snapshot took nothing dangerous, and the Dockerfile is a
// regular text file that BuildKit parses.
func (s *state) checkFiles(ctx context.Context) (check.Outcome, error) {
	out, err := s.kit.CheckFiles(ctx)
	s.src, s.df = s.kit.Src, s.kit.DF
	return out, err
}

func (s *state) checkOfflineSyntax(context.Context) (check.Outcome, error) {
	return judgeOfflineSyntax(s.df, strings.Fields(s.run.Spec.Params["allowed-bases"])), nil
}

func (s *state) checkLint(context.Context) (check.Outcome, error) {
	return judgeLint(s.df.Lint), nil
}

func (s *state) checkCacheMount(context.Context) (check.Outcome, error) {
	return judgeCacheMount(s.df), nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
