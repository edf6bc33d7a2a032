package images_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
)

// TestProbeImage runs labprobe in the network namespace of a webapp on a user network, as
// labs 6 and 7 do, and checks each subcommand's verdict and reason.
func TestProbeImage(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	netw, err := r.e.CreateNetwork(ctx, engine.NetworkSpec{Name: "ddlab-test-probe-" + r.id[:8], Labels: r.lbl})
	require.NoError(t, err)
	app := r.run(ctx, t, engine.RunSpec{Image: "ddlab/webapp:1", NetworkMode: netw.Name, Aliases: []string{"api"}})
	ns := "container:" + app
	n, err := r.e.InspectNetwork(ctx, netw.ID)
	require.NoError(t, err)
	ip := n.Containers[app]
	require.NotEmpty(t, ip, "webapp has no address on %s: %v", netw.Name, n.Containers)

	tests := []struct {
		name  string
		args  []string
		exit  int
		check func(t *testing.T, res map[string]any)
	}{
		{"http answers", []string{"http", "-retries", "10", "http://127.0.0.1:8080/health"}, 0, func(t *testing.T, res map[string]any) {
			assert.EqualValues(t, 200, res["status"])
			assert.Equal(t, "ok\n", res["body"])
			assert.Contains(t, res["headers"], "X-Served-By")
		}},
		{"tcp open port", []string{"tcp", "-retries", "10", "127.0.0.1:8080"}, 0, nil},
		{"tcp closed port is refused", []string{"tcp", "127.0.0.1:8081"}, 1, func(t *testing.T, res map[string]any) {
			assert.Equal(t, "refused", res["code"])
			assert.Contains(t, res["error"], "connection refused")
		}},
		{"dns alias through 127.0.0.11", []string{"dns", "api"}, 0, func(t *testing.T, res map[string]any) {
			assert.Equal(t, []any{ip}, res["addrs"])
		}},
		{"dns unknown name", []string{"dns", "-timeout", "3s", "nosuchservice"}, 1, func(t *testing.T, res map[string]any) {
			assert.Contains(t, []any{"nxdomain", "timeout", "other"}, res["code"], res)
		}},
		{"ifaces", []string{"ifaces"}, 0, func(t *testing.T, res map[string]any) {
			var all []string
			for _, i := range res["ifaces"].([]any) {
				m := i.(map[string]any)
				for _, a := range m["addrs"].([]any) {
					all = append(all, m["name"].(string)+" "+a.(string))
				}
			}
			assert.Contains(t, strings.Join(all, ","), "lo 127.0.0.1/8")
			assert.Contains(t, strings.Join(all, ","), " "+ip+"/")
		}},
		{"routes", []string{"routes"}, 0, func(t *testing.T, res map[string]any) {
			assert.Equal(t, true, res["default"], "a non-internal bridge network has a default route: %v", res)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, res := r.probe(ctx, t, ns, tt.args...)
			assert.Equal(t, tt.exit, code, "labprobe %v: %v", tt.args, res)
			assert.Equal(t, tt.exit == 0, res["ok"], res)
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}

	t.Run("serve canary", func(t *testing.T) {
		canary := r.run(ctx, t, engine.RunSpec{Image: "ddlab/probe:1", NetworkMode: ns,
			Entrypoint: []string{"labprobe", "serve", "-addr", "127.0.0.1:9000"}})
		code, res := r.probe(ctx, t, ns, "http", "-retries", "10", "http://127.0.0.1:9000/hello")
		require.Equal(t, 0, code, res)
		assert.Equal(t, "canary\n", res["body"])
		require.NoError(t, r.e.Stop(ctx, canary, 5*time.Second))
		c, err := r.e.InspectContainer(ctx, canary)
		require.NoError(t, err)
		assert.Equal(t, 0, c.ExitCode, "labprobe serve stops cleanly on SIGTERM")
		logs, err := r.e.ReadLogs(ctx, canary, engine.LogOptions{})
		require.NoError(t, err)
		assert.Contains(t, logs.Stdout, `"path":"/hello"`)
	})
}
