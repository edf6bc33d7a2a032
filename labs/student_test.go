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

	public := publicText(t, src)
	checked := 0
	require.NoError(t, fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(p, "/_solution/") {
			return err
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if len(line) < 16 || public[line] {
				continue
			}
			checked++
			assert.False(t, bytes.Contains(binary, []byte(line)), "%s: %q is in the student binary", p, line)
		}
		return nil
	}))
	assert.Greater(t, checked, 50, "the solutions have distinctive lines to look for")
	assert.False(t, bytes.Contains(binary, []byte("q1=b q2=c q3=a q4=d")), "the lab 1 quiz key in clear")
}

// publicText is every line of what students are given anyway: specs and starters.
func publicText(t *testing.T, src fs.FS) map[string]bool {
	lines := map[string]bool{}
	require.NoError(t, fs.WalkDir(src, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Contains(p, "/_solution/") {
			return err
		}
		data, err := fs.ReadFile(src, p)
		if err != nil {
			return err
		}
		for _, line := range strings.Split(string(data), "\n") {
			lines[strings.TrimSpace(line)] = true
		}
		return nil
	}))
	return lines
}
