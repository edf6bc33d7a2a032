package labs_test

import (
	"bytes"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/labs"
)

// TestStudentBinaryHoldsNoAnswers builds `grade` as students get it and looks in the binary for
// every line of a reference solution that the student's own files do not already hold.
func TestStudentBinaryHoldsNoAnswers(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	src := labs.Source()
	require.NotNil(t, src)
	bin := filepath.Join(t.TempDir(), "grade")
	args := append([]string{"build"}, raceFlags...)
	build := exec.CommandContext(t.Context(), "go", append(args, "-o", bin, "github.com/ddlab/grade/cmd/grade")...)
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)
	binary, err := os.ReadFile(bin)
	require.NoError(t, err)

	public := publicText(t)
	checked := 0
	require.NoError(t, fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(p, "/_solution/") {
			return err
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		// Embedded files lie whole in the binary.
		if len(data) >= 32 && !bytes.Contains(public, data) {
			assert.False(t, bytes.Contains(binary, data), "%s is embedded in the student binary", p)
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if len(line) < 24 || bytes.Contains(public, []byte(line)) {
				continue
			}
			checked++
			assert.False(t, bytes.Contains(binary, []byte(line)), "%s: %q is in the student binary", p, line)
		}
		return nil
	}))
	assert.Greater(t, checked, 30, "the solutions have distinctive lines to look for")
	assert.False(t, bytes.Contains(binary, []byte("q1=b q2=c q3=a q4=d")), "the lab 1 quiz key in clear")
}

// publicText is all the text of the repository that is not a solution: specs, starters, docs,
// and the Go sources (a grader may name what it expects, as a hint does). A solution line found
// there is no secret, and library strings (Compose's schema…) are not either.
func publicText(t *testing.T) []byte {
	var all bytes.Buffer
	root := filepath.Join("..")
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", ".wt", "bin", "_solution":
				return filepath.SkipDir
			}
			return nil
		}
		if st, err := d.Info(); err != nil || st.Size() > 1<<20 {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		all.Write(data)
		all.WriteByte(0)
		return nil
	}))
	return all.Bytes()
}
