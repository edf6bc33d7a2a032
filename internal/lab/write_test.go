package lab

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func starterFS() fstest.MapFS {
	return testFS(map[string]string{
		"Dockerfile":           "FROM scratch\n",
		"go.mod.tmpl":          "module example.com/app\n",
		"go.sum":               "sum\n",
		"cmd/server/main.go":   "package main\n",
		"tools/go.mod.tmpl":    "module example.com/tools\n",
		"docs/template.tmpl":   "{{.}}\n",
		"docs/architecture.md": "# archi\n",
	})
}

func readAll(t *testing.T, dir string) map[string]string {
	t.Helper()
	out := map[string]string{}
	require.NoError(t, filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		require.NoError(t, err)
		if d.Type()&fs.ModeSymlink != 0 {
			target, err := os.Readlink(p)
			require.NoError(t, err)
			out[filepath.ToSlash(rel)] = "-> " + target
			return nil
		}
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		out[filepath.ToSlash(rel)] = string(b)
		return nil
	}))
	return out
}

func TestWriteFilesFresh(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "lab3") // created as needed
	written, kept, err := WriteFiles(starterFS(), dst)
	require.NoError(t, err)
	assert.Empty(t, kept)
	sort.Strings(written)
	assert.Equal(t, []string{"Dockerfile", "cmd/server/main.go", "docs/architecture.md", "docs/template.tmpl",
		"go.mod", "go.sum", "tools/go.mod"}, written)
	assert.Equal(t, map[string]string{
		"Dockerfile":           "FROM scratch\n",
		"go.mod":               "module example.com/app\n",
		"go.sum":               "sum\n",
		"cmd/server/main.go":   "package main\n",
		"tools/go.mod":         "module example.com/tools\n",
		"docs/template.tmpl":   "{{.}}\n", // only go.mod.tmpl is a template
		"docs/architecture.md": "# archi\n",
	}, readAll(t, dst))
	fi, err := os.Stat(filepath.Join(dst, "go.mod"))
	require.NoError(t, err)
	assert.Equal(t, fs.FileMode(0o644), fi.Mode().Perm()&^0o022)
}

func TestWriteFilesNeverOverwrites(t *testing.T) {
	outside := t.TempDir()
	secret := filepath.Join(outside, "secret")
	require.NoError(t, os.WriteFile(secret, []byte("keep me"), 0o600))
	outDir := filepath.Join(outside, "dir")
	require.NoError(t, os.Mkdir(outDir, 0o755))

	tests := []struct {
		name      string
		setup     func(t *testing.T, dst string)
		wantKept  []string
		wantFiles map[string]string // what dst holds after, for the paths that matter
		untouched func(t *testing.T)
	}{
		{
			name: "existing file",
			setup: func(t *testing.T, dst string) {
				require.NoError(t, os.WriteFile(filepath.Join(dst, "Dockerfile"), []byte("FROM mine\n"), 0o644))
			},
			wantKept:  []string{"Dockerfile"},
			wantFiles: map[string]string{"Dockerfile": "FROM mine\n", "go.mod": "module example.com/app\n"},
		},
		{
			name: "existing go.mod kept, not the template name",
			setup: func(t *testing.T, dst string) {
				require.NoError(t, os.WriteFile(filepath.Join(dst, "go.mod"), []byte("module mine\n"), 0o644))
			},
			wantKept:  []string{"go.mod"},
			wantFiles: map[string]string{"go.mod": "module mine\n"},
		},
		{
			name: "symlink to a file outside at a file path",
			setup: func(t *testing.T, dst string) {
				require.NoError(t, os.Symlink(secret, filepath.Join(dst, "Dockerfile")))
			},
			wantKept:  []string{"Dockerfile"},
			wantFiles: map[string]string{"Dockerfile": "-> " + secret},
		},
		{
			name: "dangling symlink at a file path",
			setup: func(t *testing.T, dst string) {
				require.NoError(t, os.MkdirAll(filepath.Join(dst, "cmd/server"), 0o755))
				require.NoError(t, os.Symlink(filepath.Join(outside, "created"), filepath.Join(dst, "cmd/server/main.go")))
			},
			wantKept: []string{"cmd/server/main.go"},
			untouched: func(t *testing.T) {
				_, err := os.Lstat(filepath.Join(outside, "created"))
				assert.ErrorIs(t, err, fs.ErrNotExist, "written through a dangling link")
			},
		},
		{
			name: "symlink at the go.mod target",
			setup: func(t *testing.T, dst string) {
				require.NoError(t, os.Symlink(secret, filepath.Join(dst, "go.mod")))
			},
			wantKept:  []string{"go.mod"},
			wantFiles: map[string]string{"go.mod": "-> " + secret},
		},
		{
			name: "symlink to a folder outside at a folder path",
			setup: func(t *testing.T, dst string) {
				require.NoError(t, os.Symlink(outDir, filepath.Join(dst, "cmd")))
			},
			wantKept: []string{"cmd"},
			untouched: func(t *testing.T) {
				entries, err := os.ReadDir(outDir)
				require.NoError(t, err)
				assert.Empty(t, entries, "written through a link to a folder")
			},
		},
		{
			name: "relative symlink to a folder outside",
			setup: func(t *testing.T, dst string) {
				rel, err := filepath.Rel(dst, outDir)
				require.NoError(t, err)
				require.NoError(t, os.Symlink(rel, filepath.Join(dst, "docs")))
			},
			wantKept: []string{"docs"},
			untouched: func(t *testing.T) {
				entries, err := os.ReadDir(outDir)
				require.NoError(t, err)
				assert.Empty(t, entries, "written through a link to a folder")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := t.TempDir()
			tt.setup(t, dst)
			written, kept, err := WriteFiles(starterFS(), dst)
			require.NoError(t, err)
			assert.ElementsMatch(t, tt.wantKept, kept)
			for _, k := range kept {
				assert.NotContains(t, written, k)
			}
			assert.NotEmpty(t, written, "the rest is written")
			got := readAll(t, dst)
			for p, want := range tt.wantFiles {
				assert.Equal(t, want, got[p], p)
			}
			b, err := os.ReadFile(secret)
			require.NoError(t, err)
			assert.Equal(t, "keep me", string(b), "the link's target is untouched")
			if tt.untouched != nil {
				tt.untouched(t)
			}
		})
	}
}

func TestWriteFilesTwice(t *testing.T) {
	dst := t.TempDir()
	written, _, err := WriteFiles(starterFS(), dst)
	require.NoError(t, err)
	w2, kept, err := WriteFiles(starterFS(), dst)
	require.NoError(t, err)
	assert.Empty(t, w2)
	assert.ElementsMatch(t, written, kept)
}

func TestWriteFilesErrors(t *testing.T) {
	t.Run("a file where a folder goes", func(t *testing.T) {
		dst := t.TempDir()
		require.NoError(t, os.WriteFile(filepath.Join(dst, "cmd"), []byte("x"), 0o644))
		_, _, err := WriteFiles(starterFS(), dst)
		require.Error(t, err)
	})
	t.Run("dst is a file", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "f")
		require.NoError(t, os.WriteFile(dst, []byte("x"), 0o644))
		_, _, err := WriteFiles(starterFS(), dst)
		require.Error(t, err)
	})
}
