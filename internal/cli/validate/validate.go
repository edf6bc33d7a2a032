// Package validate is `grade validate`: load lab specs strictly and check them against the
// graders, as the project's tests do.
package validate

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
)

// NewCmdValidate builds `grade validate [<lab.yaml>...]`.
func NewCmdValidate(f *cliutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "validate [<labN.yaml>...]",
		Short: "Valider des spécifications de lab (schéma strict, points, contrôles)",
		Long: "Sans argument, valide les spécifications embarquées. Avec des fichiers, valide ceux-là :\n" +
			"un enseignant peut ainsi modifier les points ou les indices d'un lab et vérifier son fichier.",
		Example: "  $ grade validate\n  $ grade validate ./lab5.yaml",
		RunE: func(cmd *cobra.Command, args []string) error {
			reg, err := f.Graders()
			if err != nil {
				return err
			}
			var specs []*lab.Spec
			if len(args) == 0 {
				cat, err := f.Catalog()
				if err != nil {
					return fmt.Errorf("%w: %w", cliutil.ErrSpec, err)
				}
				for _, e := range cat.Labs {
					if e.Spec != nil {
						specs = append(specs, e.Spec)
					}
				}
			}
			for _, p := range args {
				b, err := os.ReadFile(p)
				if err != nil {
					return cliutil.FlagErrorf("%v", err)
				}
				s, err := lab.Parse(p, b)
				if err != nil {
					return fmt.Errorf("%w: %w", cliutil.ErrSpec, err)
				}
				specs = append(specs, s)
			}
			for _, s := range specs {
				g, ok := reg.Get(s.Lab)
				if !ok {
					return fmt.Errorf("%w: %s has no grader", cliutil.ErrSpec, s.Lab)
				}
				if err := grader.CrossCheck(s, g); err != nil {
					return fmt.Errorf("%w: %w", cliutil.ErrSpec, err)
				}
				fmt.Fprintf(f.IO.Out, "✔ %s : %d contrôles, %g points + %g bonus\n", s.Lab, len(s.Checks), s.MaxScore(), s.BonusPoints())
			}
			return nil
		},
	}
}
