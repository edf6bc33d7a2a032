package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ddlab/grade/internal/check"
)

// Text writes the report a student reads in a terminal, in the report's language: a header,
// one block per check (mark, status, ID, title, points, then what to fix), and a summary
// with the score. Every string from the report is sanitised first (see [Sanitize]), so
// the only escape sequences in the output are the colours Text adds itself.
type Text struct {
	// Color adds ANSI colours. The caller decides (TTY, NO_COLOR); Text never looks.
	Color bool
	// Width wraps sentences (messages, hints, the summary's advice) to the terminal's width;
	// 0 leaves lines whole, as for a file or a pipe.
	Width int
}

var _ Writer = Text{}

// SGR parameters used by [Text].
const (
	sgrBold    = "1"
	sgrDim     = "2"
	sgrRed     = "31"
	sgrGreen   = "32"
	sgrYellow  = "33"
	sgrMagenta = "35"
)

// idWidthMax caps the ID column so one long ID does not push every title off screen.
const idWidthMax = 32

// painter colours strings when enabled.
type painter bool

func (p painter) paint(sgr, s string) string {
	if !p || s == "" {
		return s
	}
	return "\x1b[" + sgr + "m" + s + "\x1b[0m"
}

func statusColor(s check.Status) string {
	switch s {
	case check.Pass:
		return sgrGreen
	case check.Fail:
		return sgrRed
	case check.Skip:
		return sgrYellow
	}
	return sgrMagenta
}

