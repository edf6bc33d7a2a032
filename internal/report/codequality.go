package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/ddlab/grade/internal/check"
)

// CodeQuality writes a GitLab Code Quality report (artifacts:reports:codequality): a JSON
// array, without a byte-order mark, with one finding per failed check. GitLab reads only
// description, check_name, fingerprint, severity, location.path and location.lines.begin,
// and needs a path for every finding: a check without a file points at the submission
// folder, line 1. Severity follows what the check is worth: a failed gate blocks the rest
// (blocker), a required check costs points (major), a bonus does not (minor). Checks that
// grade could not decide are not findings on the code and are left out.
type CodeQuality struct{}

var _ Writer = CodeQuality{}

type cqFinding struct {
	Description string     `json:"description"`
	CheckName   string     `json:"check_name"`
	Fingerprint string     `json:"fingerprint"`
	Severity    string     `json:"severity"`
	Location    cqLocation `json:"location"`
}

type cqLocation struct {
	Path  string  `json:"path"`
	Lines cqLines `json:"lines"`
}

type cqLines struct {
	Begin int `json:"begin"`
}

// Write renders r as a Code Quality JSON array to w.
func (CodeQuality) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	r = sanitized(r)
	l := labelsFor(r.Lang)
	findings := []cqFinding{}
	for _, res := range r.Results {
		if res.Status != check.Fail {
			continue
		}
		p, line := placeOf(r, res)
		desc := res.ID + " — " + res.Title
		if pts := l.pointsOf(res); pts != "" {
			desc += " (" + pts + ")"
		}
		if msg := firstLine(res.Message, 300); msg != "" {
			desc += l.colon + " " + msg
		}
		if hint := firstLine(res.Hint, 300); hint != "" {
			desc += " " + l.hint + l.colon + " " + hint
		}
		sev := "major"
		switch res.Kind {
		case kindGate:
			sev = "blocker"
		case kindBonus:
			sev = "minor"
		}
		findings = append(findings, cqFinding{
			Description: desc,
			CheckName:   res.ID,
			Fingerprint: fingerprint(r.Lab, res.ID, p),
			Severity:    sev,
			Location:    cqLocation{Path: p, Lines: cqLines{Begin: line}},
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(findings); err != nil {
		return fmt.Errorf("encode code quality report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
