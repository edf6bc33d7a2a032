package root

import (
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ddlab/grade/internal/cliutil"
)

// The help is rendered here rather than by cobra's templates, whose headings ("Usage:",
// "Flags:", "[flags]", `(default "text")`) are English: every word of it is f's language.

// lineWidth is where flag descriptions wrap.
const lineWidth = 100

// writeHelp prints cmd's description, then its usage.
func writeHelp(f *cliutil.Factory, cmd *cobra.Command) error {
	w := cmd.OutOrStdout()
	text := cmd.Long
	if text == "" {
		text = cmd.Short
	}
	if text = strings.TrimRight(text, " \t\n"); text != "" {
		fmt.Fprintf(w, "%s\n\n", text)
	}
	return writeUsage(f, w, cmd)
}

// writeUsage prints how to call cmd: its command line, examples, subcommands by group, flags
// and inherited flags.
func writeUsage(f *cliutil.Factory, w io.Writer, cmd *cobra.Command) error {
	var b strings.Builder
	b.WriteString(f.Say("Utilisation :", "Usage:") + "\n  " + useLine(f, cmd) + "\n")
	if cmd.HasExample() {
		b.WriteString("\n" + f.Say("Exemples :", "Examples:") + "\n" + strings.TrimRight(cmd.Example, "\n") + "\n")
	}
	if cmd.HasAvailableSubCommands() {
		subs := cmd.Commands()
		// cobra's help command is not "available", yet the help lists it, as cobra's does.
		listed := func(c *cobra.Command) bool { return c.IsAvailableCommand() || c.Name() == "help" }
		width := 0
		for _, c := range subs {
			if listed(c) {
				width = max(width, len(c.Name()))
			}
		}
		section := func(title string, in func(*cobra.Command) bool) {
			var lines []string
			for _, c := range subs {
				if listed(c) && in(c) {
					lines = append(lines, fmt.Sprintf("  %-*s  %s", width, c.Name(), c.Short))
				}
			}
			if len(lines) > 0 {
				b.WriteString("\n" + title + "\n" + strings.Join(lines, "\n") + "\n")
			}
		}
		for _, g := range cmd.Groups() {
			section(g.Title, func(c *cobra.Command) bool { return c.GroupID == g.ID })
		}
		section(f.Say("Autres commandes :", "Other commands:"), func(c *cobra.Command) bool { return !cmd.ContainsGroup(c.GroupID) })
	}
	if cmd.HasAvailableLocalFlags() {
		b.WriteString("\n" + f.Say("Options :", "Flags:") + "\n" + flagUsages(f, cmd.LocalFlags()))
	}
	if cmd.HasAvailableInheritedFlags() {
		b.WriteString("\n" + f.Say("Options globales :", "Global flags:") + "\n" + flagUsages(f, cmd.InheritedFlags()))
	}
	if cmd.HasAvailableSubCommands() {
		b.WriteString("\n" + f.Sayf("L'aide d'une commande : %s --help", "A command's help: %s --help",
			cmd.CommandPath()+f.Say(" <commande>", " <command>")) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// useLine is cmd's command line as its Use says it, with "[options]" when it has flags.
func useLine(f *cliutil.Factory, cmd *cobra.Command) string {
	line := cmd.Use
	if cmd.HasParent() {
		line = cmd.Parent().CommandPath() + " " + line
	}
	if cmd.HasAvailableFlags() && !cmd.DisableFlagsInUseLine {
		line += " " + f.Say("[options]", "[flags]")
	}
	return line
}

// flagUsages lists the visible flags of fs: names and value, then the description with the
// default value when it is not the zero one, wrapped under itself.
func flagUsages(f *cliutil.Factory, fs *pflag.FlagSet) string {
	type row struct{ left, usage string }
	var rows []row
	width := 0
	fs.VisitAll(func(fl *pflag.Flag) {
		if fl.Hidden {
			return
		}
		left := "      --" + fl.Name
		if fl.Shorthand != "" && fl.ShorthandDeprecated == "" {
			left = "  -" + fl.Shorthand + ", --" + fl.Name
		}
		if name := cliutil.VarName(fl); name != "" {
			left += " " + name
		}
		usage := strings.Replace(strings.Replace(fl.Usage, "`", "", 1), "`", "", 1)
		if !zeroDefault(fl) {
			usage += f.Sayf(" (par défaut : %s)", " (default: %s)", fl.DefValue)
		}
		rows = append(rows, row{left, usage})
		width = max(width, utf8.RuneCountInString(left))
	})
	var b strings.Builder
	for _, r := range rows {
		pad := width + 3
		b.WriteString(r.left + strings.Repeat(" ", pad-utf8.RuneCountInString(r.left)))
		for i, line := range wrap(r.usage, max(lineWidth-pad, 40)) {
			if i > 0 {
				b.WriteString("\n" + strings.Repeat(" ", pad))
			}
			b.WriteString(line)
		}
		b.WriteString("\n")
	}
	return b.String()
}

// zeroDefault says whether a flag's default goes without saying (empty, zero, false).
func zeroDefault(fl *pflag.Flag) bool {
	switch fl.DefValue {
	case "", "0", "0s", "false", "[]", "<nil>":
		return true
	}
	return false
}

// wrap cuts s into lines of at most width runes, at ordinary spaces only: a non-breaking one
// keeps its words together.
func wrap(s string, width int) []string {
	var lines []string
	line := ""
	for _, word := range strings.Split(s, " ") {
		switch {
		case line == "":
			line = word
		case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) > width:
			lines = append(lines, line)
			line = word
		default:
			line += " " + word
		}
	}
	return append(lines, line)
}
