// Package root assembles the `grade` command tree, and says its help in the process's
// language.
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

const longFR = `grade corrige les labs du cours « Docker Deep Dive » sur un vrai moteur Docker : il
construit votre Dockerfile, lance les conteneurs, observe leur comportement et explique ce qui
réussit, ce qui échoue et comment corriger. Tout est dit en français, ou en anglais avec
--lang en (ou LANG=en_US.UTF-8).

Codes de sortie :
  0    toutes les vérifications obligatoires réussissent
  1    corrigé, avec des échecs
  2    erreur d'utilisation ou de spécification de lab
  3    correction impossible (moteur Docker injoignable ou en erreur)
  130  interrompu (Ctrl-C)`

const longEN = `grade grades the labs of the "Docker Deep Dive" course on a real Docker engine: it builds
your Dockerfile, runs the containers, watches how they behave and explains what passes, what
fails and how to fix it. Everything is said in French, or in English with --lang en (or
LANG=en_US.UTF-8).

Exit codes:
  0    all required checks passed
  1    graded, with failures
  2    usage or lab-spec error
  3    could not grade (Docker engine unreachable or failing)
  130  interrupted (Ctrl-C)`

// Group IDs of the root's help.
const (
	groupLabs  = "labs"
	groupTools = "tools"
)

// NewCmdRoot builds the root command with one subcommand per lab of the course, every text
// in f's language.
func NewCmdRoot(f *cliutil.Factory) (*cobra.Command, error) {
	cmd := &cobra.Command{
		Use:           f.Say("grade <commande>", "grade <command>"),
		Short:         f.Say("Correcteur automatique des labs Docker Deep Dive", "Automated grader for the Docker Deep Dive labs"),
		Long:          f.Say(longFR, longEN),
		Version:       f.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Example: "  $ grade list\n  $ grade init lab5 && cd lab5\n  $ grade lab5\n" +
			"  $ grade lab5 --junit junit.xml --json grade.json\n  $ grade lab5 --lang en",
	}
	pf := cmd.PersistentFlags()
	pf.StringVar(&f.EngineContext, "context", "", f.Say(
		"`NOM` du contexte Docker où corriger, comme docker --context (par défaut : DOCKER_HOST, DOCKER_CONTEXT, puis docker context use)",
		"Docker context `NAME` to grade on, as docker --context (default: DOCKER_HOST, DOCKER_CONTEXT, then docker context use)"))
	pf.Var(&cliutil.LangValue{}, "lang", f.Say(
		"`LANGUE` de tout ce qu'affiche grade : fr ou en (par défaut : en si LC_ALL, LC_MESSAGES ou LANG commence par en, sinon fr)",
		"`LANGUAGE` of everything grade prints: fr or en (default: en when LC_ALL, LC_MESSAGES or LANG starts with en, else fr)"))
	cmd.Flags().BoolP("version", "v", false, f.Say("afficher la version de grade", "show grade's version"))
	cmd.SetVersionTemplate(f.Say("grade, version {{.Version}}\n", "grade version {{.Version}}\n"))

	cmd.AddGroup(&cobra.Group{ID: groupLabs, Title: f.Say("Labs :", "Labs:")},
		&cobra.Group{ID: groupTools, Title: f.Say("Commandes :", "Commands:")})
	for _, c := range []*cobra.Command{
		list.NewCmdList(f, nil),
		describe.NewCmdDescribe(f, nil),
		initlab.NewCmdInit(f, nil),
		doctor.NewCmdDoctor(f, nil),
		images.NewCmdImages(f, nil),
		validate.NewCmdValidate(f, nil),
		batch.NewCmdBatch(f, nil),
		merge.NewCmdMerge(f, nil),
		newCmdCompletion(f),
	} {
		c.GroupID = groupTools
		cmd.AddCommand(c)
	}
	cat, err := f.Catalog()
	if err != nil {
		return nil, cliutil.SpecError(cliutil.Errorf("le catalogue des labs est illisible : %v", "the lab catalog cannot be read: %v", err))
	}
	for _, e := range cat.Labs {
		c := grade.NewCmdGrade(f, e, nil)
		c.GroupID = groupLabs
		cmd.AddCommand(c)
	}
	help := newCmdHelp(f)
	help.GroupID = groupTools
	cmd.SetHelpCommand(help)
	cmd.InitDefaultHelpCmd() // now, so that the tree is whole before it runs (the help flags below)

	// "lab42" should suggest lab4, not all fourteen labs.
	cmd.SuggestionsMinimumDistance = 1
	cmd.SetFlagErrorFunc(cliutil.FlagParseError)
	cmd.SetHelpFunc(func(c *cobra.Command, _ []string) { _ = writeHelp(f, c) })
	cmd.SetUsageFunc(func(c *cobra.Command) error { return writeUsage(f, c.OutOrStderr(), c) })
	addHelpFlags(f, cmd)
	return cmd, nil
}

