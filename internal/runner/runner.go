// Package runner grades one submission: it runs a lab's checks in order, skips those whose
// prerequisites failed, bounds each with a timeout, turns panics into errors, scores the
// results from the spec, and always cleans up.
//
// The runner owns safety between checks: the checks of a lab share state (a build, a
// container, a Compose project) through closures, so two of them must never run at once. A
// check past its deadline gets a grace period to return its own verdict; one that still
// has not returned (stuck in a call that ignores its context) is left behind, and every
// check after it is reported as an error instead of being run next to it. Waiting for it
// without bound would let one hung call outlast the lab's own time limit.
package runner

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/report"
)

// defaultCheckTimeout applies to checks whose spec sets none.
const defaultCheckTimeout = 2 * time.Minute

// checkGrace is how long a check may take, past its deadline, to return its own verdict.
const checkGrace = 15 * time.Second

// Options change how a run is judged.
type Options struct {
	Lang   string // "fr" or "en"
	Static bool   // only checks that need no engine; the others leave the denominator
	Strict bool   // environment skips count as failures
	Now    func() time.Time
	// Observe, when set, sees every check's outcome in both languages before one is
	// chosen: tests read what the other language would have said.
	Observe func(id string, out check.Outcome)
	// Grace is how long a check may take past its deadline to return its own verdict;
	// 0 means checkGrace.
	Grace time.Duration
}

// Grade runs g's checks against r and returns the report. The error is non-nil only when the
// run was interrupted (ctx cancelled); the report is complete even then.
func Grade(ctx context.Context, r *grader.Run, g grader.Checker, opts Options) (*report.Report, error) {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	start := now()
	rep := &report.Report{
		SchemaVersion: report.SchemaVersion,
		Lab:           r.Spec.Lab,
		Title:         typeset(opts.Lang, r.Spec.Title.In(opts.Lang)),
		Chapter:       r.Spec.Chapter,
		Submission:    r.Source,
		Lang:          opts.Lang,
		StartedAt:     start.UTC(),
	}
	labCtx, cancel := context.WithTimeout(ctx, time.Duration(r.Spec.Timeout))
	defer cancel()

	status := map[string]check.Status{}
	excluded := map[string]bool{}
	said, stuck := "", ""
	for _, c := range g.Checks(r) {
		spec := r.Spec.Check(c.ID)
		if spec == nil {
			// The spec cross-check test makes this unreachable in a release.
			return rep, fmt.Errorf("check %s has no entry in %s's spec", c.ID, r.Spec.Lab)
		}
		t0 := now()
		var out check.Outcome
		if stuck != "" {
			out = check.Outcome{Status: check.Error, Message: check.T(
				"Non évalué : la vérification %s tourne encore après son délai ; la correction s'arrête là pour qu'elle ne fausse pas les suivantes.",
				"Not evaluated: check %s is still running past its deadline; grading stops there so that it cannot disturb the next checks.", stuck)}
		} else {
			var late bool
			out, late = runOne(labCtx, r, c, spec, status, excluded, opts)
			if late {
				stuck = c.ID
			}
		}
		status[c.ID], excluded[c.ID] = out.Status, out.Excluded
		// An unreachable engine is explained once, at the first check it stops.
		if out.Message == noEngineText() {
			if said != "" {
				out = check.Outcome{Status: check.Error, Message: check.T(
					"Non évalué : moteur Docker injoignable (voir %s).", "Not evaluated: Docker engine unreachable (see %s).", said)}
			} else {
				said = c.ID
			}
		}
		if opts.Observe != nil {
			opts.Observe(spec.ID, out)
		}
		rep.Results = append(rep.Results, hidePrivate(result(spec, out, opts, now().Sub(t0)), r))
	}
	score(rep, r.Spec, opts)
	rep.Duration = now().Sub(start)
	if ctx.Err() != nil {
		return rep, ctx.Err()
	}
	return rep, nil
}

