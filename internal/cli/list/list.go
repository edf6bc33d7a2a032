// Package list is `grade list`: the course's labs, which are gradable, and their points.
package list

import (
	"context"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
)

// Options are the command's inputs; the language is the factory's (the global --lang).
type Options struct {
	F *cliutil.Factory
}

// NewCmdList builds `grade list`; runF replaces listRun in tests.
func NewCmdList(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:     "list",
		Short:   f.Say("Lister les 14 labs, leurs points et ceux qui sont corrigeables", "List the 14 labs, their points and which ones can be graded"),
		Args:    cliutil.Args(0, 0),
		Example: "  $ grade list\n  $ grade list --lang en",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return listRun(cmd.Context(), opts)
		},
	}
	return cmd
}

func listRun(_ context.Context, opts *Options) error {
	f := opts.F
	lang := f.Lang()
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	reg, err := f.Graders()
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(f.IO.Out, 2, 4, 2, ' ', 0)
	head := "LAB\tCH.\tTITRE\tPOINTS\tÉTAT"
	ready, coming := "corrigeable", "à venir"
	if lang == "en" {
		head, ready, coming = "LAB\tCH.\tTITLE\tPOINTS\tSTATUS", "gradable", "coming"
	}
	fmt.Fprintln(tw, head)
	for _, e := range cat.Labs {
		points, state := "—", coming
		if _, ok := reg.Get(e.Lab); ok && e.Spec != nil {
			points, state = fmt.Sprintf("%g + %g bonus", e.Spec.MaxScore(), e.Spec.BonusPoints()), ready
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", e.Lab, e.Chapter, f.Text(e.Title), points, state)
	}
	return tw.Flush()
}
