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
		Use:   f.Say("init <lab> [<dossier>]", "init <lab> [<dir>]"),
		Short: f.Say("Écrire les fichiers de départ d'un lab (sans jamais écraser un fichier)", "Write a lab's starter files (never overwriting a file)"),
		Args:  cliutil.Args(1, 2),
		Example: "  $ grade init lab5\n" +
			"  $ grade init lab5 ~/ddlab/lab5\n" +
			"  $ grade-instructor init lab5 /tmp/lab5-solution --solution   # " + f.Say("version enseignant seulement", "instructor build only"),
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
	cmd.Flags().BoolVar(&opts.Solution, "solution", false, f.Say(
		"écrire la solution de référence par-dessus les fichiers de départ (version enseignant seulement)",
		"write the reference solution over the starter files (instructor build only)"))
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
		return cliutil.FlagErrorf("impossible de créer le dossier du lab %[1]s (%[2]s) : un fichier porte-t-il ce nom ?",
			"cannot create the lab folder %[1]s (%[2]s): is a file in the way?", dir, cliutil.Why(err))
	}
	var written, kept []string
	// The solution goes first: the starter then skips the files it replaces.
	if opts.Solution {
		sol, err := cat.Solution(spec.Lab)
		if errors.Is(err, lab.ErrNoSolution) {
			return cliutil.FlagErrorf("la solution de référence n'est livrée que dans la version enseignant de grade (grade-instructor, construite par `make build`)",
				"the reference solution ships only in grade's instructor build (grade-instructor, built by `make build`)")
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
	fmt.Fprintln(out, f.Sayf("%s : %s dans %s", "%s: %s to %s", spec.Lab,
		f.Count(len(written), "fichier écrit", "fichiers écrits", "file written", "files written"), dir))
	for _, k := range kept {
		fmt.Fprintln(out, f.Sayf("  conservé (existait déjà) : %s", "  kept (already there): %s", k))
	}
	fmt.Fprintln(out, f.Sayf("Ensuite : cd %s && grade %s", "Next: cd %s && grade %s", dir, spec.Lab))
	return nil
}
