// Package describe is `grade describe <lab>`: the lab's instructions and every check.
package describe

import (
	"context"
	"fmt"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/lab"
)

// Options are the command's inputs; the language is the factory's (the global --lang).
type Options struct {
	F   *cliutil.Factory
	Lab string
}

// NewCmdDescribe builds `grade describe <lab>`; runF replaces describeRun in tests.
func NewCmdDescribe(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:     "describe <lab>",
		Short:   f.Say("Afficher les consignes d'un lab et ses vérifications", "Show a lab's instructions and its checks"),
		Args:    cliutil.Args(1, 1),
		Example: "  $ grade describe lab5\n  $ grade describe 5 --lang en",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Lab = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return describeRun(cmd.Context(), opts)
		},
	}
	return cmd
}

// kinds names each kind of check, in French then English.
var kinds = map[string][2]string{
	lab.Required: {"obligatoire", "required"},
	lab.Bonus:    {"bonus", "bonus"},
	lab.Gate:     {"préalable", "gate"},
}

// readmeEN is the English instructions of a lab, when its starter has them.
const readmeEN = "README.en.md"

func describeRun(_ context.Context, opts *Options) error {
	f := opts.F
	lang := f.Lang()
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	spec, err := cat.Spec(opts.Lab)
	if err != nil {
		return cliutil.LabError(opts.Lab, err)
	}
	out := f.IO.Out
	fmt.Fprintf(out, "%s — %s\n\n%s\n\n", spec.Lab, f.Text(spec.Title), f.Text(spec.Summary))
	width := 22
	for _, c := range spec.Checks {
		width = max(width, len(c.ID))
	}
	for _, c := range spec.Checks {
		k := kinds[c.Kind][0]
		if lang == "en" {
			k = kinds[c.Kind][1]
		}
		pts := fmt.Sprintf("%g pts", c.Points)
		if c.Kind == lab.Bonus {
			pts = fmt.Sprintf("+%g", c.Points)
		}
		fmt.Fprintf(out, "  %-*s %-8s %-12s %s\n", width, c.ID, pts, k, f.Text(c.Title))
	}
	fmt.Fprintln(out, f.Sayf("\nTotal : %g points + %g bonus", "\nTotal: %g points + %g bonus", spec.MaxScore(), spec.BonusPoints()))
	starter, err := cat.Starter(spec.Lab)
	if err != nil {
		return nil
	}
	// The starters' README.md is French; in English, a README.en.md if the lab has one, else
	// where the French one is.
	name := "README.md"
	if lang == "en" {
		name = readmeEN
	}
	readme, err := fs.ReadFile(starter, name)
	switch {
	case err == nil:
		fmt.Fprintf(out, "\n%s\n%s\n", strings.Repeat("─", 60), readme)
	case lang == "en":
		if _, err := fs.Stat(starter, "README.md"); err == nil {
			fmt.Fprintf(out, "\nThe full instructions are written in French: `grade init %[1]s` puts them in %[1]s/README.md.\n", spec.Lab)
		}
	}
	return nil
}
