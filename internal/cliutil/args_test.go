package cliutil

import (
	"errors"
	"testing"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestArgs(t *testing.T) {
	cmd := &cobra.Command{Use: "lab5"}
	tests := []struct {
		name     string
		min, max int
		n        int
		want     []string
	}{
		{"fine", 0, 1, 1, nil},
		{"too many", 0, 1, 2, []string{"lab5 attend au plus 1 argument, pas 2 : voyez `lab5 --help`", "lab5 takes at most 1 argument, not 2"}},
		{"none wanted", 0, 0, 1, []string{"attend aucun argument, pas 1", "takes no argument"}},
		{"exactly two", 2, 2, 1, []string{"attend 2 arguments, pas 1", "takes 2 arguments"}},
		{"a range", 1, 2, 0, []string{"attend de 1 à 2 arguments, pas 0", "takes 1 to 2 arguments"}},
		{"at least", 1, -1, 0, []string{"attend au moins 1 argument, pas 0"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Args(tt.min, tt.max)(cmd, make([]string, tt.n))
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			var fe *FlagError
			require.ErrorAs(t, err, &fe)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.NotContains(t, err.Error(), "arg(s)")
		})
	}
}

func TestFlagParseError(t *testing.T) {
	cmd := &cobra.Command{Use: "lab5"}
	tests := map[string]string{
		"unknown flag: --colour":                                                    "option inconnue : --colour",
		"unknown shorthand flag: 'x' in -x":                                         "option courte inconnue : -x",
		"flag needs an argument: --json":                                            "l'option --json attend une valeur",
		"flag needs an argument: 'j' in -j":                                         "l'option -j attend une valeur",
		`invalid argument "abc" for "--timeout" flag: time: invalid duration "abc"`: "valeur « abc » invalide pour --timeout",
		"something new":                                                             "option invalide",
	}
	for in, want := range tests {
		err := FlagParseError(cmd, errors.New(in))
		var fe *FlagError
		require.ErrorAs(t, err, &fe, in)
		assert.Contains(t, err.Error(), want, in)
		assert.Contains(t, err.Error(), "voyez `lab5 --help`", in)
	}
}
