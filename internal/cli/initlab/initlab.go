// Package initlab is `grade init <lab> [<dir>]`: it writes a lab's starter files.
package initlab

import (
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/lab"
)

// NewCmdInit builds `grade init <lab> [<dir>]`.
func NewCmdInit(f *cliutil.Factory) *cobra.Command {
	var solution bool
	cmd := &cobra.Command{
		Use:   "init <lab> [<dir>]",
		Short: "Écrire les fichiers de départ d'un lab (sans jamais écraser un fichier)",
		Args:  cobra.RangeArgs(1, 2),
		Example: "  $ grade init lab5\n" +
			"  $ grade init lab5 ~/ddlab/lab5\n" +
			"  $ grade-instructor init lab5 /tmp/lab5-solution --solution   # instructor build only",
		RunE: func(cmd *cobra.Command, args []string) error {
			cat, err := f.Catalog()
			if err != nil {
				return err
			}
			spec, err := cat.Spec(args[0])
			if err != nil {
				return cliutil.LabError(args[0], err)
			}
			dir := spec.Lab
			if len(args) == 2 {
				dir = args[1]
			}
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			var written, kept []string
			// The solution goes first: the starter then skips the files it replaces.
			if solution {
				sol, err := cat.Solution(spec.Lab)
				if errors.Is(err, lab.ErrNoSolution) {
					return cliutil.FlagErrorf("la solution de référence n'est livrée que dans la version enseignant de grade (grade-instructor, construit par `make build`) / " +
						"the reference solution ships only in the instructor build (grade-instructor, built by `make build`)")
				}
				if err != nil {
					return err
				}
				if written, kept, err = lab.WriteFiles(sol, dir); err != nil {
					return err
				}
			}
			starter, err := cat.Starter(spec.Lab)
			if err != nil {
				return err
			}
			w, k, err := lab.WriteFiles(starter, dir)
			if err != nil {
				return err
			}
			mine := map[string]bool{}
			for _, name := range written {
				mine[name] = true
			}
			for _, name := range k {
				if !mine[name] {
					kept = append(kept, name)
				}
			}
			written = append(written, w...)
			out := f.IO.Out
			fmt.Fprintf(out, "%s : %d fichier(s) écrit(s) dans %s\n", spec.Lab, len(written), dir)
			for _, k := range kept {
				fmt.Fprintf(out, "  conservé (existait déjà) : %s\n", k)
			}
			fmt.Fprintf(out, "Ensuite : cd %s && grade %s\n", dir, spec.Lab)
			return nil
		},
	}
	cmd.Flags().BoolVar(&solution, "solution", false, "write the reference solution over the starter (instructor build only)")
	return cmd
}
