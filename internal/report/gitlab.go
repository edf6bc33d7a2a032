package report

import (
	"io"
	"strconv"
	"strings"
)

// GitLab writes the text report for a GitLab CI job log, cut into collapsible sections
// (docs.gitlab.com/ci/jobs/job_logs): the build log tail in a collapsed section, then the
// report itself in an open one whose header gives the score. The text inside is [Text]'s,
// without colours unless Color is set. Section names and timestamps come from the report,
// so the output is reproducible.
type GitLab struct {
	Color bool
}

var _ Writer = GitLab{}

// Write renders r as sectioned text to w.
func (g GitLab) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	s := sanitized(r)
	l := labelsFor(s.Lang)
	start := strconv.FormatInt(s.StartedAt.Unix(), 10)
	end := strconv.FormatInt(s.StartedAt.Add(s.Duration).Unix(), 10)
	name := "grade_" + sectionName(s.Lab)
	var b strings.Builder

	// Text shows the log tail under the build check; here it gets its own folded section.
	body := *s
	if bd := s.Build; bd != nil {
		if tail := strings.TrimRight(bd.LogTail, "\n"); tail != "" {
			b.WriteString(glSectionStart(start, name+"_build_log", true, l.buildLog))
			b.WriteString(tail + "\n")
			b.WriteString(glSectionEnd(end, name+"_build_log"))
			nb := *bd
			nb.LogTail = ""
			body.Build = &nb
			body.Results = append(body.Results[:0:0], s.Results...)
			for i := range body.Results {
				if body.Results[i].Actual == bd.LogTail {
					body.Results[i].Actual = "(" + l.buildLog + " ↑)"
				}
			}
		}
	}
	header := "grade " + s.Lab + l.colon + " " + l.num(s.Score) + "/" + l.num(s.MaxScore)
	b.WriteString(glSectionStart(start, name, false, header))
	var text strings.Builder
	if err := (Text{Color: g.Color}).Write(&text, &body); err != nil {
		return err
	}
	b.WriteString(text.String())
	b.WriteString(glSectionEnd(end, name))
	_, err := io.WriteString(w, b.String())
	return err
}

// glSectionStart opens a section; header is sanitised text, so it holds no escape.
func glSectionStart(ts, name string, collapsed bool, header string) string {
	opt := ""
	if collapsed {
		opt = "[collapsed=true]"
	}
	return "\x1b[0Ksection_start:" + ts + ":" + name + opt + "\r\x1b[0K" + header + "\n"
}

func glSectionEnd(ts, name string) string {
	return "\x1b[0Ksection_end:" + ts + ":" + name + "\r\x1b[0K\n"
}

// sectionName keeps the characters GitLab accepts in a section name (letters, digits, '_',
// '.', '-'); the lab name normally has only those.
func sectionName(s string) string {
	return strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' {
			return c
		}
		return '_'
	}, s)
}
