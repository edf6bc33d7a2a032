package gradebook

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"

	"go.yaml.in/yaml/v3"
)

// Policy is a deadline and its late-penalty rule, read from a deadline file:
//
//	due: 2026-12-01T23:59:00+01:00   # RFC 3339, with its time zone (required)
//	grace: 15m                       # late by less than this counts as on time (default 0)
//	penalty-per-day: 10              # percent of the score lost per started day late (default 0)
//	max-late-days: 3                 # later than this many days: the score is 0 (default: no limit)
//
// The penalty is applied to the submission's time, never to the time of grading, so a regrade
// gives the same grade (docs/report-formats.md §7).
type Policy struct {
	Due           time.Time `yaml:"due" json:"due"`
	Grace         string    `yaml:"grace,omitempty" json:"grace,omitempty"`
	PenaltyPerDay float64   `yaml:"penalty-per-day,omitempty" json:"penalty_per_day,omitempty"`
	MaxLateDays   int       `yaml:"max-late-days,omitempty" json:"max_late_days,omitempty"`
}

// ParsePolicy reads a deadline file strictly: an unknown key is an error, not a silent default.
func ParsePolicy(b []byte) (*Policy, error) {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	var p Policy
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("deadline file: %w", err)
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("deadline file: %w", err)
	}
	return &p, nil
}

func (p *Policy) validate() error {
	if p.Due.IsZero() {
		return errors.New("due: missing (an RFC 3339 time such as 2026-12-01T23:59:00+01:00)")
	}
	if _, err := p.grace(); err != nil {
		return err
	}
	if p.PenaltyPerDay < 0 || p.PenaltyPerDay > 100 || math.IsNaN(p.PenaltyPerDay) {
		return fmt.Errorf("penalty-per-day: %v is not a percentage between 0 and 100", p.PenaltyPerDay)
	}
	if p.MaxLateDays < 0 {
		return fmt.Errorf("max-late-days: %d is negative", p.MaxLateDays)
	}
	return nil
}

// Late is the verdict of a Policy on one submission time.
type Late struct {
	Days    int     // started days late after the grace period; 0 when on time
	Penalty float64 // percent of the score lost, 0..100
}

// Apply judges a submission made at t. A zero t (unknown time) is judged on time: the
// instructor sees the source of each time in the class report.
func (p *Policy) Apply(t time.Time) Late {
	if p == nil || t.IsZero() {
		return Late{}
	}
	grace, _ := p.grace() // checked by ParsePolicy
	over := t.Sub(p.Due) - grace
	if over <= 0 {
		return Late{}
	}
	days := int((over + 24*time.Hour - 1) / (24 * time.Hour))
	if p.MaxLateDays > 0 && days > p.MaxLateDays {
		return Late{Days: days, Penalty: 100}
	}
	return Late{Days: days, Penalty: math.Min(100, float64(days)*p.PenaltyPerDay)}
}

// Final is score after a penalty, rounded to the hundredth as reports are.
func Final(score float64, l Late) float64 {
	return math.Round(score*(100-l.Penalty)) / 100
}

// grace is kept as the file spells it, so that batch.json repeats the file; parsed on use.
func (p *Policy) grace() (time.Duration, error) {
	if p.Grace == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(p.Grace)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("grace: %q is not a duration such as 15m", p.Grace)
	}
	return d, nil
}
