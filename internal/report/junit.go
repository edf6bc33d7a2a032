package report

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
)

// JUnit writes the report as JUnit XML for CI test reporters (GitLab, Jenkins, GitHub
// actions such as action-junit-report). One <testsuite> per lab and one <testcase> per
// check, named by the check ID with the lab as classname, since GitLab keys test cases on
// classname+name and keeps only the first of duplicates. The explanation is in the body of
// <failure>, <error> and <skipped>, which is all GitLab shows. Strings are sanitised first
// (see [Sanitize]) because one control character makes Jenkins reject the whole file.
type JUnit struct {
	// Hostname is written on the <testsuite> when set.
	Hostname string
}

var _ Writer = JUnit{}

// Types of the <failure> and <error> elements.
const (
	junitFailureType = "CheckFailed"
	junitErrorType   = "GraderError"
)

// junitGradeCase names the extra test case added when the submission could not be graded
// (Report.Error), so CI does not show an empty, green report. Check IDs always have a dot.
const junitGradeCase = "grade"

type junitTestsuites struct {
	XMLName   xml.Name         `xml:"testsuites"`
	Name      string           `xml:"name,attr"`
	Tests     int              `xml:"tests,attr"`
	Failures  int              `xml:"failures,attr"`
	Errors    int              `xml:"errors,attr"`
	Skipped   int              `xml:"skipped,attr"`
	Time      string           `xml:"time,attr"`
	Timestamp string           `xml:"timestamp,attr"`
	Suites    []junitTestsuite `xml:"testsuite"`
}

type junitTestsuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Hostname   string          `xml:"hostname,attr,omitempty"`
	Properties []junitProperty `xml:"properties>property"`
	Cases      []junitTestcase `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitTestcase struct {
	Classname string        `xml:"classname,attr"`
	Name      string        `xml:"name,attr"`
	Time      string        `xml:"time,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitProblem `xml:"skipped,omitempty"`
	SystemOut junitText     `xml:"system-out,omitempty"`
}

// junitProblem is a <failure>, an <error> or a <skipped>: message="..." type="..." (type is
// left out when empty, as for <skipped>) and the explanation as content.
type junitProblem struct {
	Message string
	Type    string
	Body    string
}

// MarshalXML writes p with its body as [junitText].
func (p junitProblem) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "message"}, Value: p.Message})
	if p.Type != "" {
		start.Attr = append(start.Attr, xml.Attr{Name: xml.Name{Local: "type"}, Value: p.Type})
	}
	return junitText(p.Body).MarshalXML(e, start)
}

// junitText is element content written as escaped character data with real line breaks.
// A ",chardata" field would do, but encoding/xml writes its "\n" as "&#xA;", putting a
// 40-line build log on one line; ",cdata" is worse: it writes control characters raw.
type junitText string

// MarshalXML writes start, t as character data, and the end tag.
func (t junitText) MarshalXML(e *xml.Encoder, start xml.StartElement) error {
	if err := e.EncodeToken(start); err != nil {
		return err
	}
	if t != "" {
		if err := e.EncodeToken(xml.CharData(t)); err != nil {
			return err
		}
	}
	return e.EncodeToken(start.End())
}

