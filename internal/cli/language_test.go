package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/cli/root"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/labs"
)

// commandPaths lists the arguments that name each command of the tree, the root ([]) first;
// hidden commands (cobra's __complete) are left out.
func commandPaths(t *testing.T, lang string) [][]string {
	t.Helper()
	f, _, _ := newFactory(t, noEngine(t))
	f.Language = lang
	cmd, err := root.NewCmdRoot(f)
	require.NoError(t, err)
	var paths [][]string
	var walk func(c *cobra.Command, path []string)
	walk = func(c *cobra.Command, path []string) {
		paths = append(paths, path)
		for _, sub := range c.Commands() {
			if !sub.Hidden {
				walk(sub, append(append([]string{}, path...), sub.Name()))
			}
		}
	}
	walk(cmd, nil)
	require.Greater(t, len(paths), 20, "the labs, the tools, help and completion")
	return paths
}

// langRun runs grade in lang, chosen the way way says: "flag" (--lang after the arguments),
// "first" (--lang before them), "flag=" (--lang=…, before them), "env" (LANG) or "" (nothing:
// French).
func langRun(t *testing.T, way, lang string, args ...string) (int, string, string) {
	t.Helper()
	f, stdout, stderr := newFactory(t, noEngine(t))
	switch way {
	case "flag":
		args = append(append([]string{}, args...), "--lang", lang)
	case "first":
		args = append([]string{"--lang", lang}, args...)
	case "flag=":
		args = append([]string{"--lang=" + lang}, args...)
	case "env":
		locale := map[string]string{"en": "en_US.UTF-8", "fr": "fr_FR.UTF-8"}[lang]
		f.Getenv = func(k string) string {
			if k == "LANG" {
				return locale
			}
			return ""
		}
	}
	code := Run(context.Background(), f, args)
	return code, stdout.String(), stderr.String()
}

// assertOneLanguage fails when text holds words of the other language, or the other
// language's typography.
func assertOneLanguage(t *testing.T, lang, text string) {
	t.Helper()
	assert.Empty(t, check.Foreign(lang, text), "words of the other language in:\n%s", text)
	if lang == "en" {
		assert.NotContains(t, text, "\u00a0", "French typography in English")
		return
	}
	for _, s := range []string{" :", " ;", " ?", " !", "« ", " »"} {
		assert.NotContains(t, text, s, "French typography: a non-breaking space in %q", s)
	}
}

// TestHelpOneLanguage renders the help of the root and of every command, in French and in
// English, the language chosen by --lang or by LANG, and finds each wholly in one language:
// cobra's English headings and messages included.
func TestHelpOneLanguage(t *testing.T) {
	headings := map[string][]string{
		"fr": {"Utilisation\u00a0:", "Options\u00a0:"},
		"en": {"Usage:", "Flags:"},
	}
	foreign := map[string][]string{
		"fr": {"Usage:", "Flags:", "Global Flags:", "Available Commands:", "Additional Commands:", "[flags]", "[command]", "(default",
			"for more information", "help for", "Examples:", "Aliases:", "Labs:\n"},
		"en": {"Utilisation", "Exemples", "Options", "Commandes", "par défaut", "Labs :", "aide"},
	}
	for _, tc := range []struct{ lang, way string }{{"fr", ""}, {"fr", "flag"}, {"en", "flag"}, {"en", "env"}, {"en", "flag="}} {
		for _, path := range commandPaths(t, tc.lang) {
			name := strings.Join(append([]string{"grade"}, path...), " ")
			t.Run(tc.lang+"/"+tc.way+"/"+name, func(t *testing.T) {
				code, out, errOut := langRun(t, tc.way, tc.lang, append(path, "--help")...)
				require.Equal(t, cliutil.ExitOK, code, errOut)
				assert.Empty(t, errOut)
				for _, h := range headings[tc.lang] {
					assert.Contains(t, out, h)
				}
				for _, s := range foreign[tc.lang] {
					assert.NotContains(t, out, s)
				}
				assertOneLanguage(t, tc.lang, out)
				if tc.way != "" {
					return
				}
				// `grade help X` says the same as `grade X --help`.
				code, viaHelp, _ := langRun(t, tc.way, tc.lang, append([]string{"help"}, path...)...)
				require.Equal(t, cliutil.ExitOK, code)
				assert.Equal(t, out, viaHelp)
			})
		}
	}
}

