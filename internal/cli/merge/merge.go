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
		Use:   "merge <dir>...",
		Short: "Fusionner les résultats de grade batch --shard / merge the shards of a batch",
		Long: `Rassemble les dossiers de résultats de plusieurs « grade batch --shard i/N » dans --out et y
écrit les mêmes gradebooks et le même bilan HTML qu'une seule exécution sur toute la promotion.
Les réglages (lab, colonne, échéance) doivent être les mêmes dans chaque dossier, et chaque rendu
ne doit venir que d'un seul.`,
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
	cmd.Flags().StringVar(&opts.Out, "out", "grade-results", "merged results `DIR`")
	return cmd
}

func runMerge(_ context.Context, opts *Options) error {
	b, err := gradebook.Merge(opts.Out, opts.Shards)
	if err != nil {
		return cliutil.FlagErrorf("%v", err)
	}
	fmt.Fprintf(opts.F.IO.Out, "%d rendu(s) de %d dossier(s), %d corrigé(s), %d non corrigé(s)\n%s\n%s\n%s\n",
		len(b.Rows), len(opts.Shards), b.Graded, b.Errors,
		filepath.Join(opts.Out, gradebook.CanvasFile), filepath.Join(opts.Out, gradebook.MoodleFile), filepath.Join(opts.Out, gradebook.HTMLFile))
	if b.Errors > 0 {
		return &cliutil.ExitError{Code: cliutil.ExitFailed}
	}
	return nil
}
