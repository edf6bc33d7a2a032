package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/ddlab/grade/internal/check"
)

// Gradescope writes /autograder/results/results.json as Gradescope's autograder
// specification reads it (gradescope/autograder_samples docs/specs.md). The top-level score
// is the report's Score, which Gradescope uses instead of the sum of the tests, so a capped
// bonus counts as grade counted it. Each check is a test, numbered in the lab's order,
// with score and max_score when it is worth points (a gate is a passed/failed test without
// points), status passed/failed, and its explanation as plain-text output. A check left out
// by the environment is listed as not scored. The top-level output says when the submission
// was graded without a Docker engine (Gradescope's containers have none).
type Gradescope struct{}

var _ Writer = Gradescope{}

type gsResults struct {
	Score            float64  `json:"score"`
	ExecutionTime    float64  `json:"execution_time"`
	Output           string   `json:"output"`
	OutputFormat     string   `json:"output_format"`
	TestOutputFormat string   `json:"test_output_format"`
	Visibility       string   `json:"visibility"`
	StdoutVisibility string   `json:"stdout_visibility"`
	Tests            []gsTest `json:"tests"`
}

type gsTest struct {
	Number   string   `json:"number"`
	Name     string   `json:"name"`
	Score    *float64 `json:"score,omitempty"`
	MaxScore *float64 `json:"max_score,omitempty"`
	Status   string   `json:"status,omitempty"`
	Output   string   `json:"output,omitempty"`
	Tags     []string `json:"tags,omitempty"`
}

// Write renders r as Gradescope's results.json to w.
func (Gradescope) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	r = sanitized(r)
	l := labelsFor(r.Lang)
	doc := gsResults{
		Score:            round(r.Score, 100),
		ExecutionTime:    seconds3(r.Duration),
		Output:           platformSummary(l, r),
		OutputFormat:     "text",
		TestOutputFormat: "text",
		Visibility:       "visible",
		StdoutVisibility: "hidden",
		Tests:            []gsTest{},
	}
	pts := awarded(r)
	for i, res := range r.Results {
		t := gsTest{
			Number: fmt.Sprintf("%d", i+1),
			Name:   res.ID + " — " + res.Title,
			Status: "failed",
			Output: explainText(l, r, res),
			Tags:   nonEmptyTags(res.Kind),
		}
		if res.Status == check.Pass {
			t.Status = "passed"
		}
		switch {
		case res.Excluded:
			// Neither passed nor failed: Gradescope shows it without a colour.
			t.Name += " (" + l.notScored + ")"
			t.Status = ""
		case res.Kind == kindGate:
		case res.Kind == kindBonus:
			s, m := pts[i], round(res.MaxPoints, 100)
			t.Score, t.MaxScore = &s, &m
			t.Name += " (bonus)"
		default:
			s, m := pts[i], round(res.MaxPoints, 100)
			t.Score, t.MaxScore = &s, &m
		}
		doc.Tests = append(doc.Tests, t)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode gradescope results: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func nonEmptyTags(tags ...string) []string {
	var out []string
	for _, t := range tags {
		if t != "" {
			out = append(out, t)
		}
	}
	return out
}

// platformSummary is the overall text a grading platform shows above the tests: the score,
// the verdict, why the submission could not be graded, and whether it was graded without an
// engine (static mode), which explains the checks not scored.
func platformSummary(l *labels, r *Report) string {
	lines := []string{"grade " + r.Lab + " — " + r.Title, l.score + l.colon + " " + l.scoreLine(r)}
	if r.Error != "" {
		lines = append(lines, l.gradeError+l.colon+" "+r.Error)
	}
	if r.Engine == nil && r.Error == "" {
		lines = append(lines, l.staticMode())
	}
	if _, verdict := l.verdict(r); r.Error == "" {
		lines = append(lines, verdict)
	}
	return strings.Join(lines, "\n")
}

func (l *labels) staticMode() string {
	if l.lang == "en" {
		return "Graded without a Docker engine (static mode): the checks that need one are not scored."
	}
	return "Corrigé sans moteur Docker (mode statique)\u00a0: les vérifications qui en ont besoin sont hors barème."
}