// TestHelpRoot: the root's help lists the labs under their localised heading and titles, and
// the exit codes.
func TestHelpRoot(t *testing.T) {
	_, fr, _ := langRun(t, "", "fr", "--help")
	assert.Contains(t, fr, "Labs\u00a0:\n  lab1 ")
	assert.Contains(t, fr, "Corriger le lab 5\u00a0: Écrire un bon Dockerfile")
	assert.Contains(t, fr, "Commandes\u00a0:\n")
	assert.Contains(t, fr, "  completion ")
	assert.Contains(t, fr, "  help ")
	assert.Contains(t, fr, "Codes de sortie\u00a0:\n  0    toutes les vérifications obligatoires réussissent")
	_, en, _ := langRun(t, "env", "en", "--help")
	assert.Contains(t, en, "Labs:\n  lab1 ")
	assert.Contains(t, en, "Grade lab 5: Writing a good Dockerfile")
	assert.Contains(t, en, "Exit codes:\n  0    all required checks passed")
	assert.Contains(t, en, "Usage:\n  grade <command> [flags]\n")

	for lang, want := range map[string]string{"fr": "grade, version 1.0.0-test\n", "en": "grade version 1.0.0-test\n"} {
		code, out, _ := langRun(t, "flag", lang, "--version")
		assert.Equal(t, cliutil.ExitOK, code)
		assert.Equal(t, want, out)
	}
}

// TestFlagsNamed: every flag that takes a value names it in its usage (`FILE`), in both
// languages, so that the help never falls back on pflag's English type names ("string",
// "duration"); and every command and flag is described.
func TestFlagsNamed(t *testing.T) {
	for _, lang := range []string{"fr", "en"} {
		f, _, _ := newFactory(t, noEngine(t))
		f.Language = lang
		cmd, err := root.NewCmdRoot(f)
		require.NoError(t, err)
		var walk func(c *cobra.Command)
		walk = func(c *cobra.Command) {
			assert.NotEmpty(t, c.Short, c.CommandPath())
			c.LocalFlags().VisitAll(func(fl *pflag.Flag) {
				assert.NotEmpty(t, fl.Usage, "%s --%s", c.CommandPath(), fl.Name)
				if fl.NoOptDefVal == "" {
					assert.Equal(t, 2, strings.Count(fl.Usage, "`"), "%s --%s: name the value in backquotes: %q", c.CommandPath(), fl.Name, fl.Usage)
				}
			})
			for _, sub := range c.Commands() {
				if !sub.Hidden {
					walk(sub)
				}
			}
		}
		walk(cmd)
	}
}