// runOne runs one check and returns its verdict; stuck is true when the check had not
// returned by the end of its grace period and is still running.
func runOne(ctx context.Context, r *grader.Run, c check.Check, spec *lab.CheckSpec, status map[string]check.Status, excluded map[string]bool, opts Options) (out check.Outcome, stuck bool) {
	if ctx.Err() != nil {
		if !labOver(ctx) {
			return interrupted(ctx), false
		}
		if c.Mode != check.Static {
			return labTimeout(r), false
		}
		// Past the lab's deadline, static checks still cost nothing to grade.
		ctx = context.WithoutCancel(ctx)
	}
	for _, need := range c.Needs {
		if excluded[need] {
			// Left out with its prerequisite, not lost because of it.
			return staticSkip(), false
		}
		if status[need] != check.Pass {
			o := check.Skipf("Non évalué : la vérification préalable %s n'a pas réussi.",
				"Not evaluated: prerequisite %s did not pass.", need)
			o.BlockedBy = need
			return o, false
		}
	}
	if c.Mode == check.Engine && r.Engine == nil {
		if opts.Static {
			return staticSkip(), false
		}
		return noEngine(r.EngineErr), false
	}
	timeout := time.Duration(spec.Timeout)
	if timeout == 0 {
		timeout = defaultCheckTimeout
	}
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	grace := opts.Grace
	if grace <= 0 {
		grace = checkGrace
	}
	out, err := safeRun(cctx, c, grace)
	// A stuck check gets the verdict of its deadline (its own, the lab's, or Ctrl-C); the
	// caller stops the run.
	return judgeRun(ctx, cctx, r, c, out, err, timeout), errors.Is(err, errStuck)
}

// judgeRun turns what a check returned into its verdict.
func judgeRun(ctx, cctx context.Context, r *grader.Run, c check.Check, out check.Outcome, err error, timeout time.Duration) check.Outcome {
	switch {
	case err == nil && out.Status == 0:
		return check.Outcome{Status: check.Error, Message: check.T(
			"Erreur interne du correcteur : %s n'a rendu aucun verdict.", "Grader bug: %s returned no verdict.", c.ID)}
	case err == nil:
		return out
	case errors.Is(err, engine.ErrUnavailable):
		return noEngine(err)
	case ctx.Err() != nil && labOver(ctx):
		return labTimeout(r)
	case ctx.Err() != nil:
		return interrupted(ctx)
	case errors.Is(err, context.DeadlineExceeded) || cctx.Err() != nil:
		o := check.Outcome{Status: check.Error, Message: check.T(
			"La vérification a dépassé son délai de %s.", "The check exceeded its %s timeout.", timeout)}
		return o
	default:
		return check.Outcome{Status: check.Error, Message: check.T(
			"Le correcteur n'a pas pu évaluer cette vérification : %v", "The grader could not evaluate this check: %v", err)}
	}
}

// errStuck is safeRun's error for a check that did not return within its grace period.
var errStuck = errors.New("check still running after its deadline")

// safeRun runs c in its own goroutine, so that a check stuck in a call that ignores its
// context still ends at the deadline (safeRun then returns errStuck and the goroutine is left
// to finish on its own: the runner runs nothing else of the lab beside it), and a panic
// becomes an error instead of killing the run before cleanup.
func safeRun(ctx context.Context, c check.Check, grace time.Duration) (check.Outcome, error) {
	type result struct {
		out check.Outcome
		err error
	}
	done := make(chan result, 1)
	go func() {
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.err = fmt.Errorf("panic in %s: %v\n%s", c.ID, p, firstLines(string(debug.Stack()), 12))
			}
			done <- r
		}()
		r.out, r.err = c.Run(ctx)
	}()
	select {
	case r := <-done:
		return r.out, r.err
	case <-ctx.Done():
	}
	// A check that honours its context turns the deadline into its own verdict ("the build
	// did not finish in time"); give it a moment to say so before calling it stuck.
	late := time.NewTimer(grace)
	defer late.Stop()
	select {
	case r := <-done:
		return r.out, r.err
	case <-late.C:
		return check.Outcome{}, fmt.Errorf("%s: %w (%w)", c.ID, errStuck, ctx.Err())
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

func staticSkip() check.Outcome {
	o := check.Skipf("Non évalué avec --static : cette vérification a besoin du moteur Docker.",
		"Not evaluated with --static: this check needs the Docker engine.")
	o.Excluded = true
	return o
}

func noEngineText() check.Text {
	return check.T("Le moteur Docker est injoignable : démarrez Docker (ou vérifiez DOCKER_HOST), puis relancez.",
		"The Docker engine is unreachable: start Docker (or check DOCKER_HOST), then run again.")
}

func noEngine(err error) check.Outcome {
	why := check.Lit("aucun moteur", "no engine")
	if err != nil {
		// What the Docker client says ("Cannot connect to the Docker daemon at …"), as the
		// docker CLI shows it, without our own wrapping.
		why = check.Same(strings.TrimPrefix(err.Error(), engine.ErrUnavailable.Error()+": "))
	}
	return check.Outcome{Status: check.Error, Message: noEngineText(), Actual: why}
}

// labOver tells the lab's own deadline from an interruption of the whole run.
func labOver(ctx context.Context) bool { return errors.Is(ctx.Err(), context.DeadlineExceeded) }

// labTimeout is a failure, not an error: the time went into the submission's own builds and
// waits (each of which has its own, shorter, limit).
func labTimeout(r *grader.Run) check.Outcome {
	d := time.Duration(r.Spec.Timeout)
	return check.Failf("Non évalué : le délai global du lab (%s) est dépassé, les builds et attentes de la soumission l'ont consommé.",
		"Not evaluated: the lab's overall time limit (%s) ran out in the submission's builds and waits.", d)
}

func interrupted(ctx context.Context) check.Outcome {
	if errors.Is(context.Cause(ctx), context.DeadlineExceeded) || errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return check.Outcome{Status: check.Error, Message: check.T(
			"Non évalué : le délai global du lab est dépassé.", "Not evaluated: the lab's overall timeout was exceeded.")}
	}
	return check.Outcome{Status: check.Error, Message: check.T("Non évalué : correction interrompue.", "Not evaluated: grading was interrupted.")}
}