// addHelpFlags gives cmd and every command below it a -h, --help in f's language, before cobra
// adds its English one.
func addHelpFlags(f *cliutil.Factory, cmd *cobra.Command) {
	if cmd.Flags().Lookup("help") == nil {
		cmd.Flags().BoolP("help", "h", false, f.Say("afficher cette aide", "show this help"))
	}
	for _, c := range cmd.Commands() {
		addHelpFlags(f, c)
	}
}

// newCmdHelp is `grade help [<command>]`, cobra's help command in f's language; an unknown
// topic is a usage error.
func newCmdHelp(f *cliutil.Factory) *cobra.Command {
	return &cobra.Command{
		Use:   f.Say("help [<commande>]", "help [<command>]"),
		Short: f.Say("Afficher l'aide de grade ou d'une commande", "Show the help of grade or of a command"),
		Long: f.Say("Affiche l'aide de grade, ou celle de la commande donnée : « grade help lab5 » est « grade lab5 --help ».",
			`Shows the help of grade, or of the given command: "grade help lab5" is "grade lab5 --help".`),
		Example: "  $ grade help\n  $ grade help batch",
		ValidArgsFunction: func(c *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			var out []cobra.Completion
			if len(args) == 0 {
				for _, sub := range c.Root().Commands() {
					if sub.IsAvailableCommand() {
						out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
					}
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(c *cobra.Command, args []string) error {
			cur := c.Root()
			for _, a := range args {
				next := subcommand(cur, a)
				if next == nil {
					return cliutil.UnknownCommand(cur, a)
				}
				cur = next
			}
			return writeHelp(f, cur)
		},
	}
}

func subcommand(cmd *cobra.Command, name string) *cobra.Command {
	for _, c := range cmd.Commands() {
		if c.Name() == name || c.HasAlias(name) {
			return c
		}
	}
	return nil
}

var shells = []string{"bash", "zsh", "fish", "powershell"}

// newCmdCompletion is `grade completion <shell>`, in place of cobra's English one.
func newCmdCompletion(f *cliutil.Factory) *cobra.Command {
	noDesc := false
	cmd := &cobra.Command{
		Use: "completion <shell>",
		Short: f.Say("Écrire le script d'autocomplétion de grade pour bash, zsh, fish ou powershell",
			"Write grade's completion script for bash, zsh, fish or powershell"),
		Long: f.Say(`Écrit sur la sortie standard le script qui complète, dans le shell donné, les commandes,
les labs et les options de grade. Pour l'essayer dans le shell courant :

  bash        source <(grade completion bash)
  zsh         source <(grade completion zsh)
  fish        grade completion fish | source
  powershell  grade completion powershell | Out-String | Invoke-Expression

Pour l'avoir dans chaque session, ajoutez la même ligne à ~/.bashrc, ~/.zshrc,
~/.config/fish/config.fish ou à votre profil PowerShell ($PROFILE). Sous zsh, la complétion
doit être activée (autoload -U compinit; compinit). Les descriptions suivent la langue de
grade (--lang, LANG).`, `Writes to stdout the script that completes grade's commands, labs and flags in the given
shell. To try it in the current shell:

  bash        source <(grade completion bash)
  zsh         source <(grade completion zsh)
  fish        grade completion fish | source
  powershell  grade completion powershell | Out-String | Invoke-Expression

To have it in every session, add the same line to ~/.bashrc, ~/.zshrc,
~/.config/fish/config.fish or your PowerShell profile ($PROFILE). Under zsh, completion must
be enabled (autoload -U compinit; compinit). Descriptions follow grade's language (--lang,
LANG).`),
		Example:   "  $ source <(grade completion bash)\n  $ grade completion zsh --no-descriptions",
		Args:      cliutil.Args(1, 1),
		ValidArgs: shells,
		RunE: func(c *cobra.Command, args []string) error {
			out, root := c.OutOrStdout(), c.Root()
			switch args[0] {
			case "bash":
				return root.GenBashCompletionV2(out, !noDesc)
			case "zsh":
				if noDesc {
					return root.GenZshCompletionNoDesc(out)
				}
				return root.GenZshCompletion(out)
			case "fish":
				return root.GenFishCompletion(out, !noDesc)
			case "powershell":
				if noDesc {
					return root.GenPowerShellCompletion(out)
				}
				return root.GenPowerShellCompletionWithDesc(out)
			}
			return cliutil.FlagErrorf("shell « %s » inconnu : bash, zsh, fish ou powershell", "unknown shell %q: bash, zsh, fish or powershell", args[0])
		},
	}
	cmd.Flags().BoolVar(&noDesc, "no-descriptions", false,
		f.Say("sans les descriptions des commandes et des options", "without the descriptions of commands and flags"))
	return cmd
}
