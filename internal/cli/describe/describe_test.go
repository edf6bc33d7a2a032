package describe

import (
	"context"
	"errors"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/cli/clitest"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/lab"
)

func TestNewCmdDescribe(t *testing.T) {
	tests := []struct {
		name     string
		cli      string
		wants    Options
		wantsErr string
	}{
		{name: "a lab", cli: "lab5", wants: Options{Lab: "lab5"}},
		{name: "a lab as a number", cli: "5", wants: Options{Lab: "5"}},
		{name: "no lab", cli: "", wantsErr: "attend 1 argument (aucun donné)"},
		{name: "two labs", cli: "lab1 lab2", wantsErr: "attend 1 argument (2 donnés)"},
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
		lang    string
		readme  string // an English README.en.md for the starter
		wantOut string
		wantErr string
	}{
		{name: "French", opts: Options{Lab: "lab1"}, wantOut: `lab1 — Premier lab

Le résumé.

  lab1.files             0 pts    préalable    Fichiers
  lab1.run               100 pts  obligatoire  Ça tourne
  lab1.extra             +5       bonus        En plus

` + "Total\u00a0: 100 points + 5 bonus" + `

────────────────────────────────────────────────────────────
# Consignes du lab 1

`},
		{name: "English, lab as a number", opts: Options{Lab: "1"}, lang: "en", wantOut: `lab1 — First lab

The summary.

  lab1.files             0 pts    gate         Files
  lab1.run               100 pts  required     It runs
  lab1.extra             +5       bonus        Extra

Total: 100 points + 5 bonus

The full instructions are written in French: ` + "`grade init lab1`" + ` puts them in lab1/README.md.
`},
		{name: "English, with English instructions", opts: Options{Lab: "lab1"}, lang: "en", readme: "# Lab 1 instructions\n", wantOut: `Total: 100 points + 5 bonus

────────────────────────────────────────────────────────────
# Lab 1 instructions
`},
		{name: "unknown lab", opts: Options{Lab: "lab42"}, wantErr: "«\u00a0lab42\u00a0» n'est pas un lab du cours"},
		{name: "lab not gradable yet", opts: Options{Lab: "lab2"}, wantErr: "lab2 n'est pas encore corrigeable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, _ := clitest.Factory(t)
			f.Language = tt.lang
			if tt.readme != "" {
				fsys := clitest.FS()
				fsys["lab1/_starter/README.en.md"] = &fstest.MapFile{Data: []byte(tt.readme)}
				f.Catalog = func() (*lab.Catalog, error) { return lab.Load(fsys) }
			}
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
			if tt.lang == "en" {
				assert.Empty(t, check.Foreign("en", stdout.String()))
				assert.NotContains(t, stdout.String(), "Consignes", "the French README is not shown in English")
			}
		})
	}
}
