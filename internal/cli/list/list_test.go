package list

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cli/clitest"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/lab"
)

func TestNewCmdList(t *testing.T) {
	tests := []struct {
		name     string
		cli      string
		wants    Options
		wantsErr string
	}{
		{name: "no argument", cli: "", wants: Options{}},
		{name: "an argument", cli: "lab5", wantsErr: "n'attend aucun argument (1 donné)"},
		{name: "unknown flag", cli: "--all", wantsErr: "unknown flag: --all"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := clitest.Factory(t)
			var got *Options
			cmd := NewCmdList(f, func(_ context.Context, o *Options) error { got = o; return nil })
			err := clitest.Execute(cmd, tt.cli)
			if tt.wantsErr != "" {
				require.ErrorContains(t, err, tt.wantsErr)
				assert.Nil(t, got, "runF must not run")
				return
			}
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Same(t, f, got.F)
			got.F = nil
			assert.Equal(t, tt.wants, *got)
		})
	}
}

func Test_listRun(t *testing.T) {
	tests := []struct {
		name       string
		lang       string
		catalogErr error
		wantOut    []string
		wantNotOut []string
		wantErr    string
		flagErr    bool
	}{
		{name: "French by default", wantOut: []string{
			"LAB   CH.  TITRE         POINTS         ÉTAT\n" +
				"lab1  1    Premier lab   100 + 5 bonus  corrigeable\n" +
				"lab2  2    Deuxième lab  —              à venir\n",
		}, wantNotOut: []string{"gradable"}},
		{name: "English", lang: "en", wantOut: []string{"TITLE", "STATUS", "First lab", "gradable", "Second lab", "coming"},
			wantNotOut: []string{"corrigeable"}},
		{name: "catalog unreadable", catalogErr: errors.New("catalog.yaml: line 3: bad"), wantErr: "catalog.yaml: line 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, _ := clitest.Factory(t)
			if tt.catalogErr != nil {
				f.Catalog = func() (*lab.Catalog, error) { return nil, tt.catalogErr }
			}
			f.Language = tt.lang
			err := listRun(context.Background(), &Options{F: f})
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				var fe *cliutil.FlagError
				assert.Equal(t, tt.flagErr, errors.As(err, &fe))
				return
			}
			require.NoError(t, err)
			for _, s := range tt.wantOut {
				assert.Contains(t, stdout.String(), s)
			}
			for _, s := range tt.wantNotOut {
				assert.NotContains(t, stdout.String(), s)
			}
		})
	}
}
