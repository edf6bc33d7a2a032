package images_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
)

// TestBrokenImage observes what lab 4's diagnosis relies on: without DATABASE_URL the
// container exits 3 and says which variable is missing; with it, it turns healthy.
func TestBrokenImage(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel) // after the parallel subtests
	img, err := r.e.InspectImage(ctx, "ddlab/broken:1")
	require.NoError(t, err)
	assert.Equal(t, "65532:65532", img.User)
	assert.Equal(t, []string{"/labapp"}, img.Entrypoint)
	assert.Equal(t, []string{"legacy"}, img.Cmd)
	assert.Equal(t, []string{"CMD", "/labapp", "healthcheck"}, img.Healthcheck)

	t.Run("without DATABASE_URL", func(t *testing.T) {
		t.Parallel()
		id := r.run(ctx, t, engine.RunSpec{Image: "ddlab/broken:1"})
		code, err := r.e.Wait(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, 3, code)
		c, err := r.e.InspectContainer(ctx, id)
		require.NoError(t, err)
		assert.Equal(t, "exited", c.Status)
		assert.Equal(t, 3, c.ExitCode)
		logs, err := r.e.ReadLogs(ctx, id, engine.LogOptions{})
		require.NoError(t, err)
		assert.Contains(t, logs.Stderr, "ERREUR: variable DATABASE_URL manquante")
	})
	t.Run("with DATABASE_URL", func(t *testing.T) {
		t.Parallel()
		id := r.run(ctx, t, engine.RunSpec{Image: "ddlab/broken:1", Env: []string{"DATABASE_URL=kv://lab4"}})
		c := r.health(ctx, t, id, 20*time.Second)
		assert.Equal(t, "healthy", c.Health)
		assert.True(t, c.Running)
	})
}
