// Package initlab is `grade init <lab> [<dir>]`: it writes a lab's starter files.
package initlab

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/lab"
)

// Options are the command's inputs.
type Options struct {
	F        *cliutil.Factory
	Lab      string
	Dir      string // "" means a folder named after the lab
	Solution bool
}

// NewCmdInit builds `grade init <lab> [<dir>]`; runF replaces initRun in tests.
func NewCmdInit(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "init <lab> [<dir>]",
		Short: "Écrire les fichiers de départ d'un lab (sans jamais écraser un fichier)",
		Args:  cliutil.Args(1, 2),
		Example: "  $ grade init lab5\n" +
			"  $ grade init lab5 ~/ddlab/lab5\n" +
			"  $ grade-instructor init lab5 /tmp/lab5-solution --solution   # instructor build only",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Lab = args[0]
			if len(args) == 2 {
				opts.Dir = args[1]
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return initRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Solution, "solution", false, "write the reference solution over the starter (instructor build only)")
	return cmd
}

func initRun(_ context.Context, opts *Options) error {
	f := opts.F
	cat, err := f.Catalog()
	if err != nil {
		return err
	}
	spec, err := cat.Spec(opts.Lab)
	if err != nil {
		return cliutil.LabError(opts.Lab, err)
	}
	dir := opts.Dir
	if dir == "" {
		dir = spec.Lab
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return cliutil.FlagErrorf("impossible de créer le dossier du lab %[1]s (un fichier porte-t-il ce nom ?) / cannot create the lab folder %[1]s (is a file in the way?): %[2]v", dir, err)
	}
	var written, kept []string
	// The solution goes first: the starter then skips the files it replaces.
	if opts.Solution {
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
}
