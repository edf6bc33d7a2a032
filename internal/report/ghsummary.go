package report

import (
	"html"
	"io"
	"strings"

	"github.com/ddlab/grade/internal/check"
)

// GitHubSummary writes the GitHub-flavoured Markdown that a step appends to
// $GITHUB_STEP_SUMMARY: the score, a table with one row per check, what to fix for each
// check that did not pass, and the build log tail in a folded block.
//
// GitHub refuses a step summary over 1 MiB; the log and the details are cut so the whole
// stays under [githubSummaryMax]. Student text is escaped for Markdown and HTML, so it can
// neither break the table nor add links, images or tags.
type GitHubSummary struct{}

var _ Writer = GitHubSummary{}

// Size limits of the summary, well under GitHub's 1 MiB per step (several steps of one job
// may each append a report).
const (
	githubSummaryMax = 256 << 10
	githubLogMax     = 32 << 10
)

// Write renders r as Markdown to w.
func (GitHubSummary) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	r = sanitized(r)
	l := labelsFor(r.Lang)
	var b strings.Builder

	head := "## grade " + mdInline(r.Lab)
	if r.Title != "" {
		head += " — " + mdInline(r.Title)
	}
	b.WriteString(head + "\n\n")
	score := "**" + l.score + l.colon + " " + l.scoreLine(r) + "**"
	switch ok, text := l.verdict(r); {
	case ok:
		score += " — ✅ " + text
	case r.Passed:
		score += " — ⚠️ " + text
	default:
		score += " — ❌ " + text
	}
	b.WriteString(score + "\n\n")
	if r.Error != "" {
		b.WriteString("> **" + l.gradeError + l.colon + "** " + mdInline(r.Error) + "\n\n")
	}

	if len(r.Results) > 0 {
		b.WriteString("| | " + l.checkWord() + " | " + l.titleWord() + " | " + l.points + " |\n")
		b.WriteString("|---|---|---|---|\n")
		for _, res := range r.Results {
			_, word := l.status(res.Status)
			b.WriteString("| " + mdMark(res.Status) + " " + word + " | `" + mdCode(res.ID) + "` | " +
				mdInline(res.Title) + " | " + l.pointsOf(res) + " |\n")
		}
		b.WriteString("\n")
	}

	var details strings.Builder
	for _, res := range r.Results {
		if res.Status != check.Fail && res.Status != check.Error {
			continue
		}
		details.WriteString("<details><summary>" + mdMark(res.Status) + " <code>" + html.EscapeString(res.ID) +
			"</code> " + html.EscapeString(res.Title) + "</summary>\n\n")
		details.WriteString(mdFence(explainText(l, r, res)) + "\n</details>\n\n")
	}
	b.WriteString(truncateBytes(details.String(), githubSummaryMax-githubLogMax-b.Len()-1024, "…\n\n"))

	if bd := r.Build; bd != nil {
		if tail := strings.TrimRight(bd.LogTail, "\n"); tail != "" {
			b.WriteString("<details><summary>" + l.buildLog + "</summary>\n\n")
			b.WriteString(mdFence(truncateBytes(tail, githubLogMax, "…\n")) + "\n</details>\n\n")
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func (l *labels) checkWord() string {
	if l.lang == "en" {
		return "Check"
	}
	return "Vérification"
}

func (l *labels) titleWord() string {
	if l.lang == "en" {
		return "Title"
	}
	return "Intitulé"
}

func mdMark(s check.Status) string {
	switch s {
	case check.Pass:
		return "✅"
	case check.Fail:
		return "❌"
	case check.Skip:
		return "⏭️"
	}
	return "⚠️"
}

// mdEscaper escapes what Markdown or HTML would read in a table cell: every ASCII
// punctuation mark Markdown gives a meaning to is backslash-escaped (CommonMark allows it
// for all of them), and <, > and & become entities so no tag or autolink survives.
var mdEscaper = strings.NewReplacer(
	"\\", "\\\\", "`", "\\`", "*", "\\*", "_", "\\_", "[", "\\[", "]", "\\]", "(", "\\(", ")", "\\)",
	"#", "\\#", "|", "\\|", "!", "\\!", "~", "\\~", "$", "\\$",
	"&", "&amp;", "<", "&lt;", ">", "&gt;",
	"\n", " ", "\t", " ",
)

// mdInline escapes s for one line of Markdown (a heading, a table cell).
func mdInline(s string) string { return mdEscaper.Replace(s) }

// mdCode makes s safe inside a one-backtick code span in a table cell.
func mdCode(s string) string {
	return strings.NewReplacer("`", "'", "|", "\\|", "\n", " ").Replace(s)
}

// mdFence puts s in a fenced code block whose fence is longer than any run of backticks in
// s, so s cannot close it; inside, Markdown and HTML are not interpreted.
func mdFence(s string) string {
	longest, run := 0, 0
	for _, c := range s {
		if c == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + "text\n" + s + "\n" + fence + "\n"
}
