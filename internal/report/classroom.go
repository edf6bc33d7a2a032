package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"github.com/ddlab/grade/internal/check"
)

// Classroom writes the step output that GitHub Classroom's grading reporter
// (classroom-resources/autograding-grading-reporter) reads: one line "result=<base64>",
// to append to $GITHUB_OUTPUT, where the base64 holds compact JSON in the shape the
// classroom-resources graders emit (version 1, status, max_score, tests[]).
//
// The reporter adds up tests[].score and max_score, and fails the job when status is fail
// or error, so: max_score is the report's MaxScore, the scores add up to its Score (a capped
// bonus is given in order, see [awarded]), a test is "pass" only when its check passed,
// and checks left out of the grade by the environment (--static) are not listed. line_no is
// 0 when unknown, as the reporter prints any other value.
type Classroom struct{}

var _ Writer = Classroom{}

type classroomResult struct {
	Version  int             `json:"version"`
	Status   string          `json:"status"`
	MaxScore float64         `json:"max_score"`
	Message  string          `json:"message,omitempty"`
	Tests    []classroomTest `json:"tests"`
}

type classroomTest struct {
	Name          string  `json:"name"`
	Status        string  `json:"status"`
	Score         float64 `json:"score"`
	Message       string  `json:"message"`
	TestCode      string  `json:"test_code"`
	Filename      string  `json:"filename"`
	LineNo        int     `json:"line_no"`
	ExecutionTime string  `json:"execution_time"`
}

// classroomMessageMax keeps messages short: the reporter carries the whole result through
// an environment variable.
const classroomMessageMax = 200

// Write renders r as a $GITHUB_OUTPUT line to w.
func (Classroom) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	doc := newClassroomResult(sanitized(r))
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode classroom result: %w", err)
	}
	b64 := base64.StdEncoding.EncodeToString(bytes.TrimRight(buf.Bytes(), "\n"))
	_, err := io.WriteString(w, "result="+b64+"\n")
	return err
}

func newClassroomResult(r *Report) classroomResult {
	l := labelsFor(r.Lang)
	doc := classroomResult{Version: 1, Status: "pass", MaxScore: round(r.MaxScore, 100), Tests: []classroomTest{}}
	pts := awarded(r)
	for i, res := range r.Results {
		if res.Excluded {
			continue
		}
		t := classroomTest{
			Name:          res.ID + " — " + res.Title,
			Status:        "fail",
			Score:         pts[i],
			Message:       firstLine(res.Message, classroomMessageMax),
			TestCode:      "grade " + r.Lab + " # " + res.ID,
			Filename:      filePath(r, res),
			LineNo:        max(res.Line, 0),
			ExecutionTime: strconv.FormatFloat(seconds3(res.Duration), 'f', -1, 64) + "s",
		}
		switch res.Status {
		case check.Pass:
			t.Status = "pass"
		case check.Error:
			t.Status = "error"
		}
		if t.Filename == "" {
			t.LineNo = 0
		}
		doc.Tests = append(doc.Tests, t)
	}
	switch {
	case r.Error != "":
		doc.Status, doc.Message = "error", firstLine(r.Error, classroomMessageMax)
	case r.Count().Errors > 0:
		doc.Status = "error"
	case !r.Passed:
		doc.Status = "fail"
	}
	if doc.Message == "" {
		doc.Message = "grade " + r.Lab + l.colon + " " + l.scoreLine(r)
	}
	return doc
}
