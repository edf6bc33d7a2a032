package images_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/images"
	"github.com/ddlab/grade/internal/testenv"
)

func TestBaseImagesOffline(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	st, err := images.Status(ctx, e)
	require.NoError(t, err)
	for _, p := range st {
		require.True(t, p.Present && !p.Stale, "%s missing after Ensure", p.Ref)
	}

	bb, err := e.InspectImage(ctx, "ddlab/busybox:1")
	require.NoError(t, err)
	require.Equal(t, []string{"sh"}, bb.Cmd)
	require.Less(t, bb.Size, int64(5<<20))
	files, err := e.ImageFiles(ctx, "ddlab/busybox:1")
	require.NoError(t, err)
	paths := map[string]engine.File{}
	for _, f := range files {
		paths[f.Path] = f
	}
	for _, p := range []string{"/bin/busybox", "/bin/sh", "/usr/bin/wget", "/etc/passwd", "/tmp"} {
		require.Contains(t, paths, p)
	}
	require.EqualValues(t, 0o1777, paths["/tmp"].Mode&0o7777)

	g, err := e.InspectImage(ctx, "ddlab/go:1")
	require.NoError(t, err)
	require.Contains(t, g.Env, "GOPROXY=off")
	require.Contains(t, g.Env, "CGO_ENABLED=0")
}
