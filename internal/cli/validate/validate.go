// Package validate is `grade validate`: load lab specs strictly and check them against the
// graders, as the project's tests do: the checks a spec names against those its grader runs,
// and its params against those the grader declares (type, required, range).
package validate

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
)

// Options are the command's inputs.
type Options struct {
	F     *cliutil.Factory
	Files []string // spec files; none means the embedded specs
}

// NewCmdValidate builds `grade validate [<labN.yaml>...]`; runF replaces validateRun in tests.
func NewCmdValidate(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	return &cobra.Command{
		Use: f.Say("validate [<labN.yaml>...]", "validate [<labN.yaml>...]"),
		Short: f.Say("Valider des spécifications de lab (schéma strict, points, vérifications, paramètres)",
			"Validate lab specs (strict schema, points, checks, parameters)"),
		Long: f.Say("Sans argument, valide les spécifications embarquées. Avec des fichiers, valide ceux-là :\n"+
			"un enseignant peut ainsi modifier les points, les indices ou les paramètres d'un lab et vérifier\n"+
			"son fichier. Chaque paramètre est comparé à ce que le correcteur du lab déclare (type, présence,\n"+
			"bornes) ; chaque erreur nomme le fichier et la clé.",
			"With no argument, validates the embedded specs. With files, validates those: an instructor can\n"+
				"thus change the points, hints or parameters of a lab and check the file. Each parameter is\n"+
				"compared with what the lab's grader declares (type, presence, bounds); each error names the\n"+
				"file and the key."),
		Args:    cliutil.Args(0, -1),
		Example: "  $ grade validate\n  $ grade validate ./lab5.yaml",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Files = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return validateRun(cmd.Context(), opts)
		},
	}
}

func validateRun(_ context.Context, opts *Options) error {
	f := opts.F
	reg, err := f.Graders()
	if err != nil {
		return err
	}
	var specs []*lab.Spec
	if len(opts.Files) == 0 {
		cat, err := f.Catalog()
		if err != nil {
			return cliutil.SpecError(err)
		}
		for _, e := range cat.Labs {
			if e.Spec != nil {
				specs = append(specs, e.Spec)
			}
		}
	}
	var errs []error
	for _, p := range opts.Files {
		b, err := os.ReadFile(p)
		if err != nil {
			return cliutil.FlagErrorf("impossible de lire %s (%s)", "cannot read %s (%s)", p, cliutil.Why(err))
		}
		s, err := lab.Parse(p, b)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		specs = append(specs, s)
	}
	// Every spec is checked, so one run lists every problem of every file.
	for _, s := range specs {
		g, ok := reg.Get(s.Lab)
		if !ok {
			errs = append(errs, cliutil.Errorf("%s : %s n'a pas de correcteur dans cette version de grade", "%s: %s has no grader in this build of grade", s.File, s.Lab))
			continue
		}
		if err := grader.CrossCheck(s, g); err != nil {
			errs = append(errs, err)
			continue
		}
		fmt.Fprintf(f.IO.Out, "✔ %s\n", f.Sayf("%s : %s, %g points + %g bonus", "%s: %s, %g points + %g bonus",
			s.Lab, f.Count(len(s.Checks), "vérification", "vérifications", "check", "checks"), s.MaxScore(), s.BonusPoints()))
	}
	if err := cliutil.JoinErrors(errs); err != nil {
		return cliutil.SpecError(err)
	}
	return nil
}
