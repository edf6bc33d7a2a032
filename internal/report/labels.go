package report

import (
	"fmt"
	"math"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ddlab/grade/internal/check"
)

// Kinds of check, as the lab spec spells them in [check.Result.Kind].
const (
	kindBonus = "bonus"
	kindGate  = "gate"
)

// labels holds the words of the human-readable reports (text, and the bodies of JUnit
// elements) in one language.
type labels struct {
	lang    string
	colon   string // " :" in French (a space before the colon), ":" in English
	percent string // " %" in French, "%" in English
	decimal string // "," in French, "." in English

	pass, fail, skip, err string // status words next to the mark

	expected, actual, hint, file, points string
	submission, engine, build, buildLog  string
	gradeError                           string
	score, checks, duration              string
	nPassed, nFailed, nSkipped, nErrors  string
	notScored                            string
	notEvaluated                         string // fmt format: the points a check left out is worth
	unevaluatedPoints                    string // fmt format: the points of the score no check could judge
	allPassed, notAllPassed              string
	noneEvaluated                        string
	partial                              func(n int) string // the evaluated checks passed, n were not evaluated
	bonus                                string
	fixFirst, reread, rereadPart         string // "what to fix first", "the chapter (and part) to reread"
	blockedBy                            string // fmt format: the failed prerequisite
	setup                                string
	specFile, timeoutFlag                string // fmt formats: the file, the duration
	unsandboxed                          string // fmt format: why scripts ran on the host
	steps                                func(n, cached int) string
}

