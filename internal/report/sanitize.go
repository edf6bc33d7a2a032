package report

import (
	"errors"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/ddlab/grade/internal/check"
)

// errNilReport is returned by every writer given a nil *Report.
var errNilReport = errors.New("report: nil report")

// escapeSeq matches terminal escape sequences, most specific first (Go's alternation is
// leftmost-first, so CSI must be tried before the generic two-byte form that would eat its "[").
var escapeSeq = regexp.MustCompile(
	`\x1b\[[0-?]*[ -/]*[@-~]` + // CSI: colours, cursor moves, erase line (ECMA-48 5.4)
		`|\x{9b}[0-?]*[ -/]*[@-~]` + // the same with the 8-bit CSI
		`|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)?` + // OSC until BEL or ST: window title, hyperlink, clipboard
		`|\x1b[PX^_][^\x1b\n]*(?:\x1b\\)?` + // DCS, SOS, PM, APC strings until ST
		// Any other escape: charset selection "ESC ( B", "ESC 7", "ESC c" (reset)... Space is
		// left out of the intermediates so a lone ESC before a word does not eat its letter.
		`|\x1b[!-/]*[0-~]`,
)

// zwsp is inserted to break CI workflow commands. It is not whitespace for the GitHub runner
// (.NET char.IsWhiteSpace) nor for Go, so trimming a line does not bring the command back.
const zwsp = "\u200b"

// ciCommands are line prefixes that CI runners obey anywhere in a line: GitHub's legacy
// "##[error]" form (ActionCommand.TryParse searches the whole line) and Azure's "##vso[".
var ciCommands = strings.NewReplacer("##[", "##"+zwsp+"[", "##vso[", "##"+zwsp+"vso[")

// Sanitize makes a string that a student may influence (a build log, a file name, an error
// from the engine) safe to put in any report:
//
//   - terminal escape sequences are removed (CSI colours, OSC titles and hyperlinks, ...);
//   - CRLF and lone CR become LF;
//   - control characters other than LF and TAB are dropped, as are U+FFFE and U+FFFF, so the
//     result holds only XML 1.0 characters (one ESC makes Jenkins reject a whole JUnit file);
//   - invalid UTF-8 becomes U+FFFD;
//   - CI workflow commands are broken with a zero-width space: a line whose first
//     non-space characters are "::" becomes ":\u200b:...", and "##[" / "##vso[" anywhere
//     get one after "##". A leading space is not enough: the GitHub runner trims the line
//     (TrimStart) before looking for "::".
//
// Sanitize is idempotent.
func Sanitize(s string) string {
	if isPlain(s) {
		return s
	}
	s = escapeSeq.ReplaceAllString(s, "")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")

	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteRune(utf8.RuneError)
		case r == '\n' || r == '\t':
			b.WriteRune(r)
		case unicode.IsControl(r) || r == 0xFFFE || r == 0xFFFF:
			// dropped: C0, DEL and C1 controls; XML 1.0 non-characters
		default:
			b.WriteRune(r)
		}
	}
	return neutralizeCommands(b.String())
}

// isPlain reports whether s is printable ASCII, TAB and LF only, with nothing a CI runner reads
// as a command: the common case, returned unchanged without allocating.
func isPlain(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\n' && c != '\t') || c >= 0x7f {
			return false
		}
	}
	return !strings.Contains(s, "::") && !strings.Contains(s, "##")
}

// neutralizeCommands breaks the workflow commands in s; see [Sanitize].
func neutralizeCommands(s string) string {
	s = ciCommands.Replace(s)
	if !strings.Contains(s, "::") {
		return s
	}
	lines := strings.Split(s, "\n")
	for i, line := range lines {
		rest := strings.TrimLeftFunc(line, unicode.IsSpace)
		if strings.HasPrefix(rest, "::") {
			indent := line[:len(line)-len(rest)]
			lines[i] = indent + ":" + zwsp + rest[1:]
		}
	}
	return strings.Join(lines, "\n")
}

// sanitizeLine is [Sanitize] for a field shown on one line (an ID, a title, a path): line
// breaks and tabs become spaces so the value cannot forge extra lines in a report.
func sanitizeLine(s string) string {
	s = Sanitize(s)
	if strings.ContainsAny(s, "\n\t") {
		s = strings.NewReplacer("\n", " ", "\t", " ").Replace(s)
	}
	return s
}

// sanitized returns a copy of r that every writer can render as is: all strings sanitised,
// Lang normalised to "fr" or "en", and invalid statuses turned into [check.Error] (grade
// could not decide), so counts and per-check output always agree. r is not modified.
func sanitized(r *Report) *Report {
	c := *r
	c.ToolVersion = sanitizeLine(r.ToolVersion)
	c.Lab = sanitizeLine(r.Lab)
	c.Title = sanitizeLine(r.Title)
	c.Submission = sanitizeLine(r.Submission)
	c.Lang = normLang(r.Lang)
	c.Error = strings.TrimRight(Sanitize(r.Error), "\n")
	if r.Engine != nil {
		c.Engine = &Engine{
			Version:    sanitizeLine(r.Engine.Version),
			APIVersion: sanitizeLine(r.Engine.APIVersion),
			OS:         sanitizeLine(r.Engine.OS),
			Arch:       sanitizeLine(r.Engine.Arch),
		}
	}
	if r.Build != nil {
		b := *r.Build
		b.Builder = sanitizeLine(b.Builder)
		b.LogTail = Sanitize(b.LogTail)
		c.Build = &b
	}
	c.Results = make([]check.Result, len(r.Results))
	for i, res := range r.Results {
		res.ID = sanitizeLine(res.ID)
		res.Title = sanitizeLine(res.Title)
		res.Kind = sanitizeLine(res.Kind)
		res.Message = Sanitize(res.Message)
		res.Expected = Sanitize(res.Expected)
		res.Actual = Sanitize(res.Actual)
		res.Hint = Sanitize(res.Hint)
		res.File = sanitizeLine(res.File)
		switch res.Status {
		case check.Pass, check.Fail, check.Skip, check.Error:
		default:
			res.Status = check.Error
		}
		c.Results[i] = res
	}
	return &c
}

// normLang returns "en" for English and "fr" for anything else, as [check.Text.In] does.
func normLang(lang string) string {
	if lang == "en" {
		return "en"
	}
	return "fr"
}
