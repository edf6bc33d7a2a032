package cli

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/iostreams"
)

// TestContextFlag: the global --context reaches the engine adapter, which looks the context
// up in the Docker CLI's store; an unknown one is an engine error (exit 3) that the report
// names, whatever DOCKER_HOST says (as for docker --context).
func TestContextFlag(t *testing.T) {
	t.Setenv("DOCKER_CONFIG", t.TempDir())
	t.Setenv("DOCKER_HOST", "unix:///nonexistent.sock")
	dir := t.TempDir()
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644))

	ios, _, out, _ := iostreams.Test()
	f := NewFactory(ios)
	code := Run(context.Background(), f, []string{"--context", "nowhere", "lab5", dir, "--format", "json"})
	assert.Equal(t, "nowhere", f.EngineContext)
	assert.Equal(t, cliutil.ExitEngine, code)
	assert.Contains(t, out.String(), `docker context \"nowhere\"`)
}
