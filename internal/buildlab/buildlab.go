// Package buildlab is what the graders of Dockerfile labs (3, 5, and 11 and 12 next) share:
// the Dockerfile gate, builds of the snapshot that the run's cleanup removes, the verdict on
// a build that produced no image (too slow, wants a registry, fails), and the reading of the
// Dockerfile's image references. It is to Dockerfile labs what composelab is to Compose labs.
package buildlab

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/report"
)

// LogTailLines is how much of a failed build's log a report keeps.
const LogTailLines = 25

// Session is one run's view of the student's Dockerfile.
type Session struct {
	Run  *grader.Run
	Name string // the Dockerfile's name at the root of the snapshot, "Dockerfile"

	Src []byte               // the Dockerfile as submitted, set by CheckFiles
	DF  *dockerfile.Analysis // its static parse, set when CheckFiles passes
}

// New starts a session for a run whose Dockerfile is name.
func New(r *grader.Run, name string) *Session {
	return &Session{Run: r, Name: name}
}

// CheckFiles is the gate every other check needs: the snapshot took nothing dangerous, and the
// Dockerfile is a regular text file that BuildKit parses.
func (s *Session) CheckFiles(ctx context.Context) (check.Outcome, error) {
	if o := s.Run.RefusedOutcome(); o != nil {
		return *o, nil
	}
	src, df, out, err := s.Run.ReadDockerfile(ctx, s.Name)
	s.Src, s.DF = src, df
	return out, err
}

// WithoutSyntax rewrites the snapshot's Dockerfile without its `# syntax=` directive: offline
// the frontend it names cannot be pulled, and building without it still grades the rest. A
// Dockerfile without the directive is left as it is.
func (s *Session) WithoutSyntax() error {
	if s.DF == nil || s.DF.Syntax == "" {
		return nil
	}
	src, _ := dockerfile.WithoutSyntax(s.Src)
	return os.WriteFile(filepath.Join(s.Run.Dir, s.Name), src, 0o644)
}

// Build builds the snapshot with the session's Dockerfile, unless req names another, and
// registers the image for removal. Labels default to the run's; a build that must show the
// student's own labels (lab3.labels) passes its own set, which should still carry ddlab.run
// so that an interrupted run's leftovers are found.
func (s *Session) Build(ctx context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
	r := s.Run
	if req.ContextDir == "" {
		req.ContextDir = r.Dir
	}
	if req.Dockerfile == "" {
		req.Dockerfile = s.Name
	}
	if req.Labels == nil {
		req.Labels = r.Labels()
	}
	if req.Progress == nil {
		req.Progress = r.Detail
	}
	if req.CacheScope == "" {
		req.CacheScope = r.CacheScope()
	}
	res, err := r.Engine.Build(ctx, req)
	if res.ImageID != "" {
		id, what := res.ImageID, "image "+req.Tag
		r.Cleanup.Add(what, func(ctx context.Context) error {
			return r.Engine.Remove(ctx, engine.Ref{Kind: engine.KindImage, ID: id})
		})
	}
	return res, err
}

// Summary is the build block of the report: builder, duration, steps and the cached ones.
func Summary(res engine.BuildResult) *report.Build {
	b := &report.Build{Builder: string(res.Builder), Duration: res.Duration, Steps: len(res.Steps)}
	for _, st := range res.Steps {
		if st.Cached {
			b.CachedSteps++
		}
	}
	return b
}

// Outcome turns a build that produced no image into a verdict on the student: a build that
// did not finish in time, one that wants to pull what is not on this offline machine (bases
// names the images that are), one that fails. ok is true when the build produced an image;
// err is the grader's own trouble. what, when set, names the build in the message
// ("--target test").
func Outcome(ctx context.Context, res engine.BuildResult, err error, what, bases check.Text) (o check.Outcome, ok bool, _ error) {
	if err != nil {
		if TimedOut(ctx, err) {
			return Judge(res, true, what, bases), false, nil
		}
		return check.Outcome{}, false, err
	}
	if res.Failed {
		return Judge(res, false, what, bases), false, nil
	}
	return check.Outcome{}, true, nil
}

// TimedOut says whether a build's error is the check's deadline cutting it: the student's
// build was too slow, a verdict, where any other error is the grader's own trouble.
func TimedOut(ctx context.Context, err error) bool {
	return errors.Is(err, context.DeadlineExceeded) || (ctx.Err() != nil && errors.Is(context.Cause(ctx), context.DeadlineExceeded))
}

// Judge is the verdict on a build that produced no image, decided from what the build
// returned alone; timedOut says that it did not finish.
func Judge(res engine.BuildResult, timedOut bool, what, bases check.Text) check.Outcome {
	the, theEN := "La construction", "The build"
	if what.FR != "" {
		the, theEN = "La construction ("+what.FR+")", "The build ("+what.In("en")+")"
	}
	fail := func(fr, en string) check.Outcome {
		return check.Outcome{Status: check.Fail, Message: check.Text{FR: fr, EN: en}}
	}
	switch {
	case timedOut:
		return fail(the+" n'a pas fini dans le délai imparti : une étape attend ou boucle ?",
			theEN+" did not finish in time: does a step wait or loop forever?").
			WithT(check.Lit("un build qui se termine", "a build that finishes"), check.Same(check.Tail(res.Log, LogTailLines)))
	case NeedsPull(res.Error):
		return fail(the+" veut télécharger une image absente de la machine, impossible hors ligne : partez de "+bases.FR+" (`grade images` les construit).",
			theEN+" wants to pull an image missing from this machine, impossible offline: start from "+bases.In("en")+" (`grade images` builds them).").
			WithT(check.Lit("une image de base présente localement", "a base image present locally"), check.Same(check.Clip(res.Error, 300)+"\n"+check.Tail(res.Log, LogTailLines)))
	}
	// BuildKit's words, quoted in French: the student reads where the sentence ends.
	why := check.Clip(res.Error, 300)
	return fail(the+" échoue : « "+why+" »", theEN+" fails: "+why).
		WithT(check.Lit("un build réussi", "a successful build"), check.Same(check.Tail(res.Log, LogTailLines)))
}

// NeedsPull recognises a build that failed because it tried to reach a registry.
func NeedsPull(msg string) bool {
	for _, sign := range []string{"no such host", "pull access denied", "failed to resolve source metadata", "registry-1.docker.io", "manifest unknown", "failed to do request"} {
		if strings.Contains(msg, sign) {
			return true
		}
	}
	return false
}

// NormalizeRef writes an image reference as the lab specs do: lower case, without the
// implicit docker.io/ and library/ prefixes ("docker.io/library/Alpine" is "alpine").
func NormalizeRef(ref string) string {
	ref = strings.ToLower(ref)
	ref = strings.TrimPrefix(ref, "docker.io/")
	return strings.TrimPrefix(ref, "library/")
}

// FinalBase follows the final stage's FROM through earlier stages to an image reference, and
// the line of the FROM that names it.
func FinalBase(df *dockerfile.Analysis) (ref string, line int) {
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
