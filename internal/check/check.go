// Package check holds what a grader asserts about a submission and the verdicts it returns.
package check

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Status is a check's verdict. The zero value is invalid on purpose.
type Status int

// Verdicts. Error means grade could not decide (engine fault, timeout), never that the
// student is wrong.
const (
	Pass Status = iota + 1
	Fail
	Skip
	Error
)

func (s Status) String() string {
	switch s {
	case Pass:
		return "pass"
	case Fail:
		return "fail"
	case Skip:
		return "skip"
	case Error:
		return "error"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Mode says what a check needs to observe the submission.
type Mode int

// Static checks read files only; Engine checks need a reachable Docker engine.
const (
	Static Mode = iota + 1
	Engine
)

// Text is a sentence in the two languages of the course.
type Text struct {
	FR string `json:"fr" yaml:"fr"`
	EN string `json:"en" yaml:"en"`
}

// In returns the text in lang ("fr" or "en"), falling back to French.
func (t Text) In(lang string) string {
	if lang == "en" && t.EN != "" {
		return t.EN
	}
	return t.FR
}

// T builds a Text from two format strings sharing the same arguments. An argument that is a
// Text is given to each format in its language: check.T("pèse %s", "weighs %s", Size(n)).
func T(fr, en string, args ...any) Text {
	return Text{FR: fmt.Sprintf(fr, argsIn("fr", args)...), EN: fmt.Sprintf(en, argsIn("en", args)...)}
}

func argsIn(lang string, args []any) []any {
	out := args
	for i, a := range args {
		if t, ok := a.(Text); ok {
			if &out[0] == &args[0] {
				out = append([]any(nil), args...)
			}
			out[i] = t.In(lang)
		}
	}
	return out
}

// Outcome is the verdict of one check on one submission. Message says what was observed;
// the hint comes from the lab spec so instructors can reword it without a rebuild.
type Outcome struct {
	Status  Status
	Message Text
	// Expected and Actual are bilingual too: "absent" in an English report is as wrong as
	// "missing" in a French one. Values that are the same in both (a port, an ID, a log
	// line) come through With.
	Expected Text
	Actual   Text
	File     string // relative to the submission, when the finding has a place
	Line     int
	// Excluded marks a skip caused by the environment (no engine, --static): the check
	// leaves the denominator instead of costing points.
	Excluded bool
	// BlockedBy names the prerequisite whose failure skipped the check.
	BlockedBy string
	// Cause names which of a check's failures this is, when the spec has a hint for it
	// (lab.CheckSpec.Hints): "syntax" for a file that does not parse…
	Cause string
	// Credit is the share of a failed check's points still earned (0 to 1), for checks that
	// grade several items, such as a parity table.
	Credit float64
}

// Partly returns o earning got of the check's points out of of.
func (o Outcome) Partly(got, of int) Outcome {
	if of > 0 && got > 0 {
		o.Credit = float64(min(got, of)) / float64(of)
	}
	return o
}

// Because returns o with its cause set.
func (o Outcome) Because(cause string) Outcome {
	o.Cause = cause
	return o
}

// Passf is a passing outcome with a message.
func Passf(fr, en string, args ...any) Outcome {
	return Outcome{Status: Pass, Message: T(fr, en, args...)}
}

// Failf is a failing outcome with a message.
func Failf(fr, en string, args ...any) Outcome {
	return Outcome{Status: Fail, Message: T(fr, en, args...)}
}

// Skipf is a skip with a reason.
func Skipf(fr, en string, args ...any) Outcome {
	return Outcome{Status: Skip, Message: T(fr, en, args...)}
}

// RemoteSkip is the verdict of a check that needs the engine on the grader's machine (to dial
// a port published on 127.0.0.1, to bind-mount the lab folder…) when it runs elsewhere: the
// environment's limit, not the student's fault, so the check leaves the denominator (unless
// --strict). fr and en say what cannot be done.
func RemoteSkip(host, fr, en string) Outcome {
	o := Skipf("Non évalué : le moteur Docker est distant (DOCKER_HOST=%s) : "+escape(fr)+" Lancez grade sur la machine du moteur (Docker local ou Docker Desktop).",
		"Not evaluated: the Docker engine is remote (DOCKER_HOST=%s): "+escape(en)+" Run grade on the engine's machine (local Docker or Docker Desktop).", host)
	o.Excluded = true
	return o
}

// escape keeps a reason's % signs out of the format.
func escape(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		if r == '%' {
			out = append(out, '%')
		}
		out = append(out, r)
	}
	return string(out)
}

// With returns o with expected and actual set to values that read the same in both
// languages: a port, an image ID, a log line, a Dockerfile instruction. Words go through WithT.
func (o Outcome) With(expected, actual string) Outcome {
	o.Expected, o.Actual = Same(expected), Same(actual)
	return o
}

// WithT returns o with expected and actual set, each in both languages.
func (o Outcome) WithT(expected, actual Text) Outcome {
	o.Expected, o.Actual = expected, actual
	return o
}

// Same is a text that reads the same in both languages (data, not words).
func Same(s string) Text { return Text{FR: s, EN: s} }

// Lit is a Text of two fixed strings; unlike T it formats nothing, so a % stays a %.
func Lit(fr, en string) Text { return Text{FR: fr, EN: en} }

// At returns o located at file:line.
func (o Outcome) At(file string, line int) Outcome {
	o.File, o.Line = file, line
	return o
}

// Check is one assertion about a submission. Points, hints, titles and timeouts come from
// the lab spec; Go code holds only the logic.
// Run is a closure over the grader's state for one submission, so checks that share a build
// or a container get it from there rather than through a generic target type.
type Check struct {
	ID    string   // stable, e.g. "lab5.multistage"
	Mode  Mode     // Static or Engine
	Needs []string // IDs that must pass first, otherwise Skip
	Run   func(ctx context.Context) (Outcome, error)
}

// Result is a check's verdict as reports show it.
type Result struct {
	ID        string        `json:"id"`
	Title     string        `json:"title"`
	Kind      string        `json:"kind"` // required, bonus or gate
	Status    Status        `json:"status"`
	Points    float64       `json:"points"`
	MaxPoints float64       `json:"max_points"`
	Message   string        `json:"message,omitempty"`
	Expected  string        `json:"expected,omitempty"`
	Actual    string        `json:"actual,omitempty"`
	Hint      string        `json:"hint,omitempty"`
	Section   string        `json:"section,omitempty"` // the chapter's part to reread
	File      string        `json:"file,omitempty"`
	Line      int           `json:"line,omitempty"`
	Excluded  bool          `json:"excluded,omitempty"`
	BlockedBy string        `json:"blocked_by,omitempty"` // the failed prerequisite that skipped it
	Duration  time.Duration `json:"-"`
}

// MarshalText writes the status as reports spell it.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a status as reports spell it.
func (s *Status) UnmarshalText(b []byte) error {
	for _, v := range []Status{Pass, Fail, Skip, Error} {
		if v.String() == string(b) {
			*s = v
			return nil
		}
	}
	return fmt.Errorf("unknown status %q", b)
}

// Tail keeps the last n lines of s, without its trailing newline.
func Tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