// hidePrivate writes the grader's private copies of the submission (Run.Dir, Run.Files) as
// "./" in what the student reads: a path of the grader's own tells them nothing ("open
// /tmp/grade-3f1c…/Dockerfile") and leaks the host's layout.
func hidePrivate(res check.Result, r *grader.Run) check.Result {
	for _, dir := range []string{r.Files, r.Dir} {
		if dir == "" || dir == "/" {
			continue
		}
		dir = filepath.Clean(dir)
		fix := func(s string) string {
			s = strings.ReplaceAll(s, dir+string(filepath.Separator), "./")
			return strings.ReplaceAll(s, dir, ".")
		}
		res.Message, res.Expected, res.Actual = fix(res.Message), fix(res.Expected), fix(res.Actual)
	}
	return res
}

func result(spec *lab.CheckSpec, out check.Outcome, opts Options, d time.Duration) check.Result {
	// Words are typeset for French; data (the same in both languages: a log, an ID) is
	// shown exactly as it was observed.
	say := func(t check.Text) string {
		if opts.Lang == "en" {
			return t.In("en")
		}
		if t.FR == t.EN {
			return t.FR
		}
		return check.Typeset(t.FR)
	}
	res := check.Result{
		ID:        spec.ID,
		Title:     say(spec.Title),
		Kind:      spec.Kind,
		Status:    out.Status,
		MaxPoints: spec.Points,
		Message:   say(out.Message),
		Expected:  say(out.Expected),
		Actual:    say(out.Actual),
		File:      out.File,
		Line:      out.Line,
		Excluded:  out.Excluded && !opts.Strict,
		BlockedBy: out.BlockedBy,
		Duration:  d,
	}
	if out.Status == check.Pass {
		res.Points = spec.Points
	} else {
		if out.Status == check.Fail && out.Credit > 0 {
			res.Points = math.Round(spec.Points*min(out.Credit, 1)*100) / 100
		}
		res.Hint = say(spec.HintFor(out.Cause))
		res.Section = say(spec.Section)
	}
	return res
}

func score(rep *report.Report, spec *lab.Spec, opts Options) {
	var required, bonus, max float64
	// Nothing required evaluated (every check needed the engine) is not a pass.
	passed, evaluated := true, false
	for _, res := range rep.Results {
		if res.Excluded {
			continue
		}
		switch res.Kind {
		case lab.Required:
			required += res.Points
			max += res.MaxPoints
			evaluated = true
		case lab.Bonus:
			bonus += res.Points
		}
		if res.Kind != lab.Bonus && res.Status != check.Pass {
			passed = false
		}
	}
	rep.Bonus = min(bonus, spec.BonusCap)
	rep.Score = required + rep.Bonus
	rep.MaxScore = max
	rep.Passed = passed && evaluated
}

// typeset applies French typography to a French text.
func typeset(lang, s string) string {
	if lang == "en" {
		return s
	}
	return check.Typeset(s)
}