// limit writes a time limit as people do: "5 min", "1 min 30 s", "45 s".
func (l labels) limit(d time.Duration) string {
	d = d.Round(time.Second)
	m, sec := int(d/time.Minute), int((d%time.Minute)/time.Second)
	switch {
	case m == 0:
		return fmt.Sprintf("%d s", sec)
	case sec == 0:
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d min %d s", m, sec)
}

// overrides says what an instructor changed for this run (--spec, --timeout); "" when the
// embedded spec and its time limit were used, as for every student.
// verdict is the report's last word: whether it is good news, and the sentence.
func (l labels) verdict(r *Report) (bool, string) {
	switch n := r.Unevaluated(); {
	case r.Passed && n == 0:
		return true, l.allPassed
	case r.Passed:
		return false, l.partial(n)
	case r.MaxScore == 0 && r.Error == "":
		return false, l.noneEvaluated
	}
	return false, l.notAllPassed
}

// scoreLine is "12/15 (80 %)", with the bonus apart: "15/15 (100 %) + 5 bonus".
func (l labels) scoreLine(r *Report) string {
	bonus := r.Bonus
	base := r.Score - bonus
	s := l.num(base) + "/" + l.num(r.MaxScore)
	if r.MaxScore > 0 {
		s += " (" + strconv.FormatFloat(math.Round(100*base/r.MaxScore), 'f', 0, 64) + l.percent + ")"
	}
	if bonus > 0 {
		s += " + " + l.num(bonus) + " " + l.bonus
	}
	if left := r.UnevaluatedPoints(); left > 0 {
		s += fmt.Sprintf(l.unevaluatedPoints, l.num(left))
	}
	return s
}

func (l labels) overrides(p Provenance) string {
	var parts []string
	if p.SpecFile != "" {
		parts = append(parts, fmt.Sprintf(l.specFile, p.SpecFile, p.SpecDigest))
	}
	if p.TimeoutOverridden {
		parts = append(parts, fmt.Sprintf(l.timeoutFlag, l.limit(p.Timeout)))
	}
	if why, ok := strings.CutPrefix(p.ScriptSandbox, "none: "); ok {
		parts = append(parts, fmt.Sprintf(l.unsandboxed, why))
	}
	if l.lang == "fr" {
		return strings.Join(parts, "\u00a0; ")
	}
	return strings.Join(parts, "; ")
}

var french = labels{
	lang: "fr", colon: "\u00a0:", percent: "\u00a0%", decimal: ",",
	pass: "réussi", fail: "échoué", skip: "ignoré", err: "erreur",
	expected: "attendu", actual: "obtenu", hint: "indice", file: "fichier", points: "points",
	submission: "Soumission", engine: "Moteur", build: "Construction",
	buildLog:   "Fin du journal de construction",
	gradeError: "Erreur", score: "Score", checks: "Vérifications", duration: "Durée",
	nPassed: "réussies", nFailed: "échouées", nSkipped: "ignorées", nErrors: "erreurs",
	notScored:         "hors barème",
	notEvaluated:      "non évaluée, %s",
	unevaluatedPoints: "\u00a0; %s points non évalués",
	allPassed:         "Toutes les vérifications obligatoires sont réussies.",
	notAllPassed:      "Des vérifications obligatoires ne sont pas réussies.",
	noneEvaluated:     "Aucune vérification obligatoire n'a pu être évaluée (il faut un moteur Docker).",
	partial: func(n int) string {
		missing := "1 vérification obligatoire n'a pas été évaluée"
		if n > 1 {
			missing = strconv.Itoa(n) + " vérifications obligatoires n'ont pas été évaluées"
		}
		return "Les vérifications évaluées sont réussies, mais " + missing + "\u00a0: relancez sur un moteur Docker local, sans --static, pour la note complète."
	},
	bonus:       "bonus",
	blockedBy:   "attend que %s réussisse",
	fixFirst:    "À corriger d'abord",
	reread:      "À relire\u00a0: le chapitre %d du cours.",
	rereadPart:  "À relire\u00a0: chapitre %d, «\u00a0%s\u00a0».",
	setup:       "Réglages",
	specFile:    "spec remplacée par %s (%s)",
	timeoutFlag: "délai imposé par --timeout\u00a0: %s",
	unsandboxed: "scripts lancés hors bac à sable (%s)",
	steps: func(n, cached int) string {
		word := "étapes"
		if n <= 1 {
			word = "étape"
		}
		return strconv.Itoa(n) + " " + word + " (" + strconv.Itoa(cached) + " en cache)"
	},
}

var english = labels{
	lang: "en", colon: ":", percent: "%", decimal: ".",
	pass: "passed", fail: "failed", skip: "skipped", err: "error",
	expected: "expected", actual: "actual", hint: "hint", file: "file", points: "points",
	submission: "Submission", engine: "Engine", build: "Build",
	buildLog:   "Build log tail",
	gradeError: "Error", score: "Score", checks: "Checks", duration: "Duration",
	nPassed: "passed", nFailed: "failed", nSkipped: "skipped", nErrors: "errors",
	notScored:         "not scored",
	notEvaluated:      "not evaluated, %s",
	unevaluatedPoints: "; %s points not evaluated",
	allPassed:         "All required checks passed.",
	notAllPassed:      "Some required checks did not pass.",
	noneEvaluated:     "No required check could be evaluated (a Docker engine is needed).",
	partial: func(n int) string {
		missing := "1 required check was not evaluated"
		if n > 1 {
			missing = strconv.Itoa(n) + " required checks were not evaluated"
		}
		return "The checks evaluated passed, but " + missing + ": run again on a local Docker engine, without --static, for the whole grade."
	},
	bonus:       "bonus",
	blockedBy:   "waits for %s to pass",
	fixFirst:    "Fix first",
	reread:      "To reread: chapter %d of the course.",
	rereadPart:  "To reread: chapter %d, “%s”.",
	setup:       "Settings",
	specFile:    "spec replaced by %s (%s)",
	timeoutFlag: "time limit set by --timeout: %s",
	unsandboxed: "scripts ran without a sandbox (%s)",
	steps: func(n, cached int) string {
		word := "steps"
		if n == 1 {
			word = "step"
		}
		return strconv.Itoa(n) + " " + word + " (" + strconv.Itoa(cached) + " cached)"
	},
}

// labelsFor returns the labels for lang, French unless lang is "en".
func labelsFor(lang string) *labels {
	if normLang(lang) == "en" {
		return &english
	}
	return &french
}

// status returns the mark and the word shown for s.
func (l *labels) status(s check.Status) (mark, word string) {
	switch s {
	case check.Pass:
		return "✔", l.pass
	case check.Fail:
		return "✘", l.fail
	case check.Skip:
		return "–", l.skip
	}
	return "!", l.err
}

// num formats points for people: at most two decimals, no trailing zeros, and the decimal
// comma in French ("2,5").
func (l *labels) num(x float64) string {
	return strings.Replace(formatPoints(x), ".", l.decimal, 1)
}

// seconds formats d for people: "850 ms", "12.5 s" ("12,5 s" in French).
func (l *labels) seconds(d time.Duration) string {
	if d < time.Second {
		return strconv.FormatInt(d.Round(time.Millisecond).Milliseconds(), 10) + " ms"
	}
	s := strconv.FormatFloat(d.Seconds(), 'f', 1, 64)
	return strings.Replace(s, ".", l.decimal, 1) + " s"
}

// pointsOf returns what res is worth as shown next to it: "2/3", "+1/1" for a bonus, "hors
// barème" for a check left out of the denominator, and "" for a gate, which has no points.
func (l *labels) pointsOf(res check.Result) string {
	switch {
	case res.Kind == kindGate:
		return ""
	case res.Excluded && res.MaxPoints > 0:
		// What it is worth, so a student sees what --static leaves out.
		unit := "pts"
		if res.MaxPoints <= 1 {
			unit = "pt"
		}
		return fmt.Sprintf(l.notEvaluated, l.num(res.MaxPoints)+" "+unit)
	case res.Excluded:
		return l.notScored
	case res.Kind == kindBonus:
		return "+" + l.num(res.Points) + "/" + l.num(res.MaxPoints)
	}
	return l.num(res.Points) + "/" + l.num(res.MaxPoints)
}

// formatPoints rounds x to two decimals and formats it without trailing zeros ("2.5", "7").
func formatPoints(x float64) string {
	return strconv.FormatFloat(round(x, 100), 'f', -1, 64)
}

// round rounds x to 1/scale and never returns negative zero.
func round(x, scale float64) float64 {
	x = math.Round(x*scale) / scale
	if x == 0 {
		return 0 // turns -0 into 0
	}
	return x
}

// seconds3 returns d in seconds rounded to the millisecond, never negative.
func seconds3(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return round(d.Seconds(), 1000)
}

// filePath returns the path of res.File as CI tools resolve it, with forward slashes:
// joined with the submission folder when that is relative (so it is relative to where grade
// ran, normally the repository root), left relative to the submission otherwise.
func filePath(r *Report, res check.Result) string {
	if res.File == "" {
		return ""
	}
	p := filepath.ToSlash(res.File)
	if sub := r.Submission; sub != "" && !filepath.IsAbs(sub) && !path.IsAbs(p) {
		return path.Join(filepath.ToSlash(sub), p)
	}
	return p
}

// location returns "file:line", "file" when the line is unknown, or "" without a file.
func location(r *Report, res check.Result) string {
	p := filePath(r, res)
	if p != "" && res.Line > 0 {
		p += ":" + strconv.Itoa(res.Line)
	}
	return p
}

// detail is one labelled piece of a check's explanation; the message has no label.
type detail struct {
	label, value string
}

// explanation returns what a human report shows under a check. Every check shows its message;
// a failed check or an error adds what was expected and observed and where; only a failed
// check gets the hint, since an error is grade's fault, not the student's.
func explanation(l *labels, r *Report, res check.Result) []detail {
	var ds []detail
	add := func(label, value string) {
		if value = strings.TrimRight(value, "\n"); value != "" {
			ds = append(ds, detail{label, value})
		}
	}
	add("", res.Message)
	if res.Status != check.Fail && res.Status != check.Error {
		return ds
	}
	add(l.expected, res.Expected)
	add(l.actual, res.Actual)
	if res.Status == check.Fail {
		add(l.hint, res.Hint)
	}
	add(l.file, location(r, res))
	return ds
}

// writeDetails writes ds one per line after indent: "label : value", or for a multi-line
// value the label alone and then the value's lines indented two more spaces. paint styles
// the labels. Blank lines stay blank, without trailing spaces.
// With width > 0, sentences are wrapped to it; a multi-line value is data (a log, a listing)
// and keeps its lines.
func writeDetails(b *strings.Builder, l *labels, ds []detail, indent string, paint func(string) string, width int) {
	for _, d := range ds {
		multi := strings.Contains(d.value, "\n")
		switch {
		case d.label == "" && !multi:
			for _, line := range wrap(d.value, width, len([]rune(indent)), len([]rune(indent))) {
				b.WriteString(indent + line + "\n")
			}
		case d.label == "":
			writeLines(b, indent, d.value)
		case multi:
			b.WriteString(indent + paint(d.label+l.colon) + "\n")
			writeLines(b, indent+"  ", d.value)
		default:
			head := indent + d.label + l.colon + " "
			lines := wrap(d.value, width, len([]rune(head)), len([]rune(indent))+2)
			b.WriteString(indent + paint(d.label+l.colon) + " " + lines[0] + "\n")
			for _, line := range lines[1:] {
				b.WriteString(indent + "  " + line + "\n")
			}
		}
	}
}

// wrap cuts s at spaces into lines that fit width once the first line is preceded by first
// columns and the others by rest; a word longer than a line stays whole. Non-breaking spaces
// hold "absent\u00a0:" together. width 0 keeps s on one line.
func wrap(s string, width, first, rest int) []string {
	if width <= 0 || first+utf8.RuneCountInString(s) <= width {
		return []string{s}
	}
	var lines []string
	line, room := "", width-first
	for _, w := range strings.Split(s, " ") {
		n := utf8.RuneCountInString(w)
		switch {
		case line == "":
			line = w
		case utf8.RuneCountInString(line)+1+n <= room:
			line += " " + w
		default:
			lines = append(lines, line)
			line, room = w, width-rest
		}
	}
	return append(lines, line)
}

// writeLines writes each line of s after indent, trimming trailing spaces.
func writeLines(b *strings.Builder, indent, s string) {
	for _, line := range strings.Split(s, "\n") {
		line = strings.TrimRight(line, " \t")
		if line != "" {
			b.WriteString(indent + line)
		}
		b.WriteString("\n")
	}
}
