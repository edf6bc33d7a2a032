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

// Options are the command's inputs.
type Options struct {
	F    *cliutil.Factory
	Lab  string
	Lang string
}

// NewCmdDescribe builds `grade describe <lab>`; runF replaces describeRun in tests.
func NewCmdDescribe(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:     "describe <lab>",
		Short:   "Afficher les consignes d'un lab et ses contrôles",
		Args:    cliutil.Args(1, 1),
		Example: "  $ grade describe lab5",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Lab = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return describeRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Lang, "lang", "", "language: fr or en")
	return cmd
}

// kinds names each kind of check, in French then English.
var kinds = map[string][2]string{
	lab.Required: {"obligatoire", "required"},
	lab.Bonus:    {"bonus", "bonus"},
	lab.Gate:     {"préalable", "gate"},
}

func describeRun(_ context.Context, opts *Options) error {
	f := opts.F
	lang, err := f.Lang(opts.Lang)
	if err != nil {
		return err
	}
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	spec, err := cat.Spec(opts.Lab)
	if err != nil {
		return cliutil.LabError(opts.Lab, err)
	}
	out := f.IO.Out
	fmt.Fprintf(out, "%s — %s\n\n%s\n\n", spec.Lab, spec.Title.In(lang), spec.Summary.In(lang))
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
		fmt.Fprintf(out, "  %-*s %-8s %-12s %s\n", width, c.ID, pts, k, c.Title.In(lang))
	}
	fmt.Fprintf(out, "\nTotal : %g points + %g bonus\n", spec.MaxScore(), spec.BonusPoints())
	if starter, err := cat.Starter(spec.Lab); err == nil {
		if readme, err := fs.ReadFile(starter, "README.md"); err == nil {
			fmt.Fprintf(out, "\n%s\n%s\n", strings.Repeat("─", 60), readme)
		}
	}
	return nil
}
