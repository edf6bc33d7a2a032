// Package report holds the result of grading one submission and the writers that render it.
// Writers only render: they never decide the exit code.
package report

import (
	"io"
	"time"

	"github.com/ddlab/grade/internal/check"
)

// SchemaVersion is the version of the JSON report; bump it on any incompatible change.
const SchemaVersion = 1

// Report is one graded submission.
type Report struct {
	SchemaVersion int
	ToolVersion   string
	Lab           string // "lab5"
	Title         string // in Lang
	Chapter       int    // the course chapter the lab belongs to; 0 when unknown
	Submission    string // the folder as the user named it
	RunID         string // labels every engine object of the run (ddlab.run)
	Lang          string // "fr" or "en"
	StartedAt     time.Time
	Duration      time.Duration
	Score         float64 // required + bonus points earned (bonus capped by the spec)
	Bonus         float64 // the bonus points within Score, after the spec's cap
	MaxScore      float64 // required points still in the denominator
	Passed        bool    // every gate and required check passed
	Engine        *Engine // nil when no engine was used
	Build         *Build  // nil when nothing was built
	Error         string  // set when the submission could not be graded at all
	Provenance    Provenance
	Results       []check.Result
}

// Provenance is what produced the grade besides the submission: the spec (its digest, and the
// file when an instructor's --spec replaced the embedded one) and the overall time limit.
type Provenance struct {
	SpecDigest        string
	SpecFile          string // "" for the spec embedded in the binary
	Timeout           time.Duration
	TimeoutOverridden bool // --timeout replaced the spec's
	// ScriptSandbox is where the student's scripts ran: "" when none ran, "bubblewrap", or
	// "none: <why>" when they ran on the host (GRADE_SANDBOX=off, no bubblewrap).
	ScriptSandbox string
}

// Engine describes the Docker engine that graded the submission.
type Engine struct {
	Version    string
	APIVersion string
	OS         string
	Arch       string
}

// Build summarises the main build of the submission.
type Build struct {
	Builder     string // "buildkit" or "classic"
	Duration    time.Duration
	Steps       int
	CachedSteps int
	LogTail     string // last lines of the build log, kept when the build failed
}

// Writer renders a Report in one format.
type Writer interface {
	Write(w io.Writer, r *Report) error
}

// Counts tallies results by status.
type Counts struct {
	Total, Passed, Failed, Skipped, Errors int
}

// Unevaluated counts the required checks and gates that the environment left out (--static, a
// remote engine): a run with any is not a whole grade, whatever its score says.
func (r *Report) Unevaluated() int {
	n := 0
	for _, res := range r.Results {
		if res.Status == check.Skip && res.Excluded && res.Kind != "bonus" {
			n++
		}
	}
	return n
}

// UnevaluatedPoints adds up what the required checks left out by the environment are worth:
// the part of the grade a --static run cannot give.
func (r *Report) UnevaluatedPoints() float64 {
	var pts float64
	for _, res := range r.Results {
		if res.Status == check.Skip && res.Excluded && res.Kind == "required" {
			pts += res.MaxPoints
		}
	}
	return pts
}

// FixFirst is the check a student should fix first: the first failed gate (it holds back the
// checks behind it), else the first failed required check; nil when none failed.
func (r *Report) FixFirst() *check.Result {
	for _, kind := range []string{"gate", "required"} {
		for i, res := range r.Results {
			if res.Status == check.Fail && res.Kind == kind {
				return &r.Results[i]
			}
		}
	}
	return nil
}

// Count tallies r's results by status.
func (r *Report) Count() Counts {
	var c Counts
	for _, res := range r.Results {
		c.Total++
		switch res.Status {
		case check.Pass:
			c.Passed++
		case check.Fail:
			c.Failed++
		case check.Skip:
			c.Skipped++
		case check.Error:
			c.Errors++
		}
	}
	return c
}
