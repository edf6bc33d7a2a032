package images_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/images"
	"github.com/ddlab/grade/internal/registry"
	"github.com/ddlab/grade/internal/testenv"
)

func TestParsePins(t *testing.T) {
	d := "sha256:" + strings.Repeat("ab", 32)
	p, err := images.ParsePins("# comment\n\nddlab/busybox:1 " + d + "\n  ddlab/go:1   " + d + "  \n")
	require.NoError(t, err)
	assert.Equal(t, images.Pins{"ddlab/busybox:1": d, "ddlab/go:1": d}, p)
	assert.Equal(t, "ddlab/busybox:1 "+d+"\nddlab/go:1 "+d+"\n", p.String())
	again, err := images.ParsePins(p.String())
	require.NoError(t, err)
	assert.Equal(t, p, again)

	for _, bad := range []string{"ddlab/busybox:1", "ddlab/busybox:1 sha256:zz", "a b c"} {
		_, err := images.ParsePins(bad)
		assert.Error(t, err, bad)
	}
	_, err = images.DefaultPins()
	require.NoError(t, err, "the shipped pins file parses")
}

func TestRemote(t *testing.T) {
	assert.Equal(t, "ghcr.io/ddlab/busybox:1", (&images.Distributor{}).Remote("ddlab/busybox:1"))
	assert.Equal(t, "127.0.0.1:5000/course/go:1", (&images.Distributor{Registry: "127.0.0.1:5000/course/"}).Remote("ddlab/go:1"))
}

// TestPushPull publishes ddlab/busybox:1 to a registry on loopback, pulls it back by its
// pinned digest under a test name, and checks the engine got the same image; a wrong pin
// or none is refused.
func TestPushPull(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	reg, err := registry.Start(0)
	require.NoError(t, err)
	defer reg.Close(context.Background())

	const ref = "ddlab/busybox:1"
	pub := &images.Distributor{Engine: e, Registry: reg.Host() + "/ddlab"}
	pins, err := pub.Push(ctx, []string{ref})
	require.NoError(t, err)
	require.Contains(t, pins, ref)

	prefix := "ddlab-test-" + uuid.NewString()[:8] + "/"
	local := func(r string) string { return prefix + strings.TrimPrefix(r, "ddlab/") }
	t.Cleanup(func() { _ = e.RemoveImage(context.Background(), local(ref), false) })
	d := &images.Distributor{Engine: e, Registry: reg.Host() + "/ddlab", Local: local}

	assert.Empty(t, d.Pull(ctx, []string{ref}, pins))
	want, err := e.InspectImage(ctx, ref)
	require.NoError(t, err)
	got, err := e.InspectImage(ctx, local(ref))
	require.NoError(t, err)
	assert.Equal(t, want.ID, got.ID, "the pulled image is the published one")

	failed := d.Pull(ctx, []string{ref}, images.Pins{ref: "sha256:" + strings.Repeat("0", 64)})
	assert.Error(t, failed[ref], "a digest the registry does not have")
	failed = d.Pull(ctx, []string{ref}, images.Pins{})
	assert.ErrorIs(t, failed[ref], images.ErrNoPin)
}
