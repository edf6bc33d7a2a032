package cli

import (
	"regexp"
	"strings"
)

// isUsage recognises cobra's argument errors, which it returns as plain errors.
func isUsage(err error) bool {
	s := err.Error()
	for _, p := range []string{"unknown command", "accepts ", "requires at least", "requires at most", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument"} {
		if strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// unknownCommand is cobra's error for a command it does not know, with its suggestions.
var unknownCommand = regexp.MustCompile(`^unknown command "([^"]*)" for "[^"]*"`)

// usageMessage says cobra's remaining English usage errors in French and English: an unknown
// command and its "Did you mean this?" suggestions.
func usageMessage(err error) string {
	s := err.Error()
	m := unknownCommand.FindStringSubmatch(s)
	if m == nil {
		return s
	}
	var sugg []string
	if _, rest, ok := strings.Cut(s, "Did you mean this?"); ok {
		sugg = strings.Fields(rest)
	}
	if len(sugg) == 0 {
		return "commande inconnue « " + m[1] + " » (`grade list` donne les labs) / unknown command \"" + m[1] + "\" (`grade list` shows the labs)"
	}
	j := strings.Join(sugg, ", ")
	return "commande inconnue « " + m[1] + " » : vouliez-vous dire " + j + " ? / unknown command \"" + m[1] + "\": did you mean " + j + "?"
}
