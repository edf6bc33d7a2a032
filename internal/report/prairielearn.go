package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// PrairieLearn writes /grade/results/results.json for PrairieLearn's external grader
// (docs/externalGrading.md). score is a fraction in [0, 1] (the bonus cannot lift it past
// 1); every test carries points and max_points, or PrairieLearn shows no points at all, and
// a gate or a check left out of the grade has max_points 0, which it shows neutrally. A
// submission that could not be graded is gradable: false with the reason in format_errors:
// no points, and the student's attempt is not charged. PrairieLearn drops results over
// 1 MB, so outputs are cut to keep the file well under it.
type PrairieLearn struct{}

var _ Writer = PrairieLearn{}

type plResults struct {
	Gradable     bool     `json:"gradable"`
	Score        float64  `json:"score"`
	Message      string   `json:"message"`
	Output       string   `json:"output,omitempty"`
	FormatErrors []string `json:"format_errors,omitempty"`
	Tests        []plTest `json:"tests"`
}

type plTest struct {
	Name        string  `json:"name"`
	Description string  `json:"description"`
	Points      float64 `json:"points"`
	MaxPoints   float64 `json:"max_points"`
	Message     string  `json:"message"`
	Output      string  `json:"output"`
}

// Size caps that keep results.json far from PrairieLearn's 1 MB limit.
const (
	plTestOutputMax = 8 << 10
	plLogMax        = 64 << 10
)

// Write renders r as PrairieLearn's results.json to w.
func (PrairieLearn) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	r = sanitized(r)
	l := labelsFor(r.Lang)
	doc := plResults{Gradable: r.Error == "", Message: platformSummary(l, r), Tests: []plTest{}}
	if !doc.Gradable {
		doc.FormatErrors = []string{r.Error}
	}
	switch {
	case r.MaxScore > 0:
		doc.Score = round(min(1, max(0, r.Score/r.MaxScore)), 10000)
	case r.Passed:
		doc.Score = 1
	}
	if bd := r.Build; bd != nil {
		doc.Output = truncateBytes(bd.LogTail, plLogMax, "…\n")
	}
	pts := awarded(r)
	for i, res := range r.Results {
		desc := res.Title
		if p := l.pointsOf(res); p != "" {
			desc += " (" + p + ")"
		}
		_, word := l.status(res.Status)
		msg := word
		if m := firstLine(res.Message, 500); m != "" {
			msg += l.colon + " " + m
		}
		maxPts := maxOf(res)
		if res.Kind == kindBonus && !res.Excluded {
			maxPts = round(res.MaxPoints, 100) // shown as "+1/1", not as points over a maximum of 0
		}
		doc.Tests = append(doc.Tests, plTest{
			Name:        res.ID,
			Description: desc,
			Points:      pts[i],
			MaxPoints:   maxPts,
			Message:     msg,
			Output:      truncateBytes(explainText(l, r, res), plTestOutputMax, "…\n"),
		})
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode prairielearn results: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}
