package cliutil

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/agext/levenshtein"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// Args accepts between min and max positional arguments (max < 0: no upper bound), and says
// otherwise in French and English. It replaces cobra's English "accepts at most 1 arg(s)".
func Args(min, max int) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		n := len(args)
		if n >= min && (max < 0 || n <= max) {
			return nil
		}
		fr, en := wantArgs(min, max)
		given := pair{Count("fr", n, "donné", "donnés", "", ""), Count("en", n, "", "", "given", "given")}
		if n == 0 {
			given = pair{"aucun donné", "none given"}
		}
		return FlagErrorf("%s %s (%s)", "%s %s (%s)", cmd.CommandPath(), pair{fr, en}, given)
	}
}

// wantArgs says how many arguments a command takes, as the verb and its object.
func wantArgs(min, max int) (fr, en string) {
	fr1 := func(n int) string { return Count("fr", n, "argument", "arguments", "", "") }
	en1 := func(n int) string { return Count("en", n, "", "", "argument", "arguments") }
	switch {
	case max == 0:
		return "n'attend aucun argument", "takes no argument"
	case min == max:
		return "attend " + fr1(min), "takes " + en1(min)
	case max < 0:
		return "attend au moins " + fr1(min), "takes at least " + en1(min)
	case min == 0:
		return "attend au plus " + fr1(max), "takes at most " + en1(max)
	case max == min+1:
		return fmt.Sprintf("attend %d ou %d arguments", min, max), fmt.Sprintf("takes %d or %d arguments", min, max)
	}
	return fmt.Sprintf("attend de %d à %d arguments", min, max), fmt.Sprintf("takes %d to %d arguments", min, max)
}

// FlagParseError turns a flag parsing error of cmd (pflag's, in English) into a usage error in
// French and English.
func FlagParseError(cmd *cobra.Command, err error) error {
	var (
		notExist *pflag.NotExistError
		required *pflag.ValueRequiredError
		invalid  *pflag.InvalidValueError
		syntax   *pflag.InvalidSyntaxError
	)
	path := cmd.CommandPath()
	switch {
	case errors.As(err, &notExist):
		name := "--" + notExist.GetSpecifiedName()
		if notExist.GetSpecifiedShortnames() != "" {
			name = "-" + notExist.GetSpecifiedName()
		}
		if s := suggestFlag(cmd, notExist.GetSpecifiedName()); s != "" {
			return FlagErrorf("%s ne connaît pas l'option %s : vouliez-vous dire %s ?", "%s has no %s flag: did you mean %s?", path, name, s)
		}
		return FlagErrorf("%s ne connaît pas l'option %s", "%s has no %s flag", path, name)
	case errors.As(err, &required):
		fl := required.GetFlag()
		return FlagErrorf("l'option --%s attend une valeur : --%[1]s %[2]s", "the --%s flag needs a value: --%[1]s %[2]s", fl.Name, VarName(fl))
	case errors.As(err, &invalid):
		fl := invalid.GetFlag()
		return FlagErrorf("valeur « %s » invalide pour --%s : %s", "invalid value %q for --%s: %s",
			invalid.GetValue(), fl.Name, expected(fl, errors.Unwrap(invalid)))
	case errors.As(err, &syntax):
		return FlagErrorf("option mal formée : %s", "malformed flag: %s", syntax.GetSpecifiedFlag())
	}
	return FlagErrorf("%s : option invalide (%v)", "%s: invalid flag (%v)", path, err.Error())
}

// expected says what a flag takes, after a value it refused.
func expected(fl *pflag.Flag, cause error) any {
	var t interface{ In(string) string }
	if cause != nil && errors.As(cause, &t) {
		return t
	}
	switch fl.Value.Type() {
	case "duration":
		return tr("il faut une durée comme 90s, 5m ou 1h30m", "expected a duration such as 90s, 5m or 1h30m")
	case "int", "int64", "uint":
		return tr("il faut un nombre entier", "expected a whole number")
	case "bool":
		return tr("il faut true ou false", "expected true or false")
	}
	if cause == nil {
		return tr("valeur refusée", "value refused")
	}
	return cause.Error()
}

