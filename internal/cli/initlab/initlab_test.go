package initlab

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cli/clitest"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/lab"
)

func TestNewCmdInit(t *testing.T) {
	tests := []struct {
		name     string
		cli      string
		wants    Options
		wantsErr string
	}{
		{name: "a lab", cli: "lab5", wants: Options{Lab: "lab5"}},
		{name: "a lab and a folder", cli: "lab5 work/lab5", wants: Options{Lab: "lab5", Dir: "work/lab5"}},
		{name: "the solution", cli: "lab5 sol --solution", wants: Options{Lab: "lab5", Dir: "sol", Solution: true}},
		{name: "no lab", cli: "", wantsErr: "attend 1 ou 2 arguments (aucun donné)"},
		{name: "too many", cli: "a b c", wantsErr: "attend 1 ou 2 arguments (3 donnés)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := clitest.Factory(t)
			var got *Options
			cmd := NewCmdInit(f, func(_ context.Context, o *Options) error { got = o; return nil })
			err := clitest.Execute(cmd, tt.cli)
			if tt.wantsErr != "" {
				require.ErrorContains(t, err, tt.wantsErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, got)
			got.F = nil
			assert.Equal(t, tt.wants, *got)
		})
	}
}

func Test_initRun(t *testing.T) {
	tests := []struct {
		name      string
		lang      string
		solution  bool
		existing  map[string]string // files already in the folder
		wantFiles map[string]string
		wantOut   []string
	}{
		{name: "starter", wantFiles: map[string]string{"run.sh": "# TODO\n", "README.md": "# Consignes du lab 1\n", ".dockerignore": "*.bin\n"},
			wantOut: []string{"lab1\u00a0: 3 fichiers écrits dans ", "Ensuite\u00a0: cd "}},
		{name: "solution over the starter", solution: true, wantFiles: map[string]string{"run.sh": "docker run lab1\n", "README.md": "# Consignes du lab 1\n"},
			wantOut: []string{"lab1\u00a0: 3 fichiers écrits"}},
		{name: "never overwrites", existing: map[string]string{"run.sh": "mine\n"}, wantFiles: map[string]string{"run.sh": "mine\n"},
			wantOut: []string{"lab1\u00a0: 2 fichiers écrits", "conservé (existait déjà)\u00a0: run.sh"}},
		{name: "in English", lang: "en", existing: map[string]string{"run.sh": "mine\n", "README.md": "x", ".dockerignore": "y"},
			wantFiles: map[string]string{"run.sh": "mine\n"}, wantOut: []string{"lab1: 0 files written to ", "  kept (already there): run.sh\n", "Next: cd "}},
		{name: "one file", existing: map[string]string{"run.sh": "mine\n", "README.md": "x"},
			wantFiles: map[string]string{"run.sh": "mine\n"}, wantOut: []string{"lab1\u00a0: 1 fichier écrit dans "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, _ := clitest.Factory(t)
			f.Language = tt.lang
			dir := filepath.Join(t.TempDir(), "my lab")
			require.NoError(t, os.MkdirAll(dir, 0o755))
			for name, data := range tt.existing {
				require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644))
			}
			require.NoError(t, initRun(context.Background(), &Options{F: f, Lab: "1", Dir: dir, Solution: tt.solution}))
			for name, want := range tt.wantFiles {
				got, err := os.ReadFile(filepath.Join(dir, name))
				require.NoError(t, err)
				assert.Equal(t, want, string(got), name)
			}
			for _, s := range tt.wantOut {
				assert.Contains(t, stdout.String(), s)
			}
		})
	}
}

func Test_initRunDefaultFolder(t *testing.T) {
	t.Chdir(t.TempDir())
	f, stdout, _ := clitest.Factory(t)
	require.NoError(t, initRun(context.Background(), &Options{F: f, Lab: "LAB1"}))
	assert.FileExists(t, filepath.Join("lab1", "run.sh"), "the folder is named after the lab")
	assert.Contains(t, stdout.String(), "Ensuite\u00a0: cd lab1 && grade lab1")
}

// The student build holds no solution: --solution says where to find it.
func Test_initRunStudentBuild(t *testing.T) {
	f, _, _ := clitest.Factory(t)
	fsys := clitest.FS()
	delete(fsys, "lab1/_solution/run.sh")
	f.Catalog = func() (*lab.Catalog, error) { return lab.Load(fsys) }
	err := initRun(context.Background(), &Options{F: f, Lab: "lab1", Dir: t.TempDir(), Solution: true})
	require.ErrorContains(t, err, "grade-instructor")
	var fe *cliutil.FlagError
	assert.True(t, errors.As(err, &fe))
}

func Test_initRunErrors(t *testing.T) {
	for _, tt := range []struct{ lab, want string }{
		{"lab99", "«\u00a0lab99\u00a0» n'est pas un lab du cours"},
		{"lab2", "lab2 n'est pas encore corrigeable"},
	} {
		t.Run(tt.lab, func(t *testing.T) {
			f, _, _ := clitest.Factory(t)
			err := initRun(context.Background(), &Options{F: f, Lab: tt.lab, Dir: t.TempDir()})
			require.ErrorContains(t, err, tt.want)
			var fe *cliutil.FlagError
			assert.True(t, errors.As(err, &fe))
		})
	}
}
