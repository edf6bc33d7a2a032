package docker

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
)

// createBody is the part of POST /containers/create that the sandbox rules are about.
type createBody struct {
	Image      string
	User       string
	Entrypoint []string
	Cmd        []string
	Env        []string
	Labels     map[string]string
	HostConfig struct {
		Privileged      bool
		Binds           []string
		Mounts          []any
		Devices         []any
		CapAdd          []string
		CapDrop         []string
		NetworkMode     string
		PidMode         string
		IpcMode         string
		UsernsMode      string
		Memory          int64
		MemorySwap      int64
		NanoCpus        int64
		PidsLimit       *int64
		SecurityOpt     []string
		PublishAllPorts bool
		LogConfig       struct {
			Type   string
			Config map[string]string
		}
	}
}

func TestRun(t *testing.T) {
	tests := []struct {
		name        string
		spec        engine.RunSpec
		wantNetwork string
		wantLimits  engine.Limits
		wantErr     string
		gateway     bool // the spec names lab7-front, whose gateway is 172.18.0.1
	}{
		{
			name:        "defaults",
			spec:        engine.RunSpec{Name: "grade-lab5-3f1c2a9b-run", Image: "grade-lab5:3f1c2a9b", Labels: map[string]string{"dev.ddlab.grade.run": "3f1c2a9b"}},
			wantNetwork: "none",
			wantLimits:  engine.DefaultLimits(),
		},
		{
			name: "explicit limits and a shared network namespace",
			spec: engine.RunSpec{
				Image: "grade-lab5:3f1c2a9b", User: "10001", Entrypoint: []string{"/app/server"}, Cmd: []string{"serve"},
				Env: []string{"APP_ADDR=:8080"}, NetworkMode: "container:8d2f4c6a1b3e",
				Limits: engine.Limits{MemoryBytes: 64 << 20, NanoCPUs: 5e8, Pids: 32, LogMaxBytes: 4096},
			},
			wantNetwork: "container:8d2f4c6a1b3e",
			wantLimits:  engine.Limits{MemoryBytes: 64 << 20, NanoCPUs: 5e8, Pids: 32, LogMaxBytes: 4096},
		},
		{
			name:        "partial limits fall back to the defaults",
			spec:        engine.RunSpec{Image: "grade-lab5:3f1c2a9b", NetworkMode: "none", Limits: engine.Limits{MemoryBytes: 32 << 20}},
			wantNetwork: "none",
			wantLimits:  engine.Limits{MemoryBytes: 32 << 20, NanoCPUs: 1e9, Pids: 256, LogMaxBytes: 1 << 20},
		},
		{
			name:    "host network refused",
			spec:    engine.RunSpec{Image: "grade-lab5:3f1c2a9b", NetworkMode: "host"},
			wantErr: "host network refused",
		},
		// Published on loopback, or on the gateway of the network a port names (lab 7's
		// canary); never on another address of the host, even one a caller calls a gateway.
		{
			name:        "published on loopback",
			spec:        engine.RunSpec{Image: "ddlab/probe:1", NetworkMode: "bridge", Ports: []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "127.0.0.1"}}},
			wantNetwork: "bridge",
			wantLimits:  engine.DefaultLimits(),
		},
		{
			name: "published on the named network's gateway",
			spec: engine.RunSpec{Image: "ddlab/probe:1", NetworkMode: "bridge",
				Ports: []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "172.18.0.1", Gateway: "lab7-front"}}},
			wantNetwork: "bridge",
			wantLimits:  engine.DefaultLimits(),
			gateway:     true,
		},
		{
			name:    "published on the LAN",
			spec:    engine.RunSpec{Image: "ddlab/probe:1", NetworkMode: "bridge", Ports: []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "192.168.1.20"}}},
			wantErr: "loopback or a network's gateway only",
		},
		{
			name: "published on every address",
			spec: engine.RunSpec{Image: "ddlab/probe:1", NetworkMode: "bridge",
				Ports: []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "0.0.0.0", Gateway: "lab7-front"}}},
			wantErr: "loopback or a network's gateway only",
			gateway: true,
		},
		{
			name: "published on an address that is not that network's gateway",
			spec: engine.RunSpec{Image: "ddlab/probe:1", NetworkMode: "bridge",
				Ports: []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "172.18.0.2", Gateway: "lab7-front"}}},
			wantErr: "loopback or a network's gateway only",
			gateway: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			id := "8d2f4c6a1b3e5d7f9a0c2e4b6d8f0a1c3e5b7d9f1a2c4e6b8d0f2a4c6e8b0d2f"
			if tt.gateway {
				reg.Register(http.MethodGet, "/v1.41/networks/lab7-front", bodyResponse(http.StatusOK, "application/json",
					[]byte(`{"Name":"lab7-front","Id":"f1","IPAM":{"Config":[{"Subnet":"172.18.0.0/16","Gateway":"172.18.0.1"}]}}`)))
			}
			if tt.wantErr == "" {
				reg.Register(http.MethodPost, "/v1.41/containers/create", fileResponse(t, http.StatusCreated, "container_create.json"))
				reg.Register(http.MethodPost, "/v1.41/containers/"+id+"/start", bodyResponse(http.StatusNoContent, "", nil))
			}
			e := newTestEngine(t, reg, "unix:///var/run/docker.sock")

			got, err := e.Run(context.Background(), tt.spec)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				assert.Empty(t, reg.Requests(http.MethodPost, "/v1.41/containers/.*"), "nothing may be created")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, id, got)
			reg.Verify(t)

			reqs := reg.Requests(http.MethodPost, "/v1.41/containers/create")
			require.Len(t, reqs, 1)
			if tt.spec.Name != "" {
				assert.Equal(t, []string{tt.spec.Name}, reqs[0].Query["name"])
			}
			var raw map[string]any
			require.NoError(t, json.Unmarshal(reqs[0].Body, &raw))
			require.Contains(t, raw["HostConfig"], "Privileged", "Privileged must be sent, explicitly false")

			var body createBody
			require.NoError(t, json.Unmarshal(reqs[0].Body, &body))
			assert.Equal(t, tt.spec.Image, body.Image)
			assert.Equal(t, tt.spec.User, body.User)
			assert.Equal(t, tt.spec.Entrypoint, body.Entrypoint)
			assert.Equal(t, tt.spec.Cmd, body.Cmd)
			assert.Equal(t, tt.spec.Env, body.Env)
			assert.Equal(t, tt.spec.Labels, body.Labels)

			hc := body.HostConfig
			assert.False(t, hc.Privileged)
			assert.Empty(t, hc.Binds)
			assert.Empty(t, hc.Mounts)
			assert.Empty(t, hc.Devices)
			assert.Empty(t, hc.CapAdd)
			assert.False(t, hc.PublishAllPorts)
			assert.Equal(t, tt.wantNetwork, hc.NetworkMode)
			for _, ns := range []string{hc.PidMode, hc.IpcMode, hc.UsernsMode} {
				assert.NotEqual(t, "host", ns)
			}
			assert.Equal(t, tt.wantLimits.MemoryBytes, hc.Memory)
			assert.Equal(t, hc.Memory, hc.MemorySwap, "no swap beyond the memory limit")
			assert.Equal(t, tt.wantLimits.NanoCPUs, hc.NanoCpus)
			require.NotNil(t, hc.PidsLimit)
			assert.Equal(t, tt.wantLimits.Pids, *hc.PidsLimit)
			assert.Equal(t, "json-file", hc.LogConfig.Type)
			assert.Equal(t, strconvI(tt.wantLimits.LogMaxBytes), hc.LogConfig.Config["max-size"])
			assert.Contains(t, hc.SecurityOpt, "no-new-privileges:true")
		})
	}
}

