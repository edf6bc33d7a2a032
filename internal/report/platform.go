package report

import (
	"crypto/md5"
	"encoding/hex"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/ddlab/grade/internal/check"
)

// This file holds what the CI and grading-platform writers (GitHub, Classroom, GitLab Code
// Quality, SARIF, Gradescope, PrairieLearn) share. Each platform's field names and limits
// are described in SCHEMA.md.

// awarded returns the points each result counts for, in order, so that they add up to
// r.Score: the runner caps the bonus as a whole (spec.BonusCap), so bonus points are given
// in the lab's order until the cap is reached. Platforms that sum per-test points (GitHub
// Classroom's reporter, Gradescope without a top-level score) then agree with the report.
func awarded(r *Report) []float64 {
	pts := make([]float64, len(r.Results))
	required := 0.0
	for i, res := range r.Results {
		if res.Excluded || res.Kind == kindGate || res.Kind == kindBonus {
			continue
		}
		pts[i] = res.Points
		required += res.Points
	}
	bonusLeft := max(0, round(r.Score-required, 100))
	for i, res := range r.Results {
		if res.Excluded || res.Kind != kindBonus {
			continue
		}
		pts[i] = min(res.Points, bonusLeft)
		bonusLeft -= pts[i]
	}
	for i := range pts {
		pts[i] = round(pts[i], 100)
	}
	return pts
}

// maxOf returns the points res is out of on a platform that adds up maxima: none for a gate,
// a bonus or an excluded check, since none of them is in r.MaxScore.
func maxOf(res check.Result) float64 {
	if res.Excluded || res.Kind == kindGate || res.Kind == kindBonus {
		return 0
	}
	return round(res.MaxPoints, 100)
}

// firstLine returns the first non-blank line of s, cut to n runes with an ellipsis.
func firstLine(s string, n int) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return truncateRunes(line, n)
		}
	}
	return ""
}

// truncateRunes cuts s to at most n runes, ending with "…" when it was cut.
func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	return string(rs[:n-1]) + "…"
}

// truncateBytes cuts s to at most n bytes on a rune boundary, keeping the end (the end of a
// log is what explains a failure) and saying how much was cut.
func truncateBytes(s string, n int, note string) string {
	if len(s) <= n {
		return s
	}
	cut := len(s) - n + len(note)
	for cut < len(s) && !utf8.RuneStart(s[cut]) {
		cut++
	}
	return note + s[cut:]
}

// explainText renders explanation(l, r, res) as plain lines ("label : value").
func explainText(l *labels, r *Report, res check.Result) string {
	var b strings.Builder
	writeDetails(&b, l, explanation(l, r, res), "", func(s string) string { return s }, 0)
	return strings.TrimRight(b.String(), "\n")
}

// fingerprint identifies one finding across runs (same lab, check and place), so GitLab and
// GitHub code scanning see the same problem, not a new one, when a student pushes again.
func fingerprint(parts ...string) string {
	sum := md5.Sum([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// placeOf returns where a finding is shown on a platform that needs a path for every
// finding (Code Quality, SARIF): the check's file, or else the submission folder itself,
// with line 1 when none is known.
func placeOf(r *Report, res check.Result) (file string, line int) {
	file, line = filePath(r, res), res.Line
	if file == "" {
		file = path.Clean(filepath.ToSlash(r.Submission))
	}
	if line < 1 {
		line = 1
	}
	return file, line
}

// more says that n checks were left out of a per-step annotation list.
func (l *labels) more(n int) string {
	if l.lang == "en" {
		return strconv.Itoa(n) + " more checks did not pass (see the job summary)"
	}
	return strconv.Itoa(n) + " autres vérifications non réussies (voir le résumé du job)"
}

// lastLines returns the last n lines of s, after a "…" line when some were cut.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) <= n {
		return s
	}
	return "…\n" + strings.Join(lines[len(lines)-n:], "\n")
}
