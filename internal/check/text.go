package check

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// The text helpers below are the only ones that shorten what a report shows: what they cut
// often comes from the student (a body, a log, a path), so they never split a UTF-8
// character and never pass invalid bytes on to a JSON or JUnit report.

// Cut keeps at most n runes of s ("…" marks a cut), with invalid bytes made U+FFFD. Lines
// and tabs are kept: for a block shown as Actual.
func Cut(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if n < 0 {
		n = 0
	}
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i := 0
	for j := range s {
		if i == n {
			return s[:j] + "…"
		}
		i++
	}
	return s
}

// CutLine is [Cut] for a value shown inside a sentence: control characters (newlines and
// tabs included) become "·", so the value stays on one line and shows where they were.
func CutLine(s string, n int) string {
	return Cut(strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return '·'
		}
		return r
	}, strings.ToValidUTF8(s, "\uFFFD")), n)
}

// Clip keeps the first line of s, trimmed, at most n runes ("…" marks a cut): an
// observation that fits a one-line message.
func Clip(s string, n int) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return Cut(s, n)
}

// OneLine joins the words of s with single spaces and keeps at most n runes: an error
// message from a tool, whatever its layout.
func OneLine(s string, n int) string {
	return Cut(strings.Join(strings.Fields(s), " "), n)
}

// Verdict unwraps an optional verdict, for `return check.Verdict(o), err` where o is the
// failing outcome an observation may come back with (nil: nothing to say).
func Verdict(o *Outcome) Outcome {
	if o == nil {
		return Outcome{}
	}
	return *o
}

// ShortID is the 12-character form the Docker CLI shows of an engine ID (a "sha256:" prefix
// dropped); a shorter ID is kept whole, so a fake's "c1" never panics a grader.
func ShortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// Size writes a number of bytes as people read it, in decimal units: "330,6 Mo" in French,
// "330.6 MB" in English (units.HumanSize's "330.6MB" is neither).
func Size(bytes float64) Text {
	en := []string{"B", "kB", "MB", "GB", "TB"}
	fr := []string{"o", "ko", "Mo", "Go", "To"}
	i := 0
	for bytes >= 1000 && i < len(en)-1 {
		bytes /= 1000
		i++
	}
	n := strconv.FormatFloat(bytes, 'g', 4, 64)
	return Text{FR: strings.Replace(n, ".", ",", 1) + " " + fr[i], EN: n + " " + en[i]}
}

// Duration writes a duration as people read it: "40 ms", "5 s", "1 min 30 s", with a decimal
// comma in French ("1,5 s"); Go's "1.5s" and "40ms" are neither.
func Duration(d time.Duration) Text {
	switch {
	case d < time.Second:
		ms := strconv.FormatInt(d.Round(time.Millisecond).Milliseconds(), 10)
		return Same(ms + " ms")
	case d < time.Minute:
		s := strconv.FormatFloat(d.Round(100*time.Millisecond).Seconds(), 'f', -1, 64)
		return Text{FR: strings.Replace(s, ".", ",", 1) + " s", EN: s + " s"}
	}
	d = d.Round(time.Second)
	m, s := int(d/time.Minute), int(d%time.Minute/time.Second)
	if s == 0 {
		return Same(strconv.Itoa(m) + " min")
	}
	return Same(strconv.Itoa(m) + " min " + strconv.Itoa(s) + " s")
}

// Of is "of name" in each language, with the French elision: "d'api", "de web".
func Of(name string) Text {
	fr := "de " + name
	if name != "" && strings.ContainsRune("aeiouyhéèêàâîôûAEIOUYH", []rune(name)[0]) {
		fr = "d'" + name
	}
	return Text{FR: fr, EN: "of " + name}
}

// Join joins texts language by language, with fr between the French texts and en between
// the English ones (« a ; b », "a; b").
func Join(ts []Text, fr, en string) Text {
	frs, ens := make([]string, len(ts)), make([]string, len(ts))
	for i, t := range ts {
		frs[i], ens[i] = t.FR, t.In("en")
	}
	return Text{FR: strings.Join(frs, fr), EN: strings.Join(ens, en)}
}

// Count words n things in each language from formats such as "%d réseau", "%d réseaux",
// "%d network", "%d networks": French is singular up to one, English at one only.
func Count(n int, fr1, frN, en1, enN string) Text {
	fr, en := frN, enN
	if n <= 1 {
		fr = fr1
	}
	if n == 1 {
		en = en1
	}
	return Text{FR: fmt.Sprintf(fr, n), EN: fmt.Sprintf(en, n)}
}
