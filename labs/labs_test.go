package labs

import (
	"io/fs"
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestEmbedFollowsTheFolder: the embed patterns take every file of the folder's labs, dot
// files included, and nothing else (no Go source of this package; the starters' Go files are
// lab material); the reference solutions only in the instructor build.
func TestEmbedFollowsTheFolder(t *testing.T) {
	list := func(fsys fs.FS) []string {
		var out []string
		require.NoError(t, fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() {
				out = append(out, p)
			}
			return nil
		}))
		return out
	}
	var want []string
	for _, p := range list(os.DirFS(".")) {
		own := !strings.Contains(p, "/") && strings.HasSuffix(p, ".go") // the package's own Go files stay out
		solution := strings.Contains(p, "/_solution/")
		if !own && (!solution || Instructor) {
			want = append(want, p)
		}
	}
	got := list(FS)
	assert.Equal(t, want, got)
	assert.Contains(t, got, "lab5/_starter/.dockerignore", "dot files are embedded")
	assert.Contains(t, got, "catalog.yaml")
}