// TestUsageErrors: a usage error says one line in the chosen language, then points at the help
// of the command it is about, and exits 2.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		help   string // the command whose help the second line names
		fr, en string // in the first line
	}{
		{"an unknown command, with a suggestion", []string{"lab55"}, "grade",
			"commande inconnue «\u00a0lab55\u00a0»\u00a0: vouliez-vous dire lab5\u00a0?", `unknown command "lab55": did you mean lab5?`},
		{"an unknown command", []string{"frobnicate"}, "grade", "commande inconnue «\u00a0frobnicate\u00a0»", `unknown command "frobnicate"`},
		{"too many arguments", []string{"lab5", "a", "b"}, "grade lab5",
			"grade lab5 attend au plus 1 argument (2 donnés)", "grade lab5 takes at most 1 argument (2 given)"},
		{"an argument too many", []string{"list", "lab5"}, "grade list", "grade list n'attend aucun argument (1 donné)", "grade list takes no argument (1 given)"},
		{"an argument missing", []string{"describe"}, "grade describe", "grade describe attend 1 argument (aucun donné)", "grade describe takes 1 argument (none given)"},
		{"an unknown flag", []string{"lab5", "--colour"}, "grade lab5", "grade lab5 ne connaît pas l'option --colour", "grade lab5 has no --colour flag"},
		{"an unknown flag, with a suggestion", []string{"batch", "lab5", "x", "--regarde"}, "grade batch",
			"vouliez-vous dire --regrade\u00a0?", "did you mean --regrade?"},
		{"an unknown flag of the root", []string{"--frobnicate"}, "grade", "grade ne connaît pas l'option --frobnicate", "grade has no --frobnicate flag"},
		{"a bad --lang", []string{"lab5", "--lang", "de"}, "grade lab5",
			"valeur «\u00a0de\u00a0» invalide pour --lang\u00a0: il faut fr ou en", `invalid value "de" for --lang: expected fr or en`},
		{"a flag without its value", []string{"batch", "lab5", "x", "--out"}, "grade batch",
			"l'option --out attend une valeur\u00a0: --out DOSSIER", "the --out flag needs a value: --out DIR"},
		{"a bad flag value", []string{"batch", "lab5", "x", "-j", "abc"}, "grade batch",
			"valeur «\u00a0abc\u00a0» invalide pour --jobs\u00a0: il faut un nombre entier", `invalid value "abc" for --jobs: expected a whole number`},
		{"a bad duration", []string{"lab5", "--timeout", "soon"}, "grade lab5", "il faut une durée comme 90s", "expected a duration such as 90s"},
		{"a help topic that is no command", []string{"help", "lab55"}, "grade help", "commande inconnue «\u00a0lab55\u00a0»", `unknown command "lab55"`},
		{"a shell completion cannot write", []string{"completion", "tcsh"}, "grade completion", "shell «\u00a0tcsh\u00a0» inconnu", `unknown shell "tcsh"`},
		{"an unknown lab", []string{"describe", "lab42"}, "grade describe", "«\u00a0lab42\u00a0» n'est pas un lab du cours", `"lab42" is not a lab of the course`},
		{"a bad -j", []string{"batch", "lab5", ".", "-j", "0"}, "grade batch", "-j\u00a0: 0 n'est pas un nombre", "-j: 0 is not a number"},
	}
	for _, tt := range tests {
		for _, way := range []string{"", "first", "env"} {
			lang, want, see := "fr", tt.fr, "Voir\u00a0: "
			prefix := "grade\u00a0: "
			if way != "" {
				lang, want, see, prefix = "en", tt.en, "See: ", "grade: "
			}
			if way == "first" && tt.name == "a bad --lang" {
				continue // its own --lang
			}
			t.Run(tt.name+"/"+lang+"/"+way, func(t *testing.T) {
				code, out, errOut := langRun(t, way, lang, tt.args...)
				assert.Equal(t, cliutil.ExitUsage, code)
				assert.Empty(t, out)
				lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
				require.Len(t, lines, 2, errOut)
				assert.True(t, strings.HasPrefix(lines[0], prefix), lines[0])
				assert.Contains(t, lines[0], want)
				assert.Equal(t, see+tt.help+" --help", lines[1])
				assertOneLanguage(t, lang, errOut)
			})
		}
	}
}

// TestMessagesOneLanguage: what the commands other than grading print, on stdout and stderr,
// reads as the chosen language.
func TestMessagesOneLanguage(t *testing.T) {
	tests := []struct {
		name string
		args func(dir string) []string
		exit int
		fr   []string
		en   []string
	}{
		{"list", func(string) []string { return []string{"list"} }, 0, []string{"corrigeable"}, []string{"gradable"}},
		{"describe", func(string) []string { return []string{"describe", "lab5"} }, 0,
			[]string{"Total\u00a0: 100 points"}, []string{"Total: 100 points", "`grade init lab5` puts them in lab5/README.md"}},
		{"validate", func(string) []string { return []string{"validate"} }, 0, []string{"✔ lab5\u00a0: 15 vérifications"}, []string{"✔ lab5: 15 checks"}},
		{"init", func(dir string) []string { return []string{"init", "lab5", filepath.Join(dir, "lab5")} }, 0,
			[]string{"fichiers écrits dans", "Ensuite\u00a0: cd "}, []string{"files written to", "Next: cd "}},
		{"init again", func(dir string) []string {
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "lab5"), 0o755))
			require.NoError(t, os.WriteFile(filepath.Join(dir, "lab5", "Dockerfile"), []byte("FROM scratch\n"), 0o644))
			return []string{"init", "lab5", filepath.Join(dir, "lab5")}
		}, 0, []string{"conservé (existait déjà)\u00a0: Dockerfile"}, []string{"kept (already there): Dockerfile"}},
		{"init into a file", func(dir string) []string {
			require.NoError(t, os.WriteFile(filepath.Join(dir, "file"), nil, 0o644))
			return []string{"init", "lab5", filepath.Join(dir, "file", "lab5")}
		}, cliutil.ExitUsage, []string{"impossible de créer le dossier du lab"}, []string{"cannot create the lab folder"}},
		{"a lab folder that does not exist", func(dir string) []string { return []string{"lab5", filepath.Join(dir, "nowhere"), "--static"} },
			cliutil.ExitUsage, []string{"créez le dossier du lab avec `grade init lab5 "}, []string{"create the lab folder with `grade init lab5 "}},
		{"a spec for another lab", func(dir string) []string {
			b, err := labs.FS.ReadFile("lab6.yaml")
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join(dir, "spec.yaml"), b, 0o644))
			require.NoError(t, os.MkdirAll(filepath.Join(dir, "lab5"), 0o755))
			return []string{"lab5", filepath.Join(dir, "lab5"), "--static", "--spec", filepath.Join(dir, "spec.yaml")}
		}, cliutil.ExitUsage, []string{"spécification de lab invalide\u00a0: ", "décrit lab6, pas lab5"}, []string{"invalid lab spec: ", "describes lab6, not lab5"}},
	}
	for _, tt := range tests {
		for _, lang := range []string{"fr", "en"} {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				code, out, errOut := langRun(t, "flag", lang, tt.args(t.TempDir())...)
				assert.Equal(t, tt.exit, code, "stdout:\n%s\nstderr:\n%s", out, errOut)
				all := out + errOut
				want := tt.fr
				if lang == "en" {
					want = tt.en
				}
				for _, s := range want {
					assert.Contains(t, all, s)
				}
				if tt.name == "describe" && lang == "fr" {
					all, _, _ = strings.Cut(all, "────") // the lab's README follows, as the student will read it
				}
				assertOneLanguage(t, lang, all)
			})
		}
	}
}

