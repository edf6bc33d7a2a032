package gradebook

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Row is one submission as the gradebook shows it.
type Row struct {
	Record   Record
	Graded   bool
	Score    float64 // before the late penalty
	MaxScore float64
	Late     Late
	Final    float64  // after the late penalty
	Failed   []string // IDs of the checks that did not pass, for feedback
}

// CheckStat is how the class did on one check.
type CheckStat struct {
	ID, Name string
	Passed   int
	Graded   int // submissions where the check was graded (not excluded by the environment)
}

// Rate is the pass rate in percent, rounded to the unit.
func (c CheckStat) Rate() int {
	if c.Graded == 0 {
		return 0
	}
	return int(math.Round(100 * float64(c.Passed) / float64(c.Graded)))
}

// Book is the class's results, ready to render.
type Book struct {
	Meta     Meta
	MaxScore float64
	Rows     []Row       // by student ID
	Checks   []CheckStat // in the lab's order
	Bins     [10]int     // final score histogram: bin i holds [10i%, 10i+10%), the last one includes 100%
	Graded   int
	Errors   int // not graded: error or timeout
	Late     int
	Mean     float64
	Median   float64
}

// Build computes the gradebook of entries (sorted by ID, as Load returns them).
func Build(meta Meta, entries []Entry) *Book {
	b := &Book{Meta: meta}
	stats := map[string]*CheckStat{}
	var finals []float64
	for _, e := range entries {
		row := Row{Record: e.Record}
		if e.Record.Status == Graded && e.Report != nil && e.Report.Error == "" {
			r := e.Report
			row.Graded, row.Score, row.MaxScore = true, r.Score, r.MaxScore
			row.Late = meta.Deadline.Apply(e.Record.SubmittedAt)
			row.Final = Final(r.Score, row.Late)
			if r.MaxScore > b.MaxScore {
				b.MaxScore = r.MaxScore
			}
			for _, t := range r.Tests {
				st, ok := stats[t.ID]
				if !ok {
					st = &CheckStat{ID: t.ID, Name: t.Name}
					stats[t.ID] = st
					b.Checks = append(b.Checks, CheckStat{ID: t.ID}) // order placeholder
				}
				switch t.Status {
				case "pass":
					st.Passed++
					st.Graded++
				case "fail", "error":
					st.Graded++
					row.Failed = append(row.Failed, t.ID)
				case "skip":
					if t.Excluded {
						break
					}
					// A check skipped after a failed prerequisite failed for the student too.
					st.Graded++
					row.Failed = append(row.Failed, t.ID)
				}
			}
			b.Graded++
			if row.Late.Days > 0 {
				b.Late++
			}
			finals = append(finals, row.Final)
		} else {
			b.Errors++
		}
		b.Rows = append(b.Rows, row)
	}
	for i := range b.Checks {
		b.Checks[i] = *stats[b.Checks[i].ID]
	}
	for _, r := range b.Rows {
		if r.Graded && r.MaxScore > 0 {
			bin := int(10 * r.Final / r.MaxScore)
			b.Bins[min(max(bin, 0), 9)]++
		}
	}
	if n := len(finals); n > 0 {
		sum := 0.0
		for _, f := range finals {
			sum += f
		}
		b.Mean = math.Round(100*sum/float64(n)) / 100
		sort.Float64s(finals)
		if n%2 == 1 {
			b.Median = finals[n/2]
		} else {
			b.Median = math.Round(100*(finals[n/2-1]+finals[n/2])/2) / 100
		}
	}
	return b
}

// Hardest lists up to n checks by increasing pass rate (ties by lab order), leaving out
// checks that every graded submission passed.
func (b *Book) Hardest(n int) []CheckStat {
	cs := make([]CheckStat, 0, len(b.Checks))
	for _, c := range b.Checks {
		if c.Graded > 0 && c.Passed < c.Graded {
			cs = append(cs, c)
		}
	}
	sort.SliceStable(cs, func(i, j int) bool {
		return cs[i].Passed*cs[j].Graded < cs[j].Passed*cs[i].Graded
	})
	if len(cs) > n {
		cs = cs[:n]
	}
	return cs
}

// Feedback is the one-line comment the Moodle export carries for a row.
func (r Row) Feedback(lang string) string {
	if !r.Graded {
		if lang == "en" {
			return fmt.Sprintf("not graded (%s)", r.Record.Status)
		}
		return fmt.Sprintf("non corrigé (%s)", r.Record.Status)
	}
	en := lang == "en"
	var parts []string
	if len(r.Failed) > 0 {
		if en {
			parts = append(parts, "to review: "+strings.Join(r.Failed, ", "))
		} else {
			parts = append(parts, "à revoir : "+strings.Join(r.Failed, ", "))
		}
	}
	if d := r.Late.Days; d > 0 {
		switch {
		case en && d == 1:
			parts = append(parts, fmt.Sprintf("1 day late: -%s%%", num(r.Late.Penalty)))
		case en:
			parts = append(parts, fmt.Sprintf("%d days late: -%s%%", d, num(r.Late.Penalty)))
		case d == 1:
			parts = append(parts, fmt.Sprintf("1 jour de retard : -%s %%", num(r.Late.Penalty)))
		default:
			parts = append(parts, fmt.Sprintf("%d jours de retard : -%s %%", d, num(r.Late.Penalty)))
		}
	}
	if en {
		return strings.Join(parts, "; ")
	}
	return strings.Join(parts, " ; ")
}

// num prints a score as LMS importers read it: a dot, no trailing zeros.
func num(f float64) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
}
