package compose_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/testenv"
)

// labProject uses, on ddlab/busybox:1 only, every key the labs' Compose files use. db waits
// 2 s before it is healthy, so api's start tells whether depends_on waited for it. The
// shells trap TERM so that Down does not wait for its timeout.
const labProject = `name: lab-demo
services:
  db:
    image: ddlab/busybox:1
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 2; touch /data/ok; sleep 600 & wait"]
    volumes:
      - data:/data
      - {type: tmpfs, target: /scratch, tmpfs: {size: 2097152}}
    tmpfs: ["/run:size=1m"]
    read_only: true
    networks:
      back:
        aliases: [store, kv]
    healthcheck:
      test: ["CMD", "test", "-f", "/data/ok"]
      interval: 1s
      timeout: 2s
      retries: 30
    restart: unless-stopped
    stop_grace_period: 2s
    logging:
      driver: json-file
      options: {max-size: 1m, max-file: "2"}
  api:
    image: ddlab/busybox:1
    entrypoint: ["sh", "-c"]
    command: ["sleep 600"]
    init: true
    user: "65534:65534"
    cap_drop: [ALL]
    security_opt: ["no-new-privileges:true"]
    pids_limit: 64
    mem_limit: 64m
    cpus: 0.5
    environment:
      GREETING: ${GREETING}
      LEVEL: ${LEVEL:-warn}
    env_file: [api.env]
    ports:
      - {target: 8080, host_ip: 127.0.0.1, protocol: tcp}
    expose: ["9090"]
    volumes: ["./static:/srv/static:ro"]
    networks: [front, back]
    depends_on:
      db: {condition: service_healthy}
  sidecar:
    image: ddlab/busybox:1
    command: ["sh", "-c", "trap 'exit 0' TERM; sleep 600 & wait"]
    network_mode: service:api
    deploy:
      resources:
        limits: {memory: 32M, cpus: "0.25", pids: 32}
networks:
  front: {}
  back:
    internal: true
volumes:
  data: {}
`