// pair is a text in both languages, for Sayf's arguments.
type pair struct{ fr, en string }

func tr(fr, en string) pair { return pair{fr, en} }

func (t pair) In(lang string) string { return Say(lang, t.fr, t.en) }

// orList joins names as "a, b ou c" / "a, b or c".
func orList(names []string) pair {
	if len(names) < 2 {
		return pair{strings.Join(names, ""), strings.Join(names, "")}
	}
	head := strings.Join(names[:len(names)-1], ", ")
	last := names[len(names)-1]
	return pair{head + " ou " + last, head + " or " + last}
}

// VarName is the name a flag's value goes by in its usage (`FILE` in "write the report to
// `FILE`"), as the help shows it; "" for a flag that takes none.
func VarName(fl *pflag.Flag) string {
	if fl.NoOptDefVal != "" {
		return ""
	}
	if _, after, ok := strings.Cut(fl.Usage, "`"); ok {
		if name, _, ok := strings.Cut(after, "`"); ok {
			return name
		}
	}
	return strings.ToUpper(fl.Value.Type())
}

// suggestFlag is the flag of cmd nearest to name, as "--name", or "" when none is near.
func suggestFlag(cmd *cobra.Command, name string) string {
	if len(name) < 2 {
		return ""
	}
	var near []string
	cmd.Flags().VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		if d := levenshtein.Distance(name, fl.Name, nil); d <= 2 || strings.HasPrefix(fl.Name, name) {
			near = append(near, "--"+fl.Name)
		}
	})
	if len(near) != 1 {
		return ""
	}
	return near[0]
}

// cobraUnknown is cobra's error for an argument of a command that takes subcommands and no
// arguments; cobra says it only in English, with its suggestions below.
var cobraUnknown = regexp.MustCompile(`^unknown command ("(?:[^"\\]|\\.)*") for "[^"]*"`)

// cobraRequired is cobra's error for flags marked required and not given.
var cobraRequired = regexp.MustCompile(`^required flag\(s\) (.*) not set`)

// UsageError is err as a usage error of cmd when it is one: a FlagError of grade's, or one of
// the errors cobra returns as plain English text (an unknown command, a required flag). It
// is nil otherwise.
func UsageError(cmd *cobra.Command, err error) *FlagError {
	var fe *FlagError
	if errors.As(err, &fe) {
		return fe
	}
	if cmd == nil {
		return nil
	}
	first, _, _ := strings.Cut(err.Error(), "\n")
	if m := cobraUnknown.FindStringSubmatch(first); m != nil {
		name, uerr := strconv.Unquote(m[1])
		if uerr != nil {
			name = m[1]
		}
		return UnknownCommand(cmd, name)
	}
	if m := cobraRequired.FindStringSubmatch(first); m != nil {
		names := strings.Split(strings.ReplaceAll(m[1], `"`, ""), ", ")
		for i, n := range names {
			names[i] = "--" + n
		}
		list := strings.Join(names, ", ")
		return &FlagError{newText("%s : il manque %s", "%s: missing %s", []any{cmd.CommandPath(), list})}
	}
	return nil
}

// UnknownCommand is the usage error for name, which is not a subcommand of cmd, with the
// nearest names as suggestions.
func UnknownCommand(cmd *cobra.Command, name string) *FlagError {
	sugg := cmd.SuggestionsFor(name) // in the order the help lists them
	path := cmd.CommandPath()
	switch len(sugg) {
	case 0:
		if cmd.HasParent() {
			return &FlagError{newText("%s n'a pas de sous-commande « %s »", "%s has no %q subcommand", []any{path, name})}
		}
		return &FlagError{newText("commande inconnue « %s » (`grade list` donne les labs)",
			"unknown command %q (`grade list` shows the labs)", []any{name})}
	}
	return &FlagError{newText("commande inconnue « %s » : vouliez-vous dire %s ?", "unknown command %q: did you mean %s?",
		[]any{name, orList(sugg)})}
}
