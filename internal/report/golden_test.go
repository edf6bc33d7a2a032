package report

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden with the current output")

// TestUpdateFlagOff fails whenever -update is set, so a run that rewrote golden files can
// never pass: rerun without -update and review the diff.
func TestUpdateFlagOff(t *testing.T) {
	require.False(t, *update, "-update rewrote the golden files; review them and rerun without -update")
}

// assertGolden compares got with testdata/<name>.golden, or rewrites it with -update.
func assertGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, got, 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "missing golden file; run go test ./internal/report -update")
	assert.Equal(t, string(want), string(got), "output differs from %s; run go test ./internal/report -update and review the diff", path)
}

// writers are the writers under test, by golden file extension.
var writers = []struct {
	ext    string
	writer Writer
}{
	{"txt", Text{}},
	{"color.txt", Text{Color: true}},
	{"json", JSON{}},
	{"xml", JUnit{Hostname: "runner-1"}},
}

func TestGolden(t *testing.T) {
	for _, fx := range fixtures {
		for _, wr := range writers {
			if wr.ext == "color.txt" && fx.name != "mixed" && fx.name != "allpass" {
				continue // colours are the same code for every report; two files are enough
			}
			name := fx.name + "." + wr.ext
			t.Run(name, func(t *testing.T) {
				var buf bytes.Buffer
				require.NoError(t, wr.writer.Write(&buf, fx.report()))
				assertGolden(t, name, buf.Bytes())
			})
		}
	}
}