// TestEngineErrorsOneLanguage: an engine that cannot be reached is said in the chosen
// language, its own error after the sentence.
func TestEngineErrorsOneLanguage(t *testing.T) {
	for lang, want := range map[string]string{
		"fr": "grade\u00a0: le moteur Docker est injoignable (docker engine unavailable)\u00a0: démarrez Docker",
		"en": "grade: the Docker engine is unreachable (docker engine unavailable): start Docker",
	} {
		f, _, stderr := newFactory(t, unavailable)
		code := Run(context.Background(), f, []string{"images", "check", "--lang", lang})
		assert.Equal(t, cliutil.ExitEngine, code)
		assert.Contains(t, stderr.String(), want)
		assert.Equal(t, 1, strings.Count(stderr.String(), "\n"), stderr.String())
	}
}

// TestExitCode: what exitCode says for each kind of error, in each language, and the code.
func TestExitCode(t *testing.T) {
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		err    error
		code   int
		fr, en string
	}{
		{"reported already", context.Background(), &cliutil.ExitError{Code: 1}, 1, "", ""},
		{"interrupted", canceled, errors.New("context canceled"), cliutil.ExitInterrupted, "grade\u00a0: interrompu\n", "grade: interrupted\n"},
		{"a spec error", context.Background(), cliutil.SpecError(cliutil.Errorf("x.yaml décrit lab6", "x.yaml describes lab6")), cliutil.ExitUsage,
			"grade\u00a0: spécification de lab invalide\u00a0: x.yaml décrit lab6\n", "grade: invalid lab spec: x.yaml describes lab6\n"},
		{"spec errors", context.Background(), cliutil.SpecError(cliutil.JoinErrors([]error{cliutil.Errorf("un", "one"), cliutil.Errorf("deux", "two")})),
			cliutil.ExitUsage, "grade\u00a0: spécification de lab invalide\u00a0:\n  un\n  deux\n", "grade: invalid lab spec:\n  one\n  two\n"},
		{"anything else", context.Background(), errors.New("disk on fire"), cliutil.ExitEngine, "grade\u00a0: échec\u00a0: disk on fire\n", "grade: failed: disk on fire\n"},
		{"anything else, said in both languages", context.Background(), cliutil.Errorf("le disque brûle", "the disk is on fire"), cliutil.ExitEngine,
			"grade\u00a0: échec\u00a0: le disque brûle\n", "grade: failed: the disk is on fire\n"},
	}
	for _, tt := range tests {
		for _, lang := range []string{"fr", "en"} {
			t.Run(tt.name+"/"+lang, func(t *testing.T) {
				f, _, stderr := newFactory(t, noEngine(t))
				f.Language = lang
				assert.Equal(t, tt.code, exitCode(tt.ctx, f, nil, tt.err))
				want := tt.fr
				if lang == "en" {
					want = tt.en
				}
				assert.Equal(t, want, stderr.String())
			})
		}
	}
}
