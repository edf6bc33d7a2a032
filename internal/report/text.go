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

	// Header.
	head := "grade " + r.Lab
	if r.Title != "" {
		head += " — " + r.Title
	}
	b.WriteString(p.paint(sgrBold, head) + "\n")
	if r.Submission != "" {
		b.WriteString(dim(l.submission+l.colon) + " " + r.Submission + "\n")
	}
	if e := r.Engine; e != nil {
		b.WriteString(dim(l.engine+l.colon) + " " + engineLine(e) + "\n")
	}
	if line := l.overrides(r.Provenance); line != "" {
		b.WriteString(dim(l.setup+l.colon) + " " + line + "\n")
	}
	if bd := r.Build; bd != nil {
		line := bd.Builder
		if line != "" {
			line += ", "
		}
		line += l.steps(bd.Steps, bd.CachedSteps) + ", " + l.seconds(bd.Duration)
		b.WriteString(dim(l.build+l.colon) + " " + line + "\n")
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
		writeDetails(&b, l, explanation(l, r, res), "    ", dim)
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
	b.WriteString(l.checks + l.colon + " " + strconv.Itoa(c.Total) + " (" +
		l.nPassed + l.colon + " " + strconv.Itoa(c.Passed) + ", " +
		l.nFailed + l.colon + " " + strconv.Itoa(c.Failed) + ", " +
		l.nSkipped + l.colon + " " + strconv.Itoa(c.Skipped) + ", " +
		l.nErrors + l.colon + " " + strconv.Itoa(c.Errors) + ")\n")
	if r.Duration > 0 {
		b.WriteString(l.duration + l.colon + " " + l.seconds(r.Duration) + "\n")
	}
	switch ok, text := l.verdict(r); {
	case ok:
		b.WriteString(p.paint(sgrGreen, "✔ "+text) + "\n")
	case r.Passed:
		b.WriteString(p.paint(sgrYellow, "◐ "+text) + "\n")
	default:
		b.WriteString(p.paint(sgrRed, "✘ "+text) + "\n")
	}
	if first := r.FixFirst(); first != nil {
		line := "→ " + l.fixFirst + l.colon + " " + first.ID
		if first.Title != "" {
			line += " — " + first.Title
		}
		if first.Hint != "" {
			line += ". " + first.Hint
		}
		b.WriteString(p.paint(sgrBold, line) + "\n")
		if r.Chapter > 0 {
			b.WriteString("→ " + fmt.Sprintf(l.reread, r.Chapter) + "\n")
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
