package validate

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cli/clitest"
	"github.com/ddlab/grade/internal/cliutil"
)

func TestNewCmdValidate(t *testing.T) {
	tests := []struct {
		name  string
		cli   string
		wants []string
	}{
		{name: "embedded specs", cli: "", wants: []string{}},
		{name: "files", cli: "a/lab5.yaml b/lab6.yaml", wants: []string{"a/lab5.yaml", "b/lab6.yaml"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := clitest.Factory(t)
			var got *Options
			cmd := NewCmdValidate(f, func(_ context.Context, o *Options) error { got = o; return nil })
			require.NoError(t, clitest.Execute(cmd, tt.cli))
			require.NotNil(t, got)
			assert.Same(t, f, got.F)
			assert.Equal(t, tt.wants, got.Files)
		})
	}
}

func Test_validateRun(t *testing.T) {
	tests := []struct {
		name     string
		lang     string
		spec     string // written to lab1.yaml and validated; "" validates the embedded specs
		wantOut  string
		wantErrs []string // each in the error; none when valid
	}{
		{name: "embedded specs", wantOut: "✔ lab1\u00a0: 3 vérifications, 100 points + 5 bonus\n"},
		{name: "a valid file", spec: clitest.Spec, wantOut: "✔ lab1\u00a0: 3 vérifications, 100 points + 5 bonus\n"},
		{name: "in English", lang: "en", wantOut: "✔ lab1: 3 checks, 100 points + 5 bonus\n"},
		{name: "port not a number", spec: strings.Replace(clitest.Spec, `port: "8081"`, `port: "http"`, 1),
			wantErrs: []string{"lab1.yaml : params.port : « http » n'est pas un nombre entier"}},
		{name: "port out of range", spec: strings.Replace(clitest.Spec, `port: "8081"`, `port: "80810"`, 1),
			wantErrs: []string{"lab1.yaml : params.port : 80810 n'est pas entre 1 et 65535"}},
		{name: "port missing, a typo instead", spec: strings.Replace(clitest.Spec, `port: "8081"`, `prot: "8081"`, 1),
			wantErrs: []string{"lab1.yaml : params.port manque", "lab1.yaml : params.prot : paramètre inconnu de lab1"}},
		{name: "common param with a bad value", spec: strings.Replace(clitest.Spec, `port: "8081"`, "port: \"8081\"\n  context-max: \"lots\"", 1),
			wantErrs: []string{"params.context-max : « lots » n'est pas une taille"}},
		{name: "a check the grader does not run", spec: strings.Replace(clitest.Spec, "id: lab1.extra", "id: lab1.more", 1),
			wantErrs: []string{"check lab1.extra has no entry in the spec", "spec entry lab1.more has no check"}},
		{name: "a spec that does not parse", spec: strings.Replace(clitest.Spec, "bonusCap: 5", "bonusCap: 5\nfoo: 1", 1),
			wantErrs: []string{"lab1.yaml", "field foo not found"}},
		{name: "a lab without a grader", spec: strings.NewReplacer("lab: lab1", "lab: lab2", "lab1.", "lab2.").Replace(clitest.Spec),
			wantErrs: []string{"lab2 n'a pas de correcteur dans cette version de grade"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, _ := clitest.Factory(t)
			f.Language = tt.lang
			opts := &Options{F: f}
			if tt.spec != "" {
				p := filepath.Join(t.TempDir(), "lab1.yaml")
				require.NoError(t, os.WriteFile(p, []byte(tt.spec), 0o644))
				opts.Files = []string{p}
			}
			err := validateRun(context.Background(), opts)
			if len(tt.wantErrs) == 0 {
				require.NoError(t, err)
				assert.Equal(t, tt.wantOut, stdout.String())
				return
			}
			require.Error(t, err)
			assert.ErrorIs(t, err, cliutil.ErrSpec, "a spec error: exit 2")
			for _, w := range tt.wantErrs {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func Test_validateRunMissingFile(t *testing.T) {
	f, _, _ := clitest.Factory(t)
	err := validateRun(context.Background(), &Options{F: f, Files: []string{"/nonexistent/lab5.yaml"}})
	var fe *cliutil.FlagError
	require.True(t, errors.As(err, &fe), "%v", err)
	assert.Contains(t, err.Error(), "impossible de lire /nonexistent/lab5.yaml (introuvable)")
	assert.Equal(t, "cannot read /nonexistent/lab5.yaml (not found)", cliutil.Message(err, "en"))
}
