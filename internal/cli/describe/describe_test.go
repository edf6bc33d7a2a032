package describe

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cli/clitest"
	"github.com/ddlab/grade/internal/cliutil"
)

func TestNewCmdDescribe(t *testing.T) {
	tests := []struct {
		name     string
		cli      string
		wants    Options
		wantsErr string
	}{
		{name: "a lab", cli: "lab5", wants: Options{Lab: "lab5"}},
		{name: "a lab in English", cli: "5 --lang en", wants: Options{Lab: "5", Lang: "en"}},
		{name: "no lab", cli: "", wantsErr: "attend 1 argument, pas 0"},
		{name: "two labs", cli: "lab1 lab2", wantsErr: "attend 1 argument, pas 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := clitest.Factory(t)
			var got *Options
			cmd := NewCmdDescribe(f, func(_ context.Context, o *Options) error { got = o; return nil })
			err := clitest.Execute(cmd, tt.cli)
			if tt.wantsErr != "" {
				require.ErrorContains(t, err, tt.wantsErr)
				assert.Nil(t, got, "runF must not run")
				return
			}
			require.NoError(t, err)
			require.NotNil(t, got)
			got.F = nil
			assert.Equal(t, tt.wants, *got)
		})
	}
}

func Test_describeRun(t *testing.T) {
	tests := []struct {
		name    string
		opts    Options
		wantOut string
		wantErr string
	}{
		{name: "French", opts: Options{Lab: "lab1"}, wantOut: `lab1 — Premier lab

Le résumé.

  lab1.files             0 pts    préalable    Fichiers
  lab1.run               100 pts  obligatoire  Ça tourne
  lab1.extra             +5       bonus        En plus

Total : 100 points + 5 bonus

────────────────────────────────────────────────────────────
# Consignes du lab 1

`},
		{name: "English, lab as a number", opts: Options{Lab: "1", Lang: "en"}, wantOut: `lab1 — First lab

The summary.

  lab1.files             0 pts    gate         Files
  lab1.run               100 pts  required     It runs
  lab1.extra             +5       bonus        Extra
`},
		{name: "unknown lab", opts: Options{Lab: "lab42"}, wantErr: `"lab42" n'est pas un lab du cours`},
		{name: "lab not gradable yet", opts: Options{Lab: "lab2"}, wantErr: "lab2 n'est pas encore corrigeable"},
		{name: "bad language", opts: Options{Lab: "lab1", Lang: "it"}, wantErr: `--lang: "it"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, _ := clitest.Factory(t)
			opts := tt.opts
			opts.F = f
			err := describeRun(context.Background(), &opts)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				var fe *cliutil.FlagError
				assert.True(t, errors.As(err, &fe), "a usage error: exit 2")
				return
			}
			require.NoError(t, err)
			assert.Contains(t, stdout.String(), tt.wantOut)
		})
	}
}
