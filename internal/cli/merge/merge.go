// Package merge is the `grade merge DIR...` command: it gathers the results folders of the
// shards of a class into one, with the same gradebooks and class report as one batch run.
package merge

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/gradebook"
)

// Options are the command's inputs.
type Options struct {
	F      *cliutil.Factory
	Shards []string
	Out    string
}

// NewCmdMerge builds `grade merge DIR...`.
func NewCmdMerge(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   f.Say("merge <dossier>...", "merge <dir>..."),
		Short: f.Say("Fusionner les résultats de plusieurs « grade batch --shard »", `Merge the results of several "grade batch --shard" runs`),
		Long: f.Say(`Rassemble les dossiers de résultats de plusieurs « grade batch --shard i/N » dans --out et y
écrit les mêmes gradebooks et le même bilan HTML qu'une seule exécution sur toute la promotion.
Les réglages (lab, colonne, échéance) doivent être les mêmes dans chaque dossier, et chaque rendu
ne doit venir que d'un seul.`, `Gathers the results folders of several "grade batch --shard i/N" runs into --out and writes
there the same gradebooks and the same HTML class report as one run over the whole class would.
The settings (lab, column, deadline) must be the same in every folder, and each submission must
come from one folder only.`),
		Args:    cliutil.Args(1, -1),
		Example: "  $ grade merge shard-0 shard-1 shard-2 --out results",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Shards = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runMerge(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Out, "out", "grade-results", f.Say("`DOSSIER` des résultats fusionnés", "`DIR` of the merged results"))
	return cmd
}

func runMerge(_ context.Context, opts *Options) error {
	f := opts.F
	b, err := gradebook.Merge(opts.Out, opts.Shards)
	if err != nil {
		return cliutil.FlagErrorf("impossible de fusionner ces dossiers : %v", "cannot merge these folders: %v", err)
	}
	fmt.Fprintf(f.IO.Out, "%s\n%s\n%s\n%s\n",
		f.Sayf("%s de %s : %s, %s", "%s from %s: %s, %s",
			f.Count(len(b.Rows), "rendu", "rendus", "submission", "submissions"),
			f.Count(len(opts.Shards), "dossier", "dossiers", "folder", "folders"),
			f.Count(b.Graded, "corrigé", "corrigés", "graded", "graded"),
			f.Count(b.Errors, "non corrigé", "non corrigés", "not graded", "not graded")),
		filepath.Join(opts.Out, gradebook.CanvasFile), filepath.Join(opts.Out, gradebook.MoodleFile), filepath.Join(opts.Out, gradebook.HTMLFile))
	if b.Errors > 0 {
		return &cliutil.ExitError{Code: cliutil.ExitFailed}
	}
	return nil
}