// TestComposeOnEngine loads, checks, prepares and runs one project on the real Compose
// engine, then compares each key with what the engine reports.
func TestComposeOnEngine(t *testing.T) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)

	id := uuid.NewString()
	labels := map[string]string{"ddlab.test": id, "ddlab.tool": "helper"}
	t.Cleanup(func() { sweep(t, e, id) }) // runs after Down

	dir := t.TempDir()
	for p, content := range map[string]string{
		"compose.yaml":      labProject,
		".env":              "GREETING=Bonjour\nLEVEL=info\n",
		"api.env":           "FROM_FILE=oui\n",
		"static/index.html": "<h1>Bonjour</h1>\n",
	} {
		full := filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}

	name := "ddlab-test-" + id[:8]
	l, probs, err := compose.Load(ctx, compose.Source{Dir: dir, Name: name, Env: map[string]string{"LEVEL": "debug"}})
	require.NoError(t, err)
	require.Empty(t, probs)
	assert.Equal(t, "lab-demo", l.Declared)
	p := l.Project
	require.Empty(t, compose.Policy(p, dir, compose.Allow{}), "every key the labs use passes the policy")
	compose.Prepare(p, labels, compose.Limits{Memory: 128 << 20, Pids: 128, CPUs: 1})
	missing, err := compose.MissingImages(ctx, e, p)
	require.NoError(t, err)
	require.Empty(t, missing)

	c, err := e.(engine.Compose).Composer(func(line string) { t.Log(line) })
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		assert.NoError(t, c.Down(ctx, p, true))
	})
	start := time.Now()
	require.NoError(t, c.Up(ctx, p, engine.UpOptions{Wait: true, WaitTimeout: time.Minute}))
	t.Logf("up --wait: %s", time.Since(start).Round(time.Millisecond))

	ctr := map[string]engine.Container{}
	for _, s := range []string{"db", "api", "sidecar"} {
		ctr[s], err = e.InspectContainer(ctx, name+"-"+s+"-1")
		require.NoError(t, err, s)
	}
	back, err := e.InspectNetwork(ctx, name+"_back")
	require.NoError(t, err)
	front, err := e.InspectNetwork(ctx, name+"_front")
	require.NoError(t, err)
	vol, err := e.InspectVolume(ctx, name+"_data")
	require.NoError(t, err)

	mount := func(c engine.Container, dest string) engine.Mount {
		for _, m := range c.Mounts {
			if m.Destination == dest {
				return m
			}
		}
		return engine.Mount{}
	}
	rows := []struct {
		service, what string
		check         func(t *testing.T, c engine.Container)
	}{
		{"db", "running and healthy (healthcheck)", func(t *testing.T, c engine.Container) {
			assert.True(t, c.Running)
			assert.Equal(t, "healthy", c.Health)
			assert.NotEmpty(t, c.HealthLog)
		}},
		{"api", "depends_on service_healthy: api starts once db is healthy", func(t *testing.T, c engine.Container) {
			assert.GreaterOrEqual(t, c.StartedAt.Sub(ctr["db"].StartedAt), 2*time.Second)
		}},
		{"db", "named volume", func(t *testing.T, c engine.Container) {
			assert.Equal(t, engine.Mount{Type: "volume", Source: name + "_data", Destination: "/data", Driver: "local"}, mount(c, "/data"))
			assert.Equal(t, id, vol.Labels["ddlab.test"], "Prepare's labels on the volume")
			assert.Equal(t, name, vol.Labels["com.docker.compose.project"])
			assert.Equal(t, "data", vol.Labels["com.docker.compose.volume"])
		}},
		{"db", "tmpfs: with size (service key)", func(t *testing.T, c engine.Container) {
			assert.Equal(t, map[string]string{"/run": "size=1m"}, c.Tmpfs)
		}},
		{"db", "volumes type tmpfs with tmpfs.size", func(t *testing.T, c engine.Container) {
			m := mount(c, "/scratch")
			assert.Equal(t, "tmpfs", m.Type)
			assert.Equal(t, int64(2<<20), m.TmpfsSize)
		}},
		{"db", "read_only", func(t *testing.T, c engine.Container) {
			assert.True(t, c.ReadOnly)
		}},
		{"db", "networks with aliases", func(t *testing.T, c engine.Container) {
			require.Contains(t, c.Networks, name+"_back")
			assert.Subset(t, c.Networks[name+"_back"].Aliases, []string{"db", "store", "kv"})
			assert.NotContains(t, c.Networks, name+"_front")
		}},
		{"db", "networks: internal", func(t *testing.T, _ engine.Container) {
			assert.True(t, back.Internal)
			assert.False(t, front.Internal)
			assert.Equal(t, "bridge", back.Driver)
			assert.Equal(t, id, back.Labels["ddlab.test"], "Prepare's labels on the network")
			assert.Equal(t, "back", back.Labels["com.docker.compose.network"])
		}},
		{"db", "restart: unless-stopped", func(t *testing.T, c engine.Container) {
			assert.Equal(t, engine.RestartPolicy{Name: "unless-stopped"}, c.Restart)
		}},
		{"db", "Prepare's limits as default", func(t *testing.T, c engine.Container) {
			assert.Equal(t, int64(128<<20), c.Resources.Memory)
			assert.Equal(t, int64(128), c.Resources.PidsLimit)
			assert.Equal(t, int64(1e9), c.Resources.NanoCPUs)
		}},
		{"db", "command", func(t *testing.T, c engine.Container) {
			assert.Equal(t, []string{"sh", "-c", "trap 'exit 0' TERM; sleep 2; touch /data/ok; sleep 600 & wait"}, c.Cmd)
		}},
		{"api", "ports with host_ip 127.0.0.1", func(t *testing.T, c engine.Container) {
			require.Len(t, c.Ports, 1, "%v", c.Ports)
			assert.Equal(t, "8080/tcp", c.Ports[0].ContainerPort)
			assert.Equal(t, "127.0.0.1", c.Ports[0].HostIP)
			assert.NotEmpty(t, c.Ports[0].HostPort, "the engine chose a port")
		}},
		{"api", "bind mount read-only of a folder of the submission", func(t *testing.T, c engine.Container) {
			assert.Equal(t, engine.Mount{Type: "bind", Source: filepath.Join(dir, "static"), Destination: "/srv/static", ReadOnly: true}, mount(c, "/srv/static"))
		}},
		{"api", "networks: both, with the service name as alias", func(t *testing.T, c engine.Container) {
			require.Contains(t, c.Networks, name+"_front")
			require.Contains(t, c.Networks, name+"_back")
			assert.Contains(t, c.Networks[name+"_back"].Aliases, "api")
			assert.Equal(t, back.ID, c.Networks[name+"_back"].NetworkID)
		}},
		{"api", "user", func(t *testing.T, c engine.Container) {
			assert.Equal(t, "65534:65534", c.User)
		}},
		{"api", "cap_drop", func(t *testing.T, c engine.Container) {
			assert.Equal(t, []string{"ALL"}, c.CapDrop)
			assert.Empty(t, c.CapAdd)
			assert.False(t, c.Privileged)
		}},
		{"api", "security_opt", func(t *testing.T, c engine.Container) {
			assert.Equal(t, []string{"no-new-privileges:true"}, c.SecurityOpt)
		}},
		{"api", "pids_limit, mem_limit, cpus under the ceiling: kept", func(t *testing.T, c engine.Container) {
			assert.Equal(t, int64(64), c.Resources.PidsLimit)
			assert.Equal(t, int64(64<<20), c.Resources.Memory)
			assert.Equal(t, int64(5e8), c.Resources.NanoCPUs)
		}},
		{"api", "environment (.env, the grader's Env) and env_file", func(t *testing.T, c engine.Container) {
			assert.Subset(t, c.Env, []string{"GREETING=Bonjour", "LEVEL=debug", "FROM_FILE=oui"})
		}},
		{"api", "entrypoint and command", func(t *testing.T, c engine.Container) {
			assert.Equal(t, []string{"sh", "-c"}, c.Entrypoint)
			assert.Equal(t, []string{"sleep 600"}, c.Cmd)
		}},
		{"api", "init (not in engine.Container: PID 1 read with Exec)", func(t *testing.T, c engine.Container) {
			r, err := e.Exec(ctx, c.ID, engine.ExecSpec{Cmd: []string{"cat", "/proc/1/comm"}})
			require.NoError(t, err)
			assert.Equal(t, "docker-init", strings.TrimSpace(r.Stdout))
		}},
		{"api", "labels: Prepare's and Compose's", func(t *testing.T, c engine.Container) {
			assert.Equal(t, id, c.Labels["ddlab.test"])
			assert.Equal(t, name, c.Labels["com.docker.compose.project"])
			assert.Equal(t, "api", c.Labels["com.docker.compose.service"])
		}},
		{"sidecar", "network_mode: service:api", func(t *testing.T, c engine.Container) {
			assert.Equal(t, "container:"+ctr["api"].ID, c.NetworkMode)
			assert.Empty(t, c.Networks)
		}},
		{"sidecar", "deploy.resources.limits", func(t *testing.T, c engine.Container) {
			assert.Equal(t, int64(32<<20), c.Resources.Memory)
			assert.Equal(t, int64(2.5e8), c.Resources.NanoCPUs)
			assert.Equal(t, int64(32), c.Resources.PidsLimit)
		}},
	}
	for _, r := range rows {
		t.Run(r.service+"/"+r.what, func(t *testing.T) { r.check(t, ctr[r.service]) })
	}
}

// sweep removes whatever carries the test's label, should Down have left anything.
func sweep(t *testing.T, e engine.Engine, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	refs, err := e.List(ctx, "ddlab.test="+id)
	require.NoError(t, err)
	// Containers before the networks and volumes they use.
	slices.SortStableFunc(refs, func(a, b engine.Ref) int {
		return kindOrder(a.Kind) - kindOrder(b.Kind)
	})
	for _, r := range refs {
		assert.NoError(t, e.Remove(ctx, r))
	}
	assert.Empty(t, refs, "Down left nothing behind")
}

func kindOrder(k engine.Kind) int {
	return slices.Index([]engine.Kind{engine.KindContainer, engine.KindNetwork, engine.KindVolume, engine.KindImage}, k)
}
