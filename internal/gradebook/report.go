package gradebook

import (
	"encoding/json"
	"fmt"
	"os"
)

// Report is the part of grade's JSON report (internal/report/SCHEMA.md) a gradebook reads.
type Report struct {
	SchemaVersion int     `json:"schema_version"`
	Lab           string  `json:"lab"`
	Title         string  `json:"title"`
	Score         float64 `json:"score"`
	MaxScore      float64 `json:"max_score"`
	Passed        bool    `json:"passed"`
	Error         string  `json:"error"`
	Tests         []Test  `json:"tests"`
}

// Test is one check of a Report.
type Test struct {
	ID       string  `json:"id"`
	Name     string  `json:"name"`
	Kind     string  `json:"kind"`
	Status   string  `json:"status"`
	Score    float64 `json:"score"`
	MaxScore float64 `json:"max_score"`
	Message  string  `json:"message"`
	// Excluded marks a skip the environment caused (no engine, no cluster): not the
	// student's to review, and out of the check's statistics.
	Excluded bool `json:"excluded"`
}

// ReadReport reads a JSON report written by `grade labN --json`.
func ReadReport(path string) (*Report, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var r Report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if r.SchemaVersion != 1 {
		return nil, fmt.Errorf("%s: report schema version %d, want 1", path, r.SchemaVersion)
	}
	return &r, nil
}
