package images_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/testenv"
)

// TestWebappImagesBehave runs each lab app image and observes what the labs rely on: the
// version it serves, and whether its healthcheck turns healthy or unhealthy.
func TestWebappImagesBehave(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	tests := []struct {
		ref, version, health string
	}{
		{"ddlab/webapp:1", "1", "healthy"},
		{"ddlab/webapp:2", "2", "healthy"},
		{"ddlab/webapp:broken", "broken", "unhealthy"},
	}
	id := uuid.NewString()
	lbl := map[string]string{"ddlab.test": id}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		refs, _ := e.List(ctx, "ddlab.test="+id)
		for _, r := range refs {
			_ = e.Remove(ctx, r)
		}
	})
	for _, tt := range tests {
		t.Run(tt.ref, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			img, err := e.InspectImage(ctx, tt.ref)
			require.NoError(t, err)
			assert.Equal(t, "65532:65532", img.User)
			assert.Equal(t, []string{"8080/tcp"}, img.ExposedPorts)
			assert.Less(t, img.Size, int64(25e6))

			app, err := e.Run(ctx, engine.RunSpec{Image: tt.ref, Labels: lbl})
			require.NoError(t, err)
			// Retry while the app starts (webapp:2 waits 3 s before it listens).
			probe, err := e.Run(ctx, engine.RunSpec{Image: "ddlab/busybox:1", Labels: lbl, NetworkMode: "container:" + app,
				Entrypoint: []string{"/bin/sh", "-c", `for i in $(seq 1 30); do timeout 2 wget -q -O - http://127.0.0.1:8080/version 2>/dev/null && exit 0; sleep 0.5; done; exit 1`}})
			require.NoError(t, err)
			code, err := e.Wait(ctx, probe)
			require.NoError(t, err)
			out, err := e.Logs(ctx, probe, 4096)
			require.NoError(t, err)
			require.Equal(t, 0, code, out)
			assert.Equal(t, tt.version, strings.TrimSpace(out))

			var c engine.Container
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(500 * time.Millisecond) {
				c, err = e.InspectContainer(ctx, app)
				require.NoError(t, err)
				if c.Health == "healthy" || c.Health == "unhealthy" {
					break
				}
			}
			assert.Equal(t, tt.health, c.Health)
		})
	}
}