// Write renders r as text to w.
func (t Text) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	r = sanitized(r)
	l := labelsFor(r.Lang)
	p := painter(t.Color)
	dim := func(s string) string { return p.paint(sgrDim, s) }
	var b strings.Builder
	// field writes "label : value", the value wrapped under the label.
	field := func(label, value string, paint func(string) string) {
		lines := wrap(value, t.Width, utf8.RuneCountInString(label+l.colon)+1, 2)
		b.WriteString(paint(label+l.colon) + " " + lines[0] + "\n")
		for _, line := range lines[1:] {
			b.WriteString("  " + line + "\n")
		}
	}

	// Header.
	head := "grade " + r.Lab
	if r.Title != "" {
		head += " — " + r.Title
	}
	b.WriteString(p.paint(sgrBold, head) + "\n")
	if r.Submission != "" {
		field(l.submission, r.Submission, dim)
	}
	if e := r.Engine; e != nil {
		field(l.engine, engineLine(e), dim)
	}
	if line := l.overrides(r.Provenance); line != "" {
		field(l.setup, line, dim)
	}
	if bd := r.Build; bd != nil {
		line := bd.Builder
		if line != "" {
			line += ", "
		}
		line += l.steps(bd.Steps, bd.CachedSteps) + ", " + l.seconds(bd.Duration)
		field(l.build, line, dim)
	}
	if r.Error != "" {
		label := p.paint(sgrMagenta, "! "+l.gradeError+l.colon)
		if strings.Contains(r.Error, "\n") {
			b.WriteString(label + "\n")
			writeLines(&b, "    ", r.Error)
		} else {
			b.WriteString(label + " " + r.Error + "\n")
		}
	}

	// One block per check.
	statusWidth, idWidth := 0, 0
	for _, res := range r.Results {
		_, word := l.status(res.Status)
		statusWidth = max(statusWidth, utf8.RuneCountInString(word))
		idWidth = max(idWidth, utf8.RuneCountInString(res.ID))
	}
	idWidth = min(idWidth, idWidthMax)
	if len(r.Results) > 0 {
		b.WriteString("\n")
	}
	logShown := false
	for _, res := range r.Results {
		mark, word := l.status(res.Status)
		line := p.paint(statusColor(res.Status), mark+" "+word) + pad(word, statusWidth) + "  " +
			p.paint(sgrBold, res.ID) + pad(res.ID, idWidth)
		if res.Title != "" {
			line += "  " + res.Title
		}
		if pts := l.pointsOf(res); pts != "" {
			line += " (" + pts + ")"
		}
		if res.Status == check.Skip && res.BlockedBy != "" {
			// One line: the prerequisite says why, not a dozen identical sentences.
			b.WriteString(line + dim(" · "+fmt.Sprintf(l.blockedBy, res.BlockedBy)) + "\n")
			continue
		}
		b.WriteString(strings.TrimRight(line, " ") + "\n")
		writeDetails(&b, l, explanation(l, r, res), "    ", dim, t.Width)
		if r.Build != nil && res.Actual != "" && res.Actual == r.Build.LogTail {
			logShown = true
		}
	}
	// The build log tail is usually the Actual of the build check; show it only if not.
	if bd := r.Build; bd != nil && !logShown {
		if tail := strings.TrimRight(bd.LogTail, "\n"); tail != "" {
			b.WriteString("\n" + dim(l.buildLog+l.colon) + "\n")
			writeLines(&b, "    ", tail)
		}
	}

	// Summary.
	c := r.Count()
	score := l.score + l.colon + " " + l.scoreLine(r)
	b.WriteString("\n" + p.paint(sgrBold, score) + "\n")
	field(l.checks, strconv.Itoa(c.Total)+" ("+
		l.nPassed+l.colon+" "+strconv.Itoa(c.Passed)+", "+
		l.nFailed+l.colon+" "+strconv.Itoa(c.Failed)+", "+
		l.nSkipped+l.colon+" "+strconv.Itoa(c.Skipped)+", "+
		l.nErrors+l.colon+" "+strconv.Itoa(c.Errors)+")", func(s string) string { return s })
	if r.Duration > 0 {
		b.WriteString(l.duration + l.colon + " " + l.seconds(r.Duration) + "\n")
	}
	// advice writes a sentence of the summary, wrapped under its mark.
	advice := func(sgr, mark, text string) {
		for i, line := range wrap(text, t.Width, 2, 2) {
			if i == 0 {
				line = mark + " " + line
			} else {
				line = "  " + line
			}
			if sgr != "" {
				line = p.paint(sgr, line)
			}
			b.WriteString(line + "\n")
		}
	}
	switch ok, text := l.verdict(r); {
	case ok:
		advice(sgrGreen, "✔", text)
	case r.Passed:
		advice(sgrYellow, "◐", text)
	default:
		advice(sgrRed, "✘", text)
	}
	if first := r.FixFirst(); first != nil {
		// What was found, then the one action: the title only restates the requirement.
		line := l.fixFirst + l.colon + " " + first.ID
		finding, _, _ := strings.Cut(strings.TrimSpace(first.Message), "\n")
		if finding == "" {
			finding = first.Title
		}
		if finding != "" {
			line += " — " + strings.TrimSuffix(finding, ".") + "."
		}
		if first.Hint != "" {
			line += " " + first.Hint
		}
		advice(sgrBold, "→", line)
		switch {
		case r.Chapter > 0 && first.Section != "":
			advice("", "→", fmt.Sprintf(l.rereadPart, r.Chapter, first.Section))
		case r.Chapter > 0:
			advice("", "→", fmt.Sprintf(l.reread, r.Chapter))
		}
	}

	_, err := io.WriteString(w, b.String())
	return err
}

// engineLine describes the engine: "Docker 28.5.2 (API 1.51, linux/amd64)".
func engineLine(e *Engine) string {
	s := "Docker " + e.Version
	var extra []string
	if e.APIVersion != "" {
		extra = append(extra, "API "+e.APIVersion)
	}
	if e.OS != "" || e.Arch != "" {
		extra = append(extra, strings.Trim(e.OS+"/"+e.Arch, "/"))
	}
	if len(extra) > 0 {
		s += " (" + strings.Join(extra, ", ") + ")"
	}
	return s
}

// pad returns the spaces that bring s to width runes.
func pad(s string, width int) string {
	if n := width - utf8.RuneCountInString(s); n > 0 {
		return strings.Repeat(" ", n)
	}
	return ""
}
