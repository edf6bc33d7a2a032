package cliutil

import (
	"errors"
	"fmt"
	"io/fs"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/lab"
)

// said checks that err is a usage error whose French and English texts contain fr and en,
// and that each reads as its own language.
func said(t *testing.T, err error, fr, en string) {
	t.Helper()
	var fe *FlagError
	require.ErrorAs(t, err, &fe)
	assert.Contains(t, fe.In("fr"), fr)
	assert.Contains(t, fe.In("en"), en)
	assert.Empty(t, check.Foreign("fr", fe.In("fr")), fe.In("fr"))
	assert.Empty(t, check.Foreign("en", fe.In("en")), fe.In("en"))
	assert.NotContains(t, fe.In("en"), "\u00a0")
	assert.NotContains(t, fe.In("fr"), " :", "French typography: a non-breaking space before a colon")
}

func TestArgs(t *testing.T) {
	cmd := &cobra.Command{Use: "lab5"}
	tests := []struct {
		name     string
		min, max int
		n        int
		fr, en   string // "" when the count is fine
	}{
		{"fine", 0, 1, 1, "", ""},
		{"too many", 0, 1, 2, "lab5 attend au plus 1 argument (2 donnés)", "lab5 takes at most 1 argument (2 given)"},
		{"none wanted", 0, 0, 1, "lab5 n'attend aucun argument (1 donné)", "lab5 takes no argument (1 given)"},
		{"exactly two", 2, 2, 1, "attend 2 arguments (1 donné)", "takes 2 arguments (1 given)"},
		{"one or two", 1, 2, 0, "attend 1 ou 2 arguments (aucun donné)", "takes 1 or 2 arguments (none given)"},
		{"a range", 1, 3, 0, "attend de 1 à 3 arguments (aucun donné)", "takes 1 to 3 arguments (none given)"},
		{"at least", 1, -1, 0, "attend au moins 1 argument (aucun donné)", "takes at least 1 argument (none given)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Args(tt.min, tt.max)(cmd, make([]string, tt.n))
			if tt.fr == "" {
				assert.NoError(t, err)
				return
			}
			said(t, err, tt.fr, tt.en)
			assert.NotContains(t, err.Error(), "arg(s)")
		})
	}
}

func TestFlagParseError(t *testing.T) {
	newCmd := func() *cobra.Command {
		cmd := &cobra.Command{Use: "lab5", RunE: func(*cobra.Command, []string) error { return nil }}
		cmd.Flags().String("json", "", "write the report to `FILE`")
		cmd.Flags().Duration("timeout", 0, "time limit")
		cmd.Flags().IntP("jobs", "j", 1, "`N` at once")
		cmd.Flags().Bool("static", false, "static only")
		cmd.Flags().Var(&LangValue{}, "lang", "`LANG`")
		cmd.SetFlagErrorFunc(FlagParseError)
		return cmd
	}
	tests := []struct {
		args   []string
		fr, en string
	}{
		{[]string{"--colour"}, "lab5 ne connaît pas l'option --colour", "lab5 has no --colour flag"},
		{[]string{"--stati"}, "lab5 ne connaît pas l'option --stati\u00a0: vouliez-vous dire --static\u00a0?", "lab5 has no --stati flag: did you mean --static?"},
		{[]string{"-x"}, "lab5 ne connaît pas l'option -x", "lab5 has no -x flag"},
		{[]string{"--json"}, "l'option --json attend une valeur\u00a0: --json FILE", "the --json flag needs a value: --json FILE"},
		{[]string{"-j"}, "l'option --jobs attend une valeur", "the --jobs flag needs a value"},
		{[]string{"--timeout", "soon"}, "valeur «\u00a0soon\u00a0» invalide pour --timeout\u00a0: il faut une durée", `invalid value "soon" for --timeout: expected a duration`},
		{[]string{"-j", "abc"}, "il faut un nombre entier", "expected a whole number"},
		{[]string{"--static=maybe"}, "il faut true ou false", "expected true or false"},
		{[]string{"--lang", "de"}, "valeur «\u00a0de\u00a0» invalide pour --lang\u00a0: il faut fr ou en", `invalid value "de" for --lang: expected fr or en`},
		{[]string{"---x"}, "option mal formée\u00a0: ---x", "malformed flag: ---x"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.args), func(t *testing.T) {
			cmd := newCmd()
			cmd.SetArgs(tt.args)
			err := cmd.Execute()
			said(t, err, tt.fr, tt.en)
		})
	}
	said(t, FlagParseError(&cobra.Command{Use: "lab5"}, errors.New("something new")), "lab5\u00a0: option invalide", "lab5: invalid flag")
}

