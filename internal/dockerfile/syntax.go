package dockerfile

import (
	"bytes"
	"regexp"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

var (
	hashDirective  = regexp.MustCompile(`^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)
	slashDirective = regexp.MustCompile(`^//\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*$`)
	bom            = []byte{0xEF, 0xBB, 0xBF}
)

// syntaxRemoved is the ordinary comment that takes the directive's place. It does not match the
// directive pattern, so BuildKit treats it as a plain comment.
const syntaxRemoved = "# (syntax directive removed for offline use)"

// WithoutSyntax returns src with a `# syntax=` directive replaced by an ordinary comment of the same
// line count, so line numbers of everything else are unchanged; ok=false when there was none.
//
// Detection is BuildKit's own (parser.DetectSyntax, what the frontend uses to decide to pull
// another frontend): `# syntax=`, `// syntax=` and a JSON `{"syntax": …}` file. A JSON file is
// not a Dockerfile and is returned unchanged with ok=false.
//
// Parser directives only count in the uninterrupted block of directives at the top of the file,
// so when other directives (`# check=…`, `# escape=…`) follow the syntax line they move up one line
// and the comment goes after them: they stay in effect, and every instruction keeps its line.
// The output has no syntax directive left.
func WithoutSyntax(src []byte) (out []byte, ok bool) {
	_, _, loc, found := parser.DetectSyntax(src)
	if !found || len(loc) == 0 {
		return src, false
	}
	target := loc[0].Start.Line // 1-based line of the directive (shebang counted)
	hadBOM := bytes.HasPrefix(src, bom)
	body := bytes.TrimPrefix(src, bom)

	// Split into contents and endings ("\n", "\r\n" or "" for a last line without newline).
	var contents, endings []string
	for rest := string(body); rest != ""; {
		line, ending := rest, ""
		if i := strings.IndexByte(rest, '\n'); i >= 0 {
			line, ending, rest = rest[:i], "\n", rest[i+1:]
		} else {
			rest = ""
		}
		if strings.HasSuffix(line, "\r") {
			line, ending = line[:len(line)-1], "\r"+ending
		}
		contents = append(contents, line)
		endings = append(endings, ending)
	}
	if target < 1 || target > len(contents) {
		return src, false
	}
	var re *regexp.Regexp
	switch first := contents[target-1]; {
	case hashDirective.MatchString(first):
		re = hashDirective
	case slashDirective.MatchString(first):
		re = slashDirective
	default: // JSON form
		return src, false
	}

	// End of the directive block that follows the syntax line.
	last := target
	for i := target + 1; i <= len(contents); i++ {
		m := re.FindStringSubmatch(contents[i-1])
		if m == nil || !isDirectiveName(m[1]) {
			break
		}
		last = i
	}
	// Keep the other directives in order at the top of the block; removed syntax lines (a duplicate
	// one included, which BuildKit rejects anyway) become comments after them.
	kept := make([]string, 0, last-target+1)
	for i := target; i <= last; i++ {
		if m := re.FindStringSubmatch(contents[i-1]); m == nil || !strings.EqualFold(m[1], "syntax") {
			kept = append(kept, contents[i-1])
		}
	}
	for i := target; i <= last; i++ {
		if k := i - target; k < len(kept) {
			contents[i-1] = kept[k]
		} else {
			contents[i-1] = syntaxRemoved
		}
	}

	var b bytes.Buffer
	b.Grow(len(src) + len(syntaxRemoved))
	if hadBOM {
		b.Write(bom)
	}
	for i, c := range contents {
		b.WriteString(c)
		b.WriteString(endings[i])
	}
	return b.Bytes(), true
}

func isDirectiveName(s string) bool {
	switch strings.ToLower(s) {
	case "syntax", "check", "escape":
		return true
	}
	return false
}
