package gradebook

import (
	"encoding/csv"
	"io"
	"strings"
)

// Canvas writes the gradebook as Canvas's gradebook importer reads it
// (instructure/canvas-lms gradebook_importer.rb, docs/report-formats.md §7): the student columns
// up to Section, the last student column the importer requires, then one assignment column,
// and a "Points Possible" row. A submission that was not graded gets an empty cell, which
// Canvas reads as "no score" rather than zero.
func Canvas(w io.Writer, b *Book) error {
	cw := csv.NewWriter(w)
	rows := [][]string{
		{"Student", "ID", "SIS User ID", "SIS Login ID", "Section", b.Meta.Assignment},
		{"Points Possible", "", "", "", "", num(b.MaxScore)},
	}
	for _, r := range b.Rows {
		rec := r.Record
		name := rec.Name
		if name == "" {
			name = rec.ID
		}
		score := ""
		if r.Graded {
			score = num(r.Final)
		}
		rows = append(rows, []string{safe(name), safe(rec.ID), safe(rec.SISUserID), safe(rec.SISLoginID), safe(rec.Section), score})
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// Moodle writes the gradebook for Moodle's CSV grade import (grade/import/csv): a header row,
// then one row per student. The importer maps columns by hand: "idnumber" maps to
// "useridnumber", "email" to "useremail", the assignment to its grade item and the feedback
// column to that item's feedback.
func Moodle(w io.Writer, b *Book) error {
	cw := csv.NewWriter(w)
	rows := [][]string{{"idnumber", "email", b.Meta.Assignment, b.Meta.Assignment + " feedback"}}
	for _, r := range b.Rows {
		score := ""
		if r.Graded {
			score = num(r.Final)
		}
		rows = append(rows, []string{safe(r.Record.ID), safe(r.Record.Email), score, safe(r.Feedback(b.Meta.Lang))})
	}
	if err := cw.WriteAll(rows); err != nil {
		return err
	}
	return cw.Error()
}

// safe keeps a spreadsheet from running a cell as a formula (CSV injection): a name from a
// roster that starts with =, +, - or @ gets a leading apostrophe.
func safe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
