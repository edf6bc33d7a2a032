package report

import (
	"io"
	"strconv"
	"strings"

	"github.com/ddlab/grade/internal/check"
)

// GitHub writes GitHub Actions workflow commands for the step log: the build log tail in a
// collapsed group, an annotation per check that did not pass (on its file and line when one
// is known), and a notice with the score. The Markdown table for $GITHUB_STEP_SUMMARY is
// [GitHubSummary].
//
// GitHub keeps at most 10 error, 10 warning and 10 notice annotations per step and drops the
// rest silently; past 10 of a kind, the tenth annotation lists the checks left out, which the
// summary shows in full. A failed gate or required check is an error; a failed bonus and a
// check grade could not decide are warnings; skipped checks get none.
//
// Student text is sanitised (see [Sanitize]) and then escaped as GitHub's toolkit does
// (escapeData, escapeProperty), so it cannot end an annotation or start a command; the
// build log is also wrapped in ::stop-commands::, so the runner ignores any command in it.
type GitHub struct {
	// Token pauses command processing around the build log; it must be unguessable by the
	// student (the command line draws a random one). Without it the log is left out.
	Token string
}

var _ Writer = GitHub{}

// githubMaxPerKind is GitHub's per-step limit on annotations of each kind.
const githubMaxPerKind = 10

// githubActualLines is how much of what a check observed an annotation shows.
const githubActualLines = 3

type ghAnnotation struct {
	props   []string // "file=…" pairs, already escaped
	message string
}

// Write renders r as workflow commands to w.
func (g GitHub) Write(w io.Writer, r *Report) error {
	if r == nil {
		return errNilReport
	}
	r = sanitized(r)
	l := labelsFor(r.Lang)
	var b strings.Builder

	if bd := r.Build; bd != nil && g.Token != "" && validToken(g.Token) {
		if tail := strings.TrimRight(bd.LogTail, "\n"); tail != "" {
			b.WriteString("::group::" + ghData(l.buildLog) + "\n")
			b.WriteString("::stop-commands::" + g.Token + "\n")
			b.WriteString(tail + "\n")
			b.WriteString("::" + g.Token + "::\n")
			b.WriteString("::endgroup::\n")
		}
	}

	var errs, warns []ghAnnotation
	var errIDs, warnIDs []string
	for _, res := range r.Results {
		var kind *[]ghAnnotation
		var ids *[]string
		switch {
		case res.Status == check.Fail && res.Kind != kindBonus:
			kind, ids = &errs, &errIDs
		case res.Status == check.Fail, res.Status == check.Error:
			kind, ids = &warns, &warnIDs
		default:
			continue
		}
		*ids = append(*ids, res.ID)
		*kind = append(*kind, ghAnnotate(l, r, res))
	}
	if r.Error != "" {
		errs = append([]ghAnnotation{{
			props:   []string{"title=" + ghProperty("grade "+r.Lab+" — "+l.gradeError)},
			message: ghData(r.Error),
		}}, errs...)
		errIDs = append([]string{"grade"}, errIDs...)
	}
	writeAnnotations(&b, "error", errs, errIDs, l)
	writeAnnotations(&b, "warning", warns, warnIDs, l)

	score := "grade " + r.Lab + l.colon + " " + l.scoreLine(r)
	_, verdict := l.verdict(r)
	b.WriteString("::notice title=" + ghProperty(score) + "::" + ghData(score+" — "+verdict) + "\n")

	_, err := io.WriteString(w, b.String())
	return err
}

// ghAnnotate builds the annotation for res: title "lab5.healthcheck (0/2,5)", the check's
// title and explanation as message, and the file and line when known.
func ghAnnotate(l *labels, r *Report, res check.Result) ghAnnotation {
	var props []string
	if p := filePath(r, res); p != "" {
		props = append(props, "file="+ghProperty(p))
		if res.Line > 0 {
			props = append(props, "line="+strconv.Itoa(res.Line))
		}
	}
	title := res.ID
	if pts := l.pointsOf(res); pts != "" {
		title += " (" + pts + ")"
	}
	props = append(props, "title="+ghProperty(title))
	// The annotation sits on the student's line: the end of a long output is enough there,
	// the whole of it is in the log group and the summary.
	res.Actual = lastLines(res.Actual, githubActualLines)
	msg := res.Title
	if ex := explainText(l, r, res); ex != "" {
		msg += "\n" + ex
	}
	return ghAnnotation{props: props, message: ghData(truncateRunes(msg, 4000))}
}

// writeAnnotations writes at most githubMaxPerKind annotations of kind; when there are more,
// the last one names the checks left out.
func writeAnnotations(b *strings.Builder, kind string, as []ghAnnotation, ids []string, l *labels) {
	if len(as) > githubMaxPerKind {
		rest := ids[githubMaxPerKind-1:]
		as = append(as[:githubMaxPerKind-1:githubMaxPerKind-1], ghAnnotation{
			props:   []string{"title=" + ghProperty(l.more(len(rest)))},
			message: ghData(l.more(len(rest)) + l.colon + " " + strings.Join(rest, ", ")),
		})
	}
	for _, a := range as {
		b.WriteString("::" + kind)
		if len(a.props) > 0 {
			b.WriteString(" " + strings.Join(a.props, ","))
		}
		b.WriteString("::" + a.message + "\n")
	}
}

// ghData escapes a command's message as the toolkit's escapeData does.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a command's property value as the toolkit's escapeProperty does.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// validToken reports whether t can end a ::stop-commands:: block: letters, digits, '-' and
// '_' only, so it cannot itself be parsed as something else.
func validToken(t string) bool {
	for _, c := range t {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return len(t) >= 16
}
