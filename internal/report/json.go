package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"time"
)

// JSON writes the machine-readable report: one indented JSON document, version
// [SchemaVersion], described field by field in SCHEMA.md. The names of the tests array and
// of its score, max_score, name and status fields follow Gradescope's results.json.
// Strings are sanitised (see [Sanitize]); they are not HTML-escaped, so a reader that puts
// them in a web page must escape them.
type JSON struct{}

var _ Writer = JSON{}

// jsonDocument is schema version 1 of the JSON report. Keep SCHEMA.md in step with it; any
// incompatible change bumps [SchemaVersion].
type jsonDocument struct {
	SchemaVersion   int     `json:"schema_version"`
	Tool            string  `json:"tool"`
	ToolVersion     string  `json:"tool_version"`
	Lab             string  `json:"lab"`
	Title           string  `json:"title"`
	Submission      string  `json:"submission"`
	RunID           string  `json:"run_id,omitempty"`
	Lang            string  `json:"lang"`
	StartedAt       string  `json:"started_at"`
	DurationSeconds float64 `json:"duration_seconds"`
	Score           float64 `json:"score"`
	MaxScore        float64 `json:"max_score"`
	Passed          bool    `json:"passed"`
	// Complete is false when required checks were left out by the environment (--static, a
	// remote engine): passed then speaks only of the checks that ran.
	Complete    bool        `json:"complete"`
	Unevaluated int         `json:"unevaluated"`
	Engine      *jsonEngine `json:"engine,omitempty"`
	Build       *jsonBuild  `json:"build,omitempty"`
	Error       string      `json:"error,omitempty"`
	Provenance  jsonProv    `json:"provenance"`
	Counts      jsonCounts  `json:"counts"`
	Tests       []jsonTest  `json:"tests"`
}

type jsonProv struct {
	SpecDigest        string  `json:"spec_digest"`
	SpecSource        string  `json:"spec_source"` // "embedded" or "file"
	SpecFile          string  `json:"spec_file,omitempty"`
	TimeoutSeconds    float64 `json:"timeout_seconds"`
	TimeoutOverridden bool    `json:"timeout_overridden"`
	ScriptSandbox     string  `json:"script_sandbox,omitempty"`
}

type jsonEngine struct {
	Version    string `json:"version"`
	APIVersion string `json:"api_version"`
	OS         string `json:"os"`
	Arch       string `json:"arch"`
}

type jsonBuild struct {
	Builder         string  `json:"builder"`
	DurationSeconds float64 `json:"duration_seconds"`
	Steps           int     `json:"steps"`
	CachedSteps     int     `json:"cached_steps"`
	LogTail         string  `json:"log_tail"`
}

type jsonCounts struct {
	Total   int `json:"total"`
	Passed  int `json:"passed"`
	Failed  int `json:"failed"`
	Skipped int `json:"skipped"`
	Errors  int `json:"errors"`
}

type jsonTest struct {
	ID              string  `json:"id"`
	Name            string  `json:"name"`
	Kind            string  `json:"kind"`
	Status          string  `json:"status"`
	Score           float64 `json:"score"`
	MaxScore        float64 `json:"max_score"`
	Message         string  `json:"message"`
	Expected        string  `json:"expected"`
	Actual          string  `json:"actual"`
	Hint            string  `json:"hint"`
	Section         string  `json:"section,omitempty"`
	File            string  `json:"file"`
	Line            int     `json:"line"`
	Excluded        bool    `json:"excluded"`
	BlockedBy       string  `json:"blocked_by,omitempty"`
	DurationSeconds float64 `json:"duration_seconds"`
}

func specSource(p Provenance) string {
	if p.SpecFile != "" {
		return "file"
	}
	return "embedded"
}

// Write renders r as JSON to w.
func (JSON) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(newJSONDocument(sanitized(r))); err != nil {
		return fmt.Errorf("encode json report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// newJSONDocument maps a sanitised report to the JSON schema.
func newJSONDocument(r *Report) jsonDocument {
	c := r.Count()
	doc := jsonDocument{
		SchemaVersion:   SchemaVersion,
		Tool:            "grade",
		ToolVersion:     r.ToolVersion,
		Lab:             r.Lab,
		Title:           r.Title,
		Submission:      r.Submission,
		RunID:           r.RunID,
		Lang:            r.Lang,
		StartedAt:       r.StartedAt.UTC().Format(time.RFC3339),
		DurationSeconds: seconds3(r.Duration),
		Score:           round(r.Score, 100),
		MaxScore:        round(r.MaxScore, 100),
		Passed:          r.Passed,
		Complete:        r.Unevaluated() == 0,
		Unevaluated:     r.Unevaluated(),
		Error:           r.Error,
		Provenance: jsonProv{
			SpecDigest: r.Provenance.SpecDigest, SpecSource: specSource(r.Provenance), SpecFile: r.Provenance.SpecFile,
			TimeoutSeconds: seconds3(r.Provenance.Timeout), TimeoutOverridden: r.Provenance.TimeoutOverridden,
			ScriptSandbox: r.Provenance.ScriptSandbox,
		},
		Counts: jsonCounts{
			Total: c.Total, Passed: c.Passed, Failed: c.Failed, Skipped: c.Skipped, Errors: c.Errors,
		},
		Tests: make([]jsonTest, 0, len(r.Results)),
	}
	if e := r.Engine; e != nil {
		doc.Engine = &jsonEngine{Version: e.Version, APIVersion: e.APIVersion, OS: e.OS, Arch: e.Arch}
	}
	if b := r.Build; b != nil {
		doc.Build = &jsonBuild{
			Builder:         b.Builder,
			DurationSeconds: seconds3(b.Duration),
			Steps:           b.Steps,
			CachedSteps:     b.CachedSteps,
			LogTail:         b.LogTail,
		}
	}
	for _, res := range r.Results {
		doc.Tests = append(doc.Tests, jsonTest{
			ID:              res.ID,
			Name:            res.Title,
			Kind:            res.Kind,
			Status:          res.Status.String(),
			Score:           round(res.Points, 100),
			MaxScore:        round(res.MaxPoints, 100),
			Message:         res.Message,
			Expected:        res.Expected,
			Actual:          res.Actual,
			Hint:            res.Hint,
			Section:         res.Section,
			File:            res.File,
			Line:            res.Line,
			Excluded:        res.Excluded,
			BlockedBy:       res.BlockedBy,
			DurationSeconds: seconds3(res.Duration),
		})
	}
	return doc
}
