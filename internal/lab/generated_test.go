package lab

import (
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestTargetName(t *testing.T) {
	tests := map[string]string{
		"Dockerfile":          "Dockerfile",
		"go.mod.tmpl":         "go.mod",
		"docs/template.tmpl":  "docs/template.tmpl",
		"_git":                ".git",
		"_git/HEAD":           ".git/HEAD",
		"sub/_git/config":     "sub/.git/config",
		"my_git/HEAD":         "my_git/HEAD",
		"big.bin.gen":         "big.bin",
		"data/big.bin.gen":    "data/big.bin",
		".gen":                ".gen",
		"_git/hooks/x.gen":    ".git/hooks/x",
		"notes.generated.txt": "notes.generated.txt",
	}
	for in, want := range tests {
		assert.Equal(t, want, targetName(in), in)
	}
}

func TestContent(t *testing.T) {
	b, err := content("big.bin.gen", []byte("random 2KB\n"))
	require.NoError(t, err)
	assert.Len(t, b, 2048)
	again, err := content("x.gen", []byte("random 2KiB"))
	require.NoError(t, err)
	assert.Equal(t, b, again, "deterministic")
	assert.NotEqual(t, make([]byte, 2048), b)

	plain, err := content("README.md", []byte("random 2KB"))
	require.NoError(t, err)
	assert.Equal(t, "random 2KB", string(plain), "only .gen files are generated")

	for _, bad := range []string{"", "random", "random lots", "zeros 1KB", "random -1", "random 1TB"} {
		_, err := content("big.bin.gen", []byte(bad))
		assert.Error(t, err, bad)
	}
}

func TestWriteFilesRestoresNames(t *testing.T) {
	fsys := fstest.MapFS{
		"_git/HEAD":   {Data: []byte("ref: refs/heads/main\n")},
		"big.bin.gen": {Data: []byte("random 1KB\n")},
	}
	dst := t.TempDir()
	written, kept, err := WriteFiles(fsys, dst)
	require.NoError(t, err)
	assert.Empty(t, kept)
	assert.ElementsMatch(t, []string{".git/HEAD", "big.bin"}, written)
	head, err := os.ReadFile(filepath.Join(dst, ".git", "HEAD"))
	require.NoError(t, err)
	assert.Equal(t, "ref: refs/heads/main\n", string(head))
	st, err := os.Stat(filepath.Join(dst, "big.bin"))
	require.NoError(t, err)
	assert.EqualValues(t, 1024, st.Size())

	// Written again: nothing is overwritten.
	written, kept, err = WriteFiles(fsys, dst)
	require.NoError(t, err)
	assert.Empty(t, written)
	assert.ElementsMatch(t, []string{".git/HEAD", "big.bin"}, kept)
}
