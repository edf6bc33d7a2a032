package lab01

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/ddlab/grade/internal/check"
)

// observeKeys are the keys observe.sh must print (docs/labs/lab1.md).
var observeKeys = []string{"noyau_hote", "noyau_conteneur", "pid_conteneur", "pid_hote", "hostname_conteneur", "derniere_requete"}

var keyRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// lineProblem is a line of a script's output that the parser refuses.
type lineProblem struct {
	Line int
	Text string // the line, shortened
	Why  check.Text
}

// text says the problem in a report's two languages.
func (p lineProblem) text() check.Text {
	return check.Text{
		FR: fmt.Sprintf("ligne %d : %s : « %s »", p.Line, p.Why.FR, p.Text),
		EN: fmt.Sprintf("line %d: %s: \"%s\"", p.Line, p.Why.EN, p.Text),
	}
}

// parseKeyValues reads `key=value` lines. Blank lines and unknown keys are ignored (a
// student may print more); a line that is not key=value, or a known key given twice, is a
// problem naming its line, since the grader cannot tell which value was meant. Spaces
// around the key and the value are trimmed. Only the known keys are returned.
func parseKeyValues(out string, known []string) (map[string]string, []lineProblem) {
	isKnown := map[string]bool{}
	for _, k := range known {
		isKnown[k] = true
	}
	values := map[string]string{}
	firstLine := map[string]int{}
	var problems []lineProblem
	for i, line := range strings.Split(out, "\n") {
		n := i + 1
		line = strings.TrimSuffix(line, "\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		bad := func(fr, en string, args ...any) {
			problems = append(problems, lineProblem{Line: n, Text: check.CutLine(line, 80), Why: check.T(fr, en, args...)})
		}
		if !utf8.ValidString(line) || strings.ContainsRune(line, 0) {
			bad("octets binaires ou texte non UTF-8", "binary bytes or non-UTF-8 text")
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.TrimSpace(v)
		switch {
		case !ok:
			bad("pas de la forme clé=valeur", "not of the form key=value")
			continue
		case !keyRe.MatchString(k):
			bad("la clé %q n'est pas un nom (lettres, chiffres, _)", "key %q is not a name (letters, digits, _)", check.CutLine(k, 30))
			continue
		case !isKnown[k]:
			continue
		}
		if first, dup := firstLine[k]; dup {
			bad("%s déjà donnée ligne %d", "%s already given on line %d", k, first)
			continue
		}
		firstLine[k] = n
		values[k] = v
	}
	return values, problems
}
