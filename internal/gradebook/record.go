// Package gradebook turns the results of a batch (one JSON report per submission) into what an
// instructor imports or reads: a Canvas and a Moodle gradebook CSV and an offline HTML class
// report. Everything here is a pure function of the results folder, so a merge of shards gives
// the same bytes as one run over the whole class.
package gradebook

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"time"
)

// Layout of a results folder (see docs/batch.md):
//
//	<out>/batch.json                       the batch's settings (Meta)
//	<out>/submissions/<id>/record.json     how the submission went (Record)
//	<out>/submissions/<id>/report.json     grade's JSON report, when one was written
//	<out>/submissions/<id>/grade.log       what the grading process printed on stderr
const (
	MetaFile    = "batch.json"
	SubDir      = "submissions"
	RecordFile  = "record.json"
	ReportFile  = "report.json"
	LogFile     = "grade.log"
	CanvasFile  = "gradebook-canvas.csv"
	MoodleFile  = "gradebook-moodle.csv"
	HTMLFile    = "class-report.html"
	recordsPerm = 0o644
)

// Status says how the grading of one submission ended.
type Status string

// Statuses of a Record. Only Graded gives a score.
const (
	Graded  Status = "graded"  // a report was written and the submission was graded
	Failed  Status = "error"   // grade could not grade it (engine, unreadable folder…)
	Timeout Status = "timeout" // killed at its time limit
)

// Meta are the settings of a batch that the gradebook depends on. Shards of one class carry
// the same Meta; merge refuses shards that disagree.
type Meta struct {
	Lab        string  `json:"lab"`
	Title      string  `json:"title"`      // the lab's title, in the report language
	Assignment string  `json:"assignment"` // the LMS column name
	Lang       string  `json:"lang"`       // fr or en, for feedback and the class report
	Deadline   *Policy `json:"deadline,omitempty"`
}

// Record is what the batch keeps about one submission, next to its report.
type Record struct {
	ID          string    `json:"id"`
	Folder      string    `json:"folder"`
	Name        string    `json:"name,omitempty"`
	Email       string    `json:"email,omitempty"`
	Section     string    `json:"section,omitempty"`
	SISUserID   string    `json:"sis_user_id,omitempty"`
	SISLoginID  string    `json:"sis_login_id,omitempty"`
	Status      Status    `json:"status"`
	ExitCode    int       `json:"exit_code"`
	RunID       string    `json:"run_id"`
	SubmittedAt time.Time `json:"submitted_at"`
	// SubmittedFrom says where SubmittedAt comes from: "roster" (the LMS export) or "mtime"
	// (the newest file of the folder).
	SubmittedFrom string  `json:"submitted_from"`
	StartedAt     string  `json:"started_at"`
	Seconds       float64 `json:"duration_seconds"`
	Error         string  `json:"error,omitempty"`
}

var idPattern = regexp.MustCompile(`^[A-Za-z0-9@+_][A-Za-z0-9@+_.-]{0,127}$`)

// ValidID says whether id can name a results folder: no separator, no leading dot or dash.
func ValidID(id string) bool { return idPattern.MatchString(id) }

// WriteJSON writes v to path atomically (temp file, then rename), so that an interrupted
// batch never leaves a half-written record that a rerun would trust.
func WriteJSON(path string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return WriteFile(path, append(b, '\n'))
}

// WriteFile writes b to path atomically.
func WriteFile(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), recordsPerm); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ReadMeta reads <dir>/batch.json.
func ReadMeta(dir string) (*Meta, error) {
	var m Meta
	if err := readJSON(filepath.Join(dir, MetaFile), &m); err != nil {
		return nil, err
	}
	return &m, nil
}

// ReadRecord reads the record of one submission; fs.ErrNotExist when it was never finished.
func ReadRecord(dir, id string) (*Record, error) {
	var r Record
	if err := readJSON(filepath.Join(dir, SubDir, id, RecordFile), &r); err != nil {
		return nil, err
	}
	return &r, nil
}

func readJSON(path string, v any) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// Entry is one finished submission: its record and, when graded, its report.
type Entry struct {
	Record Record
	Report *Report
}

// Load reads every finished submission of a results folder, sorted by ID.
func Load(dir string) ([]Entry, error) {
	des, err := os.ReadDir(filepath.Join(dir, SubDir))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, de := range des {
		if !de.IsDir() || !ValidID(de.Name()) {
			continue
		}
		rec, err := ReadRecord(dir, de.Name())
		if errors.Is(err, fs.ErrNotExist) {
			continue // started, never finished: not in the gradebook
		}
		if err != nil {
			return nil, err
		}
		e := Entry{Record: *rec}
		if rec.Status == Graded {
			rep, err := ReadReport(filepath.Join(dir, SubDir, de.Name(), ReportFile))
			if err != nil {
				return nil, err
			}
			e.Report = rep
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Record.ID < out[j].Record.ID })
	return out, nil
}
