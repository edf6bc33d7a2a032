package images_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/testenv"
)

// rig is a real engine with the base images, and a label on everything a test creates so
// that the cleanup removes exactly that.
type rig struct {
	e   engine.Engine
	id  string
	lbl map[string]string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	r := &rig{e: e, id: uuid.NewString()}
	r.lbl = map[string]string{"ddlab.test": r.id}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		refs, _ := e.List(ctx, "ddlab.test="+r.id)
		for _, ref := range refs {
			_ = e.Remove(ctx, ref)
		}
		left, _ := e.List(ctx, "ddlab.test="+r.id)
		if len(left) > 0 {
			t.Errorf("left on the engine: %v", left)
		}
	})
	return r
}

// run starts spec with the rig's label.
func (r *rig) run(ctx context.Context, t *testing.T, spec engine.RunSpec) string {
	t.Helper()
	spec.Labels = r.lbl
	id, err := r.e.Run(ctx, spec)
	require.NoError(t, err)
	return id
}

// exited runs spec to its end and returns its exit code and logs.
func (r *rig) exited(ctx context.Context, t *testing.T, spec engine.RunSpec) (int, engine.Logs) {
	t.Helper()
	id := r.run(ctx, t, spec)
	code, err := r.e.Wait(ctx, id)
	require.NoError(t, err)
	logs, err := r.e.ReadLogs(ctx, id, engine.LogOptions{})
	require.NoError(t, err)
	require.NoError(t, r.e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id}))
	return code, logs
}

// probe runs labprobe in netMode ("container:<id>" or a network) and decodes the one JSON
// object it prints.
func (r *rig) probe(ctx context.Context, t *testing.T, netMode string, args ...string) (int, map[string]any) {
	t.Helper()
	code, logs := r.exited(ctx, t, engine.RunSpec{Image: "ddlab/probe:1", NetworkMode: netMode,
		Entrypoint: []string{"labprobe"}, Cmd: args})
	var res map[string]any
	out := strings.TrimSpace(logs.Stdout)
	require.NotContains(t, out, "\n", "labprobe %v printed more than one line", args)
	require.NoError(t, json.Unmarshal([]byte(out), &res), "labprobe %v: stdout %q stderr %q", args, logs.Stdout, logs.Stderr)
	return code, res
}

// health waits until the container's health is final (or the deadline passes).
func (r *rig) health(ctx context.Context, t *testing.T, id string, within time.Duration) engine.Container {
	t.Helper()
	var c engine.Container
	var err error
	for deadline := time.Now().Add(within); time.Now().Before(deadline); time.Sleep(300 * time.Millisecond) {
		c, err = r.e.InspectContainer(ctx, id)
		require.NoError(t, err)
		if c.Health == "healthy" || c.Health == "unhealthy" || !c.Running {
			break
		}
	}
	return c
}