func TestUsageError(t *testing.T) {
	root := &cobra.Command{Use: "grade"}
	for _, name := range []string{"lab1", "lab4", "lab5", "list"} {
		root.AddCommand(&cobra.Command{Use: name, Run: func(*cobra.Command, []string) {}})
	}
	root.SuggestionsMinimumDistance = 1
	run := func(args ...string) (*cobra.Command, error) {
		root.SetArgs(args)
		root.SilenceErrors, root.SilenceUsage = true, true
		return root.ExecuteC()
	}
	t.Run("an unknown command, with suggestions", func(t *testing.T) {
		cmd, err := run("lab55")
		require.Error(t, err)
		said(t, UsageError(cmd, err), "commande inconnue «\u00a0lab55\u00a0»\u00a0: vouliez-vous dire lab5\u00a0?", `unknown command "lab55": did you mean lab5?`)
	})
	t.Run("several suggestions", func(t *testing.T) {
		cmd, err := run("lab")
		require.Error(t, err)
		said(t, UsageError(cmd, err), "vouliez-vous dire lab1, lab4 ou lab5\u00a0?", "did you mean lab1, lab4 or lab5?")
	})
	t.Run("no suggestion", func(t *testing.T) {
		cmd, err := run("frobnicate")
		require.Error(t, err)
		said(t, UsageError(cmd, err), "commande inconnue «\u00a0frobnicate\u00a0» (`grade list` donne les labs)", `unknown command "frobnicate"`)
	})
	t.Run("a required flag", func(t *testing.T) {
		said(t, UsageError(root, errors.New(`required flag(s) "out", "lab" not set`)), "grade\u00a0: il manque --out, --lab", "grade: missing --out, --lab")
	})
	t.Run("a usage error of grade's own", func(t *testing.T) {
		fe := FlagErrorf("a", "b")
		assert.Same(t, fe, error(UsageError(nil, fmt.Errorf("wrapped: %w", fe))))
	})
	t.Run("not a usage error", func(t *testing.T) {
		assert.Nil(t, UsageError(root, errors.New("the engine is gone")))
	})
}

func TestDecideLang(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	tests := []struct {
		name string
		args []string
		env  func(string) string
		want string
	}{
		{"nothing: French", nil, env(), "fr"},
		{"--lang en", []string{"lab5", "--lang", "en"}, env(), "en"},
		{"--lang=en", []string{"--lang=en", "list"}, env("LANG", "fr_FR.UTF-8"), "en"},
		{"--lang fr wins over LANG", []string{"list", "--lang", "fr"}, env("LANG", "en_US.UTF-8"), "fr"},
		{"the last --lang wins", []string{"--lang", "fr", "list", "--lang", "en"}, env(), "en"},
		{"LANG", []string{"--help"}, env("LANG", "en_US.UTF-8"), "en"},
		{"LC_ALL before LANG", nil, env("LC_ALL", "fr_CA.UTF-8", "LANG", "en_US.UTF-8"), "fr"},
		{"LC_MESSAGES before LANG", nil, env("LC_MESSAGES", "en_GB", "LANG", "fr_FR"), "en"},
		{"C is not English", nil, env("LANG", "C.UTF-8"), "fr"},
		{"a bad --lang: the environment", []string{"--lang", "de"}, env("LANG", "en_US"), "en"},
		{"after --, an argument", []string{"lab5", "--", "--lang", "en"}, env(), "fr"},
		{"--lang without a value", []string{"lab5", "--lang"}, env(), "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, DecideLang(tt.args, tt.env))
		})
	}
}

func TestSay(t *testing.T) {
	f := &Factory{}
	assert.Equal(t, "Voir\u00a0: grade «\u00a0lab5\u00a0»\u00a0?", f.Say("Voir : grade « lab5 » ?", "See"))
	assert.Equal(t, "fr", f.Lang(), "unset is French")
	f.Language = "en"
	assert.Equal(t, "See: x", f.Sayf("Voir : %s", "See: %s", "x"))
	assert.Equal(t, "it failed: not found", f.Sayf("échec : %s", "it failed: %s", Why(fmt.Errorf("open x: %w", fs.ErrNotExist))))

	for _, tt := range []struct {
		lang, want string
		n          int
	}{{"fr", "0 fichier", 0}, {"fr", "1 fichier", 1}, {"fr", "2 fichiers", 2}, {"en", "0 files", 0}, {"en", "1 file", 1}, {"en", "2 files", 2}} {
		assert.Equal(t, tt.want, Count(tt.lang, tt.n, "fichier", "fichiers", "file", "files"))
	}
}

func TestErrors(t *testing.T) {
	base := errors.New("dial unix /var/run/docker.sock: connect: no such file")
	err := Errorf("le moteur ne répond pas : %v", "the engine does not answer: %v", base)
	assert.ErrorIs(t, err, base, "the error argument is wrapped")
	assert.Equal(t, "le moteur ne répond pas\u00a0: "+base.Error(), Message(err, "fr"))
	assert.Equal(t, "the engine does not answer: "+base.Error(), Message(err, "en"))
	assert.Equal(t, Message(err, "fr"), err.Error(), "Error is the French text")
	assert.Equal(t, base.Error(), Message(base, "en"), "a plain error says itself")

	spec := SpecError(err)
	assert.ErrorIs(t, spec, ErrSpec)
	assert.Equal(t, Message(err, "en"), Message(spec, "en"))

	joined := JoinErrors([]error{Errorf("un", "one"), errors.New("raw")})
	assert.Equal(t, "one\nraw", Message(joined, "en"))
	assert.Equal(t, "un\nraw", Message(joined, "fr"))
	assert.Nil(t, JoinErrors(nil))

	said(t, LabError("lab42", fmt.Errorf("%w: lab42", lab.ErrUnknownLab)), "«\u00a0lab42\u00a0» n'est pas un lab du cours", `"lab42" is not a lab of the course`)
}

func TestLangValue(t *testing.T) {
	var v LangValue
	require.NoError(t, v.Set("en"))
	assert.Equal(t, "en", v.String())
	err := v.Set("english")
	require.Error(t, err)
	assert.Equal(t, "expected fr or en", Message(err, "en"))
}
