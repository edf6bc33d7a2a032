package grader

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/ddlab/grade/internal/check"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadDockerfileVerdicts(t *testing.T) {
	tests := []struct {
		name, src string
		status    check.Status
		line      int
		fr        []string
	}{
		{"valid with a read-write bind mount", "FROM scratch AS b\nFROM scratch\nWORKDIR /src\nRUN --mount=type=bind,from=b,target=/src,rw true\n",
			check.Pass, 0, []string{"2 étapes"}},
		{"RUN --security after a labs syntax line",
			"# syntax=docker/dockerfile:1-labs\nFROM scratch\nRUN --security=insecure true\n",
			check.Fail, 3, []string{"RUN --security", "docker/dockerfile:1-labs", "# syntax= est neutralisée", "Retirez --security"}},
		{"a parse error is said in the student's words, with its line", "FROM scratch\nRUNN true\n",
			check.Fail, 2, []string{"Le Dockerfile ne se lit pas, ligne 2 : instruction inconnue `RUNN` : vouliez-vous écrire `RUN` ?"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(tt.src), 0o644))
			r := &Run{Dir: dir}
			_, _, out, err := r.ReadDockerfile(context.Background(), "Dockerfile")
			require.NoError(t, err)
			assert.Equal(t, tt.status, out.Status)
			assert.Equal(t, tt.line, out.Line)
			for _, s := range tt.fr {
				assert.Contains(t, out.Message.In("fr"), s)
			}
			assert.NotEmpty(t, out.Message.In("en"))
			assert.Empty(t, check.Foreign("fr", out.Message.FR), out.Message.FR)
			assert.Empty(t, check.Foreign("en", out.Message.EN), out.Message.EN)
		})
	}
}
