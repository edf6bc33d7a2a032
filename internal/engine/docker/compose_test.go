package docker_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
)

// TestComposerLifecycle drives the embedded Compose engine through every verb the labs use
// on a two-service project: health-gated start order, stop/start, pause, down with volumes,
// and Compose's progress routed to the caller.
func TestComposerLifecycle(t *testing.T) {
	e, lbl, ctx := busybox(t)
	dir := writeTree(t, map[string]string{"compose.yaml": `
services:
  db:
    image: ddlab/busybox:1
    command: ["sh", "-c", "touch /data/ok; exec sleep 600"]
    volumes: [data:/data]
    networks: [back]
    healthcheck: {test: ["CMD", "test", "-f", "/data/ok"], interval: 1s, retries: 30}
  app:
    image: ddlab/busybox:1
    command: ["sleep", "600"]
    networks: [back]
    depends_on: {db: {condition: service_healthy}}
networks:
  back: {internal: true}
volumes:
  data: {}
`})
	name := "ddlab-test-" + lbl["ddlab.test"][:8]
	opts, err := cli.NewProjectOptions([]string{dir + "/compose.yaml"}, cli.WithWorkingDirectory(dir), cli.WithName(name))
	require.NoError(t, err)
	p, err := opts.LoadProject(ctx)
	require.NoError(t, err)
	for n, s := range p.Services {
		s.Labels = types.Labels(lbl)
		s.PullPolicy = types.PullPolicyNever
		p.Services[n] = s
	}
	for n, v := range p.Volumes {
		v.Labels = types.Labels(lbl)
		p.Volumes[n] = v
	}

	var mu sync.Mutex
	var progress []string
	c, err := e.(engine.Compose).Composer(func(l string) { mu.Lock(); progress = append(progress, l); mu.Unlock() })
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		assert.NoError(t, c.Down(ctx, p, true))
	})

	require.NoError(t, c.Up(ctx, p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute}))
	db, err := e.InspectContainer(ctx, name+"-db-1")
	require.NoError(t, err)
	app, err := e.InspectContainer(ctx, name+"-app-1")
	require.NoError(t, err)
	assert.Equal(t, "healthy", db.Health)
	assert.True(t, app.Running)
	assert.Equal(t, name, app.Labels["com.docker.compose.project"], "Compose's labels are set, so Down finds the project")
	assert.Equal(t, lbl["ddlab.test"], app.Labels["ddlab.test"])
	assert.False(t, app.StartedAt.Before(db.StartedAt), "app starts after db")
	mu.Lock()
	assert.NotEmpty(t, progress, "Compose's progress reaches the caller")
	mu.Unlock()

	require.NoError(t, c.Stop(ctx, p, "app"))
	app, err = e.InspectContainer(ctx, name+"-app-1")
	require.NoError(t, err)
	assert.False(t, app.Running)
	require.NoError(t, c.Start(ctx, p, "app"))
	require.NoError(t, c.Pause(ctx, p, "db"))
	db, err = e.InspectContainer(ctx, name+"-db-1")
	require.NoError(t, err)
	assert.Equal(t, "paused", db.Status)
	require.NoError(t, c.Unpause(ctx, p, "db"))

	require.NoError(t, c.Down(ctx, p, true))
	_, err = e.InspectVolume(ctx, name+"_data")
	assert.ErrorIs(t, err, engine.ErrNotFound, "down -v removes the project's volume")
	_, err = e.InspectNetwork(ctx, name+"_back")
	assert.ErrorIs(t, err, engine.ErrNotFound)
	left, err := e.ListContainers(ctx, engine.ContainerFilter{All: true, Labels: []string{"com.docker.compose.project=" + name}})
	require.NoError(t, err)
	assert.Empty(t, left)
}
