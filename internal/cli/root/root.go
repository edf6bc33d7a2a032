// Package root assembles the `grade` command tree.
package root

import (
	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cli/batch"
	"github.com/ddlab/grade/internal/cli/describe"
	"github.com/ddlab/grade/internal/cli/doctor"
	"github.com/ddlab/grade/internal/cli/grade"
	"github.com/ddlab/grade/internal/cli/images"
	"github.com/ddlab/grade/internal/cli/initlab"
	"github.com/ddlab/grade/internal/cli/list"
	"github.com/ddlab/grade/internal/cli/merge"
	"github.com/ddlab/grade/internal/cli/validate"
	"github.com/ddlab/grade/internal/cliutil"
)

const long = `grade corrige les labs du cours « Docker Deep Dive » sur un vrai moteur Docker :
il construit votre Dockerfile, lance les conteneurs, observe leur comportement et explique,
en français, ce qui réussit, ce qui échoue et comment corriger.

Codes de sortie / exit codes:
  0    tous les contrôles obligatoires réussissent / all required checks passed
  1    corrigé, avec des échecs / graded with failures
  2    erreur d'utilisation ou de spécification de lab / usage or lab-spec error
  3    correction impossible (moteur Docker) / could not grade (engine)
  130  interrompu (Ctrl-C) / interrupted`

// NewCmdRoot builds the root command with one subcommand per lab of the course.
func NewCmdRoot(f *cliutil.Factory) (*cobra.Command, error) {
	cmd := &cobra.Command{
		Use:           "grade <command>",
		Short:         "Correcteur automatique des labs Docker Deep Dive",
		Long:          long,
		Version:       f.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Example:       "  $ grade list\n  $ grade init lab5 && cd lab5\n  $ grade lab5\n  $ grade lab5 --junit junit.xml --json grade.json",
	}
	cmd.PersistentFlags().StringVar(&f.EngineContext, "context", "",
		"Docker context `NAME` to grade on, as docker --context (default: DOCKER_HOST, DOCKER_CONTEXT, then docker context use)")
	cmd.AddGroup(&cobra.Group{ID: "labs", Title: "Labs:"})
	cmd.AddCommand(
		list.NewCmdList(f, nil),
		describe.NewCmdDescribe(f, nil),
		initlab.NewCmdInit(f, nil),
		doctor.NewCmdDoctor(f, nil),
		images.NewCmdImages(f, nil),
		validate.NewCmdValidate(f, nil),
		batch.NewCmdBatch(f, nil),
		merge.NewCmdMerge(f, nil),
	)
	cat, err := f.Catalog()
	if err != nil {
		return nil, err
	}
	for _, e := range cat.Labs {
		cmd.AddCommand(grade.NewCmdGrade(f, e, nil))
	}
	// "lab42" should suggest lab4, not all fourteen labs.
	cmd.SuggestionsMinimumDistance = 1
	cmd.SetFlagErrorFunc(cliutil.FlagParseError)
	return cmd, nil
}
