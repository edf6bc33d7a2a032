// Package list is `grade list`: the course's labs, which are gradable, and their points.
package list

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
)

// NewCmdList builds `grade list`.
func NewCmdList(f *cliutil.Factory) *cobra.Command {
	var langFlag string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Lister les 14 labs, leurs points et ceux qui sont corrigeables",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			lang, err := f.Lang(langFlag)
			if err != nil {
				return err
			}
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
				fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%s\n", e.Lab, e.Chapter, e.Title.In(lang), points, state)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&langFlag, "lang", "", "language: fr or en")
	return cmd
}
