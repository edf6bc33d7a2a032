package cliutil

import (
	"fmt"
	"regexp"

	"github.com/spf13/cobra"
)

// Args accepts between min and max positional arguments (max < 0: no upper bound), and says
// otherwise in French and English, pointing at the command's own help. It replaces cobra's
// English "accepts at most 1 arg(s)".
func Args(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		n := len(args)
		if n >= min && (max < 0 || n <= max) {
			return nil
		}
		fr, en := wantArgs(min, max)
		path := cmd.CommandPath()
		return FlagErrorf("%[1]s attend %[2]s, pas %[3]d : voyez `%[1]s --help` / %[1]s takes %[4]s, not %[3]d: see `%[1]s --help`",
			path, fr, n, en)
	}
}

func wantArgs(min, max int) (fr, en string) {
	// "argument" is the word in both languages.
	count := func(n int) string {
		if n == 1 {
			return "1 argument"
		}
		return fmt.Sprintf("%d arguments", n)
	}
	switch {
	case max == 0:
		return "aucun argument", "no argument"
	case min == max:
		return count(min), count(min)
	case max < 0:
		return "au moins " + count(min), "at least " + count(min)
	case min == 0:
		return "au plus " + count(max), "at most " + count(max)
	}
	return fmt.Sprintf("de %d à %d arguments", min, max), fmt.Sprintf("%d to %d arguments", min, max)
}

// flagErrors are pflag's messages, as they start, and what they say in French.
var flagErrors = []struct {
	re *regexp.Regexp
	fr string
}{
	{regexp.MustCompile(`^unknown flag: (\S+)`), "option inconnue : %s"},
	{regexp.MustCompile(`^unknown shorthand flag: '(.)'`), "option courte inconnue : -%s"},
	{regexp.MustCompile(`^flag needs an argument: (?:'.' in )?(\S+)`), "l'option %s attend une valeur"},
	{regexp.MustCompile(`^invalid argument "([^"]*)" for "([^"]+)"`), "valeur « %s » invalide pour %s"},
}

// FlagParseError turns a flag parsing error of cmd into a usage error in French and English that
// points at the command's help.
func FlagParseError(cmd *cobra.Command, err error) error {
	msg := err.Error()
	fr := "option invalide"
	for _, f := range flagErrors {
		if m := f.re.FindStringSubmatch(msg); m != nil {
			args := make([]any, len(m)-1)
			for i, s := range m[1:] {
				args[i] = s
			}
			fr = fmt.Sprintf(f.fr, args...)
			break
		}
	}
	path := cmd.CommandPath()
	return FlagErrorf("%[1]s : %[2]s ; voyez `%[1]s --help` / %[1]s: %[3]s; see `%[1]s --help`", path, fr, msg)
}
