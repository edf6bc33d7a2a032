package images

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGoRoot(t *testing.T) {
	ctx := context.Background()
	t.Run("flag wins", func(t *testing.T) {
		t.Setenv("GOROOT", "/from/env")
		r, err := (&Builder{GoRoot: "/from/flag"}).goRoot(ctx)
		require.NoError(t, err)
		assert.Equal(t, "/from/flag", r)
	})
	t.Run("then GOROOT", func(t *testing.T) {
		t.Setenv("GOROOT", "/from/env")
		r, err := (&Builder{}).goRoot(ctx)
		require.NoError(t, err)
		assert.Equal(t, "/from/env", r)
	})
	t.Run("then the go on PATH", func(t *testing.T) {
		t.Setenv("GOROOT", "")
		r, err := (&Builder{}).goRoot(ctx)
		require.NoError(t, err)
		_, err = os.Stat(filepath.Join(r, "bin", "go"))
		assert.NoError(t, err, "goRoot returned %s", r)
	})
}

func TestFindBusyboxRefusesDynamicBinaries(t *testing.T) {
	// The test binary itself is an ELF with an interpreter unless built static; /bin/sh on
	// Debian is dynamic dash.
	_, err := (&Builder{Busybox: "/bin/sh"}).findBusybox()
	require.Error(t, err)
	_, err = (&Builder{Busybox: filepath.Join(t.TempDir(), "missing")}).findBusybox()
	require.Error(t, err)
}
