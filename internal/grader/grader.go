// Package grader defines what a lab grader is, the per-run state it works with, and the
// registry that holds every grader.
package grader

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path/filepath"
	"sort"

	"github.com/ddlab/grade/internal/buildctx"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/report"
)

// A Grader lists the checks of one lab, bound to one run, and declares what the lab is
// (Meta). Checks share the run's state (a build, a container) through closures, and build it
// lazily so that a failed prerequisite costs nothing.
type Grader interface {
	Lab() string // "lab5"; joins labs/lab5.yaml
	Meta() Meta
	Checker
}

// Checker is the part of a grader the runner needs: its checks, bound to one run.
type Checker interface {
	Checks(r *Run) []check.Check
}

// Run is everything one grading of one submission shares.
type Run struct {
	ID      string             // unique per run; names and labels every engine object
	Spec    *lab.Spec          // the lab's spec
	Source  string             // the submission folder as the user gave it
	Dir     string             // a private snapshot of the submission: checks read and edit only this
	Refused []buildctx.Problem // what the snapshot refused (links leaving the folder, size…)
	// Files is a private copy of the whole submission, .dockerignore or not, where student
	// scripts run (see Script) and Compose projects load; set only for graders that need it
	// (Meta.NeedsFiles).
	Files     string
	Engine    engine.Engine // nil when grading statically or when no engine answered
	EngineErr error         // why Engine is nil
	Cleanup   *Cleanup
	Progress  func(msg check.Text) // long steps report here, in both languages; never nil
	Detail    func(line string)    // build log lines, shown live on a terminal only; never nil
	Build     *report.Build        // the main build, set by the grader for the report
	// Scope, when set, replaces CacheScope's per-folder key (GRADE_CACHE_SCOPE): every
	// submission graded with one value shares the BuildKit cache mounts, for trusted sets only.
	Scope string
	// Sandbox is where student scripts run (GRADE_SANDBOX): SandboxAuto, SandboxRequire or
	// SandboxOff; "" is SandboxAuto.
	Sandbox string
	// KubeContext is the Kubernetes context the student named (--kube-context) for the checks
	// that ask a cluster; "" when they named none.
	KubeContext string

	turn     Contract        // the contract's objects, this run's while it holds the lab's turn (Lock)
	scripts  scriptProxy     // what student scripts talk to (see Script)
	composer engine.Composer // see Composer
	projects map[string]bool // Compose projects whose removal is registered (see Up)
}

// CacheScope keys the BuildKit cache mounts of this submission's builds: the same folder
// graded again finds its caches warm, another folder (another student's) never shares them.
func (r *Run) CacheScope() string {
	if r.Scope != "" {
		return r.Scope
	}
	src := r.Source
	if abs, err := filepath.Abs(src); err == nil {
		src = abs
	}
	sum := sha256.Sum256([]byte(src))
	return "grade-" + hex.EncodeToString(sum[:8])
}

// Labels are the labels every object this run creates carries.
func (r *Run) Labels() map[string]string {
	return map[string]string{"ddlab.run": r.ID, "ddlab.lab": r.Spec.Lab, "ddlab.tool": "grade"}
}

// RunLabel is the label filter that finds this run's objects.
func (r *Run) RunLabel() string { return RunLabelOf(r.ID) }

// Name returns an engine object name unique to this run.
func (r *Run) Name(purpose string) string {
	return fmt.Sprintf("ddlab-%s-%s", check.ShortID(r.ID), purpose)
}

// Registry holds the graders by lab.
type Registry struct {
	byLab map[string]Grader
}

// NewRegistry fails on a duplicate lab or duplicate check IDs within a lab.
func NewRegistry(gs ...Grader) (*Registry, error) {
	reg := &Registry{byLab: map[string]Grader{}}
	for _, g := range gs {
		if _, dup := reg.byLab[g.Lab()]; dup {
			return nil, fmt.Errorf("grader for %s registered twice", g.Lab())
		}
		if err := g.Meta().validate(g.Lab()); err != nil {
			return nil, err
		}
		seen := map[string]bool{}
		for _, id := range CheckIDs(g) {
			if seen[id] {
				return nil, fmt.Errorf("%s: check %s listed twice", g.Lab(), id)
			}
			seen[id] = true
		}
		reg.byLab[g.Lab()] = g
	}
	return reg, nil
}

// Get returns the grader of lab, if there is one.
func (r *Registry) Get(lab string) (Grader, bool) {
	g, ok := r.byLab[lab]
	return g, ok
}

// Labs lists the labs that have a grader.
func (r *Registry) Labs() []string {
	out := make([]string, 0, len(r.byLab))
	for l := range r.byLab {
		out = append(out, l)
	}
	sort.Strings(out)
	return out
}

// CheckIDs lists a grader's check IDs in order, without grading anything.
func CheckIDs(g Checker) []string {
	var ids []string
	for _, c := range g.Checks(&Run{}) {
		ids = append(ids, c.ID)
	}
	return ids
}

// CrossCheck reports every check a grader runs that its spec lacks, every spec entry no
// check implements, and every param the spec gets wrong (see CheckParams).
func CrossCheck(spec *lab.Spec, g Grader) error {
	var errs []error
	ids := map[string]bool{}
	for _, id := range CheckIDs(g) {
		ids[id] = true
		if spec.Check(id) == nil {
			errs = append(errs, fmt.Errorf("%s: check %s has no entry in the spec", spec.Lab, id))
		}
	}
	for _, c := range spec.Checks {
		if !ids[c.ID] {
			errs = append(errs, fmt.Errorf("%s: spec entry %s has no check in the grader", spec.Lab, c.ID))
		}
	}
	errs = append(errs, CheckParams(spec, g.Meta()))
	return errors.Join(errs...)
}
