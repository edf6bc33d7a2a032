package images_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
)

// TestKVImage observes what lab 6 grades: a key lives in the volume and survives a new
// container, /data belongs to the app, /config follows kv.conf without a restart, and
// writes that the mounts forbid fail naming their errno with a non-2xx status.
func TestKVImage(t *testing.T) {
	r := newRig(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	img, err := r.e.InspectImage(ctx, "ddlab/kv:1")
	require.NoError(t, err)
	assert.Equal(t, "65532:65532", img.User)
	assert.Equal(t, []string{"kv"}, img.Cmd)
	assert.Equal(t, []string{"CMD", "/labapp", "healthcheck"}, img.Healthcheck)
	files, err := r.e.ImageFiles(ctx, "ddlab/kv:1")
	require.NoError(t, err)
	modes := map[string]int64{}
	for _, f := range files {
		modes[f.Path] = f.Mode & 0o7777
	}
	assert.EqualValues(t, 0o1777, modes["/tmp"], "/tmp in ddlab/kv:1")
	assert.Contains(t, modes, "/data")

	vol, err := r.e.CreateVolume(ctx, engine.VolumeSpec{Name: "ddlab-test-kv-" + r.id[:8], Labels: r.lbl})
	require.NoError(t, err)
	conf, err := r.e.CreateVolume(ctx, engine.VolumeSpec{Name: "ddlab-test-kvconf-" + r.id[:8], Labels: r.lbl})
	require.NoError(t, err)
	mounts := []engine.Mount{
		{Type: "volume", Source: vol.Name, Destination: "/data"},
		{Type: "volume", Source: conf.Name, Destination: "/etc/kv"},
		{Type: "tmpfs", Destination: "/tmp", TmpfsSize: 16 << 20},
	}
	start := func() string {
		id := r.run(ctx, t, engine.RunSpec{Image: "ddlab/kv:1", Mounts: mounts})
		require.Equal(t, "healthy", r.health(ctx, t, id, 20*time.Second).Health)
		return "container:" + id
	}
	// writeConf rewrites kv.conf in place, as lab 6's grader does through its bind mount.
	writeConf := func(line string) {
		code, logs := r.exited(ctx, t, engine.RunSpec{Image: "ddlab/busybox:1",
			Mounts:     []engine.Mount{{Type: "volume", Source: conf.Name, Destination: "/etc/kv"}},
			Entrypoint: []string{"sh", "-c", `echo "$1" > /etc/kv/kv.conf`, "sh", line}})
		require.Equal(t, 0, code, logs.Stderr)
	}
	app := start()
	http := func(netns string, args ...string) map[string]any {
		t.Helper()
		_, res := r.probe(ctx, t, netns, append([]string{"http", "-retries", "3"}, args...)...)
		require.Equal(t, true, res["ok"], "labprobe http %v: %v", args, res)
		return res
	}

	res := http(app, "-method", "PUT", "-data", "nonce-42", "http://127.0.0.1:8080/kv/k")
	assert.EqualValues(t, 200, res["status"], res)
	res = http(app, "http://127.0.0.1:8080/file?path=/data")
	assert.Contains(t, res["body"], `"uid":65532`, "a fresh volume takes /data's owner from the image")

	// A new container on the same volume sees the key.
	require.NoError(t, r.e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: app[len("container:"):]}))
	app = start()
	res = http(app, "http://127.0.0.1:8080/kv/k")
	assert.EqualValues(t, 200, res["status"])
	assert.Equal(t, "nonce-42", res["body"])
	res = http(app, "http://127.0.0.1:8080/dump")
	assert.Contains(t, res["body"], `"items":[{"key":"k","value":"nonce-42"}]`)

	// /config re-reads kv.conf on each request.
	res = http(app, "http://127.0.0.1:8080/config")
	assert.EqualValues(t, 404, res["status"], "no kv.conf yet: %v", res)
	writeConf("greeting=Bonjour")
	res = http(app, "http://127.0.0.1:8080/config/greeting")
	assert.Equal(t, "Bonjour\n", res["body"])
	writeConf("greeting=Salut")
	res = http(app, "http://127.0.0.1:8080/config")
	assert.Contains(t, res["body"], `"greeting":"Salut"`)

	// A 16 MiB tmpfs takes 2 MiB, not 20.
	res = http(app, "-method", "POST", "http://127.0.0.1:8080/tmpfill?mb=2")
	assert.EqualValues(t, 200, res["status"], res)
	res = http(app, "-method", "POST", "http://127.0.0.1:8080/tmpfill?mb=20")
	assert.EqualValues(t, 507, res["status"], res)
	assert.Contains(t, res["body"], `"errno":"ENOSPC"`)

	// The same volume mounted read-only refuses writes with EROFS.
	ro := r.run(ctx, t, engine.RunSpec{Image: "ddlab/kv:1", Mounts: []engine.Mount{{Type: "volume", Source: vol.Name, Destination: "/data", ReadOnly: true}}})
	res = http("container:"+ro, "-method", "PUT", "-data", "x", "http://127.0.0.1:8080/kv/other")
	assert.EqualValues(t, 403, res["status"], res)
	assert.Contains(t, res["body"], `"errno":"EROFS"`)
	res = http("container:"+ro, "-method", "POST", "http://127.0.0.1:8080/write?path=/data/x")
	assert.EqualValues(t, 403, res["status"], res)
	assert.Contains(t, res["body"], `"errno":"EROFS"`)
	res = http("container:"+ro, "http://127.0.0.1:8080/kv/k")
	assert.Equal(t, "nonce-42", res["body"], "a read-only mount still reads")

	// Without mounts, the image's own /tmp and anonymous /data volume work.
	plain := r.run(ctx, t, engine.RunSpec{Image: "ddlab/kv:1"})
	res = http("container:"+plain, "-method", "POST", "http://127.0.0.1:8080/tmpfill?mb=1")
	assert.EqualValues(t, 200, res["status"], res)
	res = http("container:"+plain, "-method", "PUT", "-data", "v", "http://127.0.0.1:8080/kv/k")
	assert.EqualValues(t, 200, res["status"], res)
}