// Write renders r as JUnit XML to w.
func (j JUnit) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	r = sanitized(r)
	l := labelsFor(r.Lang)
	timestamp := r.StartedAt.UTC().Format(time.RFC3339)
	suite := junitTestsuite{
		Name:       r.Lab,
		Time:       junitTime(r.Duration),
		Timestamp:  timestamp,
		Hostname:   sanitizeLine(j.Hostname),
		Properties: junitProperties(r),
	}

	if r.Error != "" {
		suite.Cases = append(suite.Cases, junitTestcase{
			Classname: r.Lab,
			Name:      junitGradeCase,
			Time:      junitTime(0),
			Error: &junitProblem{
				Message: r.Error,
				Type:    junitErrorType,
				Body:    l.gradeError + l.colon + " " + r.Error,
			},
		})
	}
	seen := make(map[string]int, len(r.Results))
	for _, res := range r.Results {
		tc := junitTestcase{
			Classname: r.Lab,
			Name:      uniqueName(seen, res.ID),
			Time:      junitTime(res.Duration),
			File:      filePath(r, res),
		}
		if tc.File != "" && res.Line > 0 {
			tc.Line = res.Line
		}
		body := junitBody(l, r, res)
		switch res.Status {
		case check.Pass:
			tc.SystemOut = junitText(body)
		case check.Fail:
			tc.Failure = &junitProblem{Message: res.Message, Type: junitFailureType, Body: body}
		case check.Skip:
			tc.Skipped = &junitProblem{Message: res.Message, Body: body}
		default:
			tc.Error = &junitProblem{Message: res.Message, Type: junitErrorType, Body: body}
		}
		suite.Cases = append(suite.Cases, tc)
	}
	for _, tc := range suite.Cases {
		suite.Tests++
		switch {
		case tc.Failure != nil:
			suite.Failures++
		case tc.Error != nil:
			suite.Errors++
		case tc.Skipped != nil:
			suite.Skipped++
		}
	}

	doc := junitTestsuites{
		Name:      strings.TrimSpace("grade " + r.Lab),
		Tests:     suite.Tests,
		Failures:  suite.Failures,
		Errors:    suite.Errors,
		Skipped:   suite.Skipped,
		Time:      suite.Time,
		Timestamp: timestamp,
		Suites:    []junitTestsuite{suite},
	}
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("encode junit report: %w", err)
	}
	buf.WriteString("\n")
	_, err := w.Write(buf.Bytes())
	return err
}

// junitProperties returns the grade-wide facts as suite properties.
func junitProperties(r *Report) []junitProperty {
	props := []junitProperty{
		{"grade.lab", r.Lab},
		{"grade.score", formatPoints(r.Score)},
		{"grade.max_score", formatPoints(r.MaxScore)},
		{"grade.passed", strconv.FormatBool(r.Passed)},
	}
	if r.ToolVersion != "" {
		props = append(props, junitProperty{"grade.tool_version", r.ToolVersion})
	}
	if r.Engine != nil && r.Engine.Version != "" {
		props = append(props, junitProperty{"grade.engine_version", r.Engine.Version})
	}
	if p := r.Provenance; p.SpecDigest != "" {
		props = append(props, junitProperty{"grade.spec_digest", p.SpecDigest}, junitProperty{"grade.spec_source", specSource(p)})
		if p.SpecFile != "" {
			props = append(props, junitProperty{"grade.spec_file", p.SpecFile})
		}
	}
	if p := r.Provenance; p.Timeout > 0 {
		props = append(props, junitProperty{"grade.timeout_seconds", strconv.FormatFloat(seconds3(p.Timeout), 'f', -1, 64)},
			junitProperty{"grade.timeout_overridden", strconv.FormatBool(p.TimeoutOverridden)})
	}
	return props
}

// junitBody is the full explanation of a check: its title and points, then what the text
// report shows under it. A skipped check left out of the denominator says so.
func junitBody(l *labels, r *Report, res check.Result) string {
	var b strings.Builder
	head := res.Title
	if head == "" {
		head = res.ID
	}
	if pts := l.pointsOf(res); pts != "" {
		head += " (" + pts + ")"
	}
	b.WriteString(head + "\n")
	writeDetails(&b, l, explanation(l, r, res), "", func(s string) string { return s }, 0)
	return strings.TrimRight(b.String(), "\n")
}

// uniqueName returns id, or id#2, id#3... when it was already used, because GitLab keeps only
// the first test case of a classname+name pair.
func uniqueName(seen map[string]int, id string) string {
	seen[id]++
	if n := seen[id]; n > 1 {
		return id + "#" + strconv.Itoa(n)
	}
	return id
}

// junitTime formats d in seconds with three decimals, as every JUnit reader expects.
func junitTime(d time.Duration) string {
	return strconv.FormatFloat(seconds3(d), 'f', 3, 64)
}