func strconvI(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestRunStartFailureReturnsID(t *testing.T) {
	reg := &registry{}
	id := "8d2f4c6a1b3e5d7f9a0c2e4b6d8f0a1c3e5b7d9f1a2c4e6b8d0f2a4c6e8b0d2f"
	reg.Register(http.MethodPost, "/v1.41/containers/create", fileResponse(t, http.StatusCreated, "container_create.json"))
	reg.Register(http.MethodPost, "/v1.41/containers/"+id+"/start", errorResponse(http.StatusInternalServerError,
		`OCI runtime create failed: runc create failed: unable to start container process: exec: "/app/server": stat /app/server: no such file or directory: unknown`))
	e := newTestEngine(t, reg, "unix:///var/run/docker.sock")

	got, err := e.Run(context.Background(), engine.RunSpec{Image: "grade-lab5:3f1c2a9b"})
	require.Error(t, err)
	assert.Equal(t, id, got, "the caller must be able to remove the created container")
	assert.NotErrorIs(t, err, engine.ErrUnavailable)
	reg.Verify(t)
}

func TestInspectContainer(t *testing.T) {
	reg := &registry{}
	reg.Register(http.MethodGet, "/v1.41/containers/8d2f4c6a1b3e/json", fileResponse(t, 200, "container_inspect.json"))
	e := newTestEngine(t, reg, "unix:///var/run/docker.sock")

	got, err := e.InspectContainer(context.Background(), "8d2f4c6a1b3e")
	require.NoError(t, err)
	assert.Equal(t, engine.Container{
		ID:      "8d2f4c6a1b3e5d7f9a0c2e4b6d8f0a1c3e5b7d9f1a2c4e6b8d0f2a4c6e8b0d2f",
		Name:    "grade-lab5-3f1c2a9b-health",
		Status:  "running",
		Running: true,
		Health:  "unhealthy",
		HealthLog: []string{
			"exit 0: ok\n",
			"exit 1: dial tcp 127.0.0.1:8080: connect: connection refused\n",
			"exit -1: Health check exceeded timeout (3s)",
		},
		StartedAt:   time.Date(2024, 3, 5, 9, 14, 5, 812734912, time.UTC),
		Labels:      map[string]string{"dev.ddlab.grade.run": "3f1c2a9b-6d1e-4b8a-9c55-0e2f4a7b8c9d"},
		Image:       "grade-lab5:3f1c2a9b",
		ImageID:     "sha256:5f8e0c2b7d1a4c3e9b6f0a1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3",
		Created:     time.Date(2024, 3, 5, 9, 14, 5, 331276201, time.UTC),
		Hostname:    "8d2f4c6a1b3e",
		Env:         []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
		Entrypoint:  []string{"/app/server"},
		User:        "app",
		Pid:         41822,
		Resources:   engine.Resources{Memory: 268435456, MemorySwap: 268435456, NanoCPUs: 1000000000, PidsLimit: 256},
		SecurityOpt: []string{"no-new-privileges:true"},
		NetworkMode: "none",
		Networks:    map[string]engine.Endpoint{"none": {NetworkID: "d4e5"}},
	}, withUTC(got))
	reg.Verify(t)
}

// withUTC normalises times so that a parsed "Z" compares equal to time.UTC.
func withUTC(c engine.Container) engine.Container {
	c.StartedAt, c.FinishedAt, c.Created = c.StartedAt.UTC(), c.FinishedAt.UTC(), c.Created.UTC()
	return c
}

func TestInspectContainerExitedWithoutHealthcheck(t *testing.T) {
	reg := &registry{}
	reg.Register(http.MethodGet, "/v1.41/containers/abc/json", bodyResponse(200, "application/json", []byte(`{
		"Id":"abc","Name":"/x",
		"State":{"Status":"exited","Running":false,"OOMKilled":true,"ExitCode":137,
			"StartedAt":"2024-03-05T09:14:05.1Z","FinishedAt":"2024-03-05T09:14:07.5Z"},
		"Config":{"Labels":{}}}`)))
	e := newTestEngine(t, reg, "unix:///var/run/docker.sock")

	got, err := e.InspectContainer(context.Background(), "abc")
	require.NoError(t, err)
	assert.Equal(t, "exited", got.Status)
	assert.False(t, got.Running)
	assert.True(t, got.OOMKilled)
	assert.Equal(t, 137, got.ExitCode)
	assert.Empty(t, got.Health)
	assert.Nil(t, got.HealthLog)
	assert.Equal(t, 2400*time.Millisecond, got.FinishedAt.Sub(got.StartedAt))
	reg.Verify(t)
}

func TestRemove(t *testing.T) {
	tests := []struct {
		name    string
		ref     engine.Ref
		path    string
		status  int
		wantErr string
		query   map[string]string
	}{
		{name: "container", ref: engine.Ref{Kind: engine.KindContainer, ID: "c1"}, path: "/v1.41/containers/c1", status: http.StatusNoContent, query: map[string]string{"force": "1", "v": "1"}},
		{name: "container already gone", ref: engine.Ref{Kind: engine.KindContainer, ID: "c1"}, path: "/v1.41/containers/c1", status: http.StatusNotFound},
		{name: "network already gone", ref: engine.Ref{Kind: engine.KindNetwork, ID: "n1"}, path: "/v1.41/networks/n1", status: http.StatusNotFound},
		{name: "volume already gone", ref: engine.Ref{Kind: engine.KindVolume, ID: "v1"}, path: "/v1.41/volumes/v1", status: http.StatusNotFound},
		{name: "image", ref: engine.Ref{Kind: engine.KindImage, ID: "sha256:abc"}, path: "/v1.41/images/sha256:abc", status: http.StatusOK, query: map[string]string{"force": "1"}},
		{name: "image already gone", ref: engine.Ref{Kind: engine.KindImage, ID: "sha256:abc"}, path: "/v1.41/images/sha256:abc", status: http.StatusNotFound},
		{name: "volume in use", ref: engine.Ref{Kind: engine.KindVolume, ID: "v1"}, path: "/v1.41/volumes/v1", status: http.StatusConflict, wantErr: "volume is in use"},
		{name: "unknown kind", ref: engine.Ref{Kind: "secret", ID: "s1"}, wantErr: `unknown kind "secret"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			if tt.path != "" {
				var resp = bodyResponse(tt.status, "", nil)
				switch {
				case tt.status == http.StatusNotFound:
					resp = errorResponse(tt.status, "No such object: "+tt.ref.ID)
				case tt.status >= 400:
					resp = errorResponse(tt.status, "remove "+tt.ref.ID+": volume is in use - [c1]")
				case tt.ref.Kind == engine.KindImage:
					resp = bodyResponse(tt.status, "application/json", []byte(`[{"Deleted":"sha256:abc"}]`))
				}
				reg.Register(http.MethodDelete, tt.path, resp)
			}
			e := newTestEngine(t, reg, "unix:///var/run/docker.sock")

			err := e.Remove(context.Background(), tt.ref)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			reg.Verify(t)
			if tt.query != nil {
				reqs := reg.Requests(http.MethodDelete, tt.path)
				require.Len(t, reqs, 1)
				for k, v := range tt.query {
					assert.Equal(t, []string{v}, reqs[0].Query[k], k)
				}
			}
		})
	}
}

// muxed frames p as the daemon does for a container without a TTY.
func muxed(stream byte, p string) []byte {
	h := make([]byte, 8)
	h[0] = stream
	binary.BigEndian.PutUint32(h[4:], uint32(len(p)))
	return append(h, p...)
}

func TestLogs(t *testing.T) {
	var body bytes.Buffer
	body.Write(muxed(1, "listening on :8080\n"))
	body.Write(muxed(2, "warning: no TLS\n"))
	body.Write(muxed(1, strings.Repeat("x", 50)+"\n"))
	tests := []struct {
		name     string
		maxBytes int
		want     string
	}{
		{name: "everything", maxBytes: 1000, want: "listening on :8080\nwarning: no TLS\n" + strings.Repeat("x", 50) + "\n"},
		{name: "the tail", maxBytes: 10, want: "xxxxxxxxx\n"},
		{name: "the tail of stderr and stdout", maxBytes: 55, want: "TLS\n" + strings.Repeat("x", 50) + "\n"},
		{name: "nothing", maxBytes: 0, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			reg.Register(http.MethodGet, "/v1.41/containers/c1/logs", bodyResponse(200, "application/vnd.docker.raw-stream", body.Bytes()))
			e := newTestEngine(t, reg, "unix:///var/run/docker.sock")
			got, err := e.Logs(context.Background(), "c1", tt.maxBytes)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			reqs := reg.Requests(http.MethodGet, "/v1.41/containers/c1/logs")
			require.Len(t, reqs, 1)
			assert.Equal(t, []string{"1"}, reqs[0].Query["stdout"])
			assert.Equal(t, []string{"1"}, reqs[0].Query["stderr"])
			reg.Verify(t)
		})
	}
}

func TestList(t *testing.T) {
	reg := &registry{}
	reg.Register(http.MethodGet, "/v1.41/containers/json", bodyResponse(200, "application/json", []byte(`[{"Id":"c1"},{"Id":"c2"}]`)))
	reg.Register(http.MethodGet, "/v1.41/networks", bodyResponse(200, "application/json", []byte(`[{"Id":"n1","Name":"grade-x"}]`)))
	reg.Register(http.MethodGet, "/v1.41/volumes", bodyResponse(200, "application/json", []byte(`{"Volumes":[{"Name":"v1"}],"Warnings":null}`)))
	reg.Register(http.MethodGet, "/v1.41/images/json", bodyResponse(200, "application/json", []byte(`[{"Id":"sha256:i1","RepoTags":["grade-lab5:x"]}]`)))
	e := newTestEngine(t, reg, "unix:///var/run/docker.sock")

	got, err := e.List(context.Background(), "dev.ddlab.grade.run=3f1c2a9b")
	require.NoError(t, err)
	assert.Equal(t, []engine.Ref{
		{Kind: engine.KindContainer, ID: "c1"}, {Kind: engine.KindContainer, ID: "c2"},
		{Kind: engine.KindNetwork, ID: "n1"}, {Kind: engine.KindVolume, ID: "v1"}, {Kind: engine.KindImage, ID: "sha256:i1"},
	}, got)
	for _, p := range []string{"/v1.41/containers/json", "/v1.41/networks", "/v1.41/volumes", "/v1.41/images/json"} {
		reqs := reg.Requests(http.MethodGet, p)
		require.Len(t, reqs, 1, p)
		assert.Contains(t, reqs[0].Query.Get("filters"), "dev.ddlab.grade.run=3f1c2a9b", p)
	}
	reg.Verify(t)
}
