package docker_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/testenv"
)

func busybox(t *testing.T) (engine.Engine, map[string]string, context.Context) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return e, labels(t, e), ctx
}

// TestContainerLifecycle walks create → start → exec → logs → kill on a real container and
// reads back what the labs' checks read: name lookup, PID, hostname, limits, restart policy.
func TestContainerLifecycle(t *testing.T) {
	e, lbl, ctx := busybox(t)
	name := "ddlab-test-" + lbl["ddlab.test"][:8]
	id, err := e.Create(ctx, engine.RunSpec{Name: name, Image: "ddlab/busybox:1", Labels: lbl, Hostname: "box",
		Cmd: []string{"sh", "-c", "echo out; echo err >&2; exec sleep 60"}})
	require.NoError(t, err)

	_, err = e.Create(ctx, engine.RunSpec{Name: name, Image: "ddlab/busybox:1", Labels: lbl})
	require.ErrorIs(t, err, engine.ErrConflict, "a name is unique on the engine")

	list, err := e.ListContainers(ctx, engine.ContainerFilter{Name: name, All: true})
	require.NoError(t, err)
	require.Len(t, list, 1)
	assert.Equal(t, "created", list[0].State)
	running, err := e.ListContainers(ctx, engine.ContainerFilter{Labels: []string{"ddlab.test=" + lbl["ddlab.test"]}})
	require.NoError(t, err)
	assert.Empty(t, running, "without All, a created container is not listed")

	require.NoError(t, e.Start(ctx, id))
	c, err := e.InspectContainer(ctx, name)
	require.NoError(t, err)
	assert.True(t, c.Running)
	assert.Greater(t, c.Pid, 1)
	assert.Equal(t, "box", c.Hostname)
	assert.Equal(t, "ddlab/busybox:1", c.Image)
	assert.Equal(t, int64(256<<20), c.Resources.Memory)
	assert.Equal(t, c.Resources.Memory, c.Resources.MemorySwap)
	assert.Equal(t, int64(256), c.Resources.PidsLimit)
	assert.Equal(t, "none", c.NetworkMode)

	res, err := e.Exec(ctx, id, engine.ExecSpec{Cmd: []string{"sh", "-c", "cat /etc/hostname; echo oops >&2; exit 3"}})
	require.NoError(t, err)
	assert.Equal(t, 3, res.ExitCode)
	assert.Equal(t, "box\n", res.Stdout)
	assert.Equal(t, "oops\n", res.Stderr)

	_, err = e.Exec(ctx, id, engine.ExecSpec{Cmd: []string{"sleep", "30"}, Timeout: time.Second})
	require.ErrorIs(t, err, context.DeadlineExceeded, "a hung exec ends at its timeout")

	require.Eventually(t, func() bool {
		l, err := e.ReadLogs(ctx, id, engine.LogOptions{})
		return err == nil && l.Stdout == "out\n" && l.Stderr == "err\n"
	}, 10*time.Second, 100*time.Millisecond, "streams are demultiplexed")
	// Tail counts lines of both streams together: the last two are "out" and "err".
	l, err := e.ReadLogs(ctx, id, engine.LogOptions{Tail: 2, Timestamps: true})
	require.NoError(t, err)
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT[0-9:.]+Z out\n$`, l.Stdout)
	assert.Regexp(t, `^\d{4}-\d\d-\d\dT[0-9:.]+Z err\n$`, l.Stderr)

	require.NoError(t, e.Kill(ctx, id, "SIGKILL"))
	code, err := e.Wait(ctx, id)
	require.NoError(t, err)
	assert.Equal(t, 137, code)

	_, err = e.InspectContainer(ctx, "ddlab-test-no-such-container")
	require.ErrorIs(t, err, engine.ErrNotFound)
}

// TestRunRefusesHostAccess: what a grader-run container may ask for stays on loopback and off
// the host's files.
func TestRunRefusesHostAccess(t *testing.T) {
	e, lbl, ctx := busybox(t)
	for name, spec := range map[string]engine.RunSpec{
		"public port": {Ports: []engine.PortBinding{{ContainerPort: "80", HostIP: "0.0.0.0"}}},
		"no host ip":  {Ports: []engine.PortBinding{{ContainerPort: "80"}}},
		"bind mount":  {Mounts: []engine.Mount{{Type: "bind", Source: "/", Destination: "/host"}}},
		"host net":    {NetworkMode: "host"},
	} {
		spec.Image, spec.Labels = "ddlab/busybox:1", lbl
		_, err := e.Create(ctx, spec)
		assert.Error(t, err, name)
	}
}

// TestPortsVolumesNetworks publishes on loopback, mounts a volume and a tmpfs, and resolves a
// DNS alias on a user-defined network, as labs 6 and 7 do.
func TestPortsVolumesNetworks(t *testing.T) {
	e, lbl, ctx := busybox(t)
	suffix := lbl["ddlab.test"][:8]
	vol, err := e.CreateVolume(ctx, engine.VolumeSpec{Name: "ddlab-test-vol-" + suffix, Labels: lbl})
	require.NoError(t, err)
	assert.Equal(t, "local", vol.Driver)
	vols, err := e.ListVolumes(ctx, "ddlab.test="+lbl["ddlab.test"])
	require.NoError(t, err)
	require.Len(t, vols, 1)

	netw, err := e.CreateNetwork(ctx, engine.NetworkSpec{Name: "ddlab-test-net-" + suffix, Internal: true, Labels: lbl})
	require.NoError(t, err)
	assert.True(t, netw.Internal)
	require.NotEmpty(t, netw.Subnets)

	srv, err := e.Run(ctx, engine.RunSpec{Image: "ddlab/busybox:1", Labels: lbl, NetworkMode: netw.Name, Aliases: []string{"srv"},
		Mounts: []engine.Mount{{Type: "volume", Source: vol.Name, Destination: "/data"}, {Type: "tmpfs", Destination: "/scratch", TmpfsSize: 1 << 20}},
		Cmd:    []string{"sh", "-c", "echo hello > /data/f; exec httpd -f -p 8080 -h /data"}})
	require.NoError(t, err)
	c, err := e.InspectContainer(ctx, srv)
	require.NoError(t, err)
	require.Contains(t, c.Networks, netw.Name)
	assert.Contains(t, c.Networks[netw.Name].Aliases, "srv")
	var kinds []string
	for _, m := range c.Mounts {
		kinds = append(kinds, m.Type+":"+m.Destination)
		if m.Type == "volume" {
			assert.Equal(t, vol.Name, m.Source)
		}
	}
	assert.ElementsMatch(t, []string{"volume:/data", "tmpfs:/scratch"}, kinds)
	full, err := e.InspectNetwork(ctx, netw.Name)
	require.NoError(t, err)
	assert.Equal(t, c.Networks[netw.Name].IP, full.Containers[srv])

	cli, err := e.Run(ctx, engine.RunSpec{Image: "ddlab/busybox:1", Labels: lbl, NetworkMode: netw.Name,
		Cmd: []string{"sh", "-c", "for i in 1 2 3 4 5 6 7 8 9 10; do timeout 2 wget -q -O - http://srv:8080/f && exit 0; sleep 0.3; done; exit 1"}})
	require.NoError(t, err)
	code, err := e.Wait(ctx, cli)
	require.NoError(t, err)
	logs, _ := e.ReadLogs(ctx, cli, engine.LogOptions{})
	require.Equal(t, 0, code, "%+v", logs)
	assert.Equal(t, "hello\n", logs.Stdout, "the alias resolves and the volume holds the file")

	// A published port on loopback, with the host port chosen by the engine.
	web, err := e.Run(ctx, engine.RunSpec{Image: "ddlab/busybox:1", Labels: lbl, NetworkMode: "bridge",
		Ports:  []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "127.0.0.1"}},
		Mounts: []engine.Mount{{Type: "volume", Source: vol.Name, Destination: "/data", ReadOnly: true}},
		Cmd:    []string{"httpd", "-f", "-p", "8080", "-h", "/data"}})
	require.NoError(t, err)
	wc, err := e.InspectContainer(ctx, web)
	require.NoError(t, err)
	require.Len(t, wc.Ports, 1)
	assert.Equal(t, "127.0.0.1", wc.Ports[0].HostIP)
	require.NotEmpty(t, wc.Ports[0].HostPort)
	assert.True(t, wc.Mounts[0].ReadOnly)
	var body string
	require.Eventually(t, func() bool {
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%s/f", wc.Ports[0].HostPort))
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		body = string(b)
		return resp.StatusCode == 200
	}, 10*time.Second, 200*time.Millisecond)
	assert.Equal(t, "hello\n", body)
}

// TestImagesTagLoadPull tags, removes a tag, loads an archive back, and refuses to pull from
// anywhere but loopback.
func TestImagesTagLoadPull(t *testing.T) {
	e, lbl, ctx := busybox(t)
	ref := "ddlab-test/" + lbl["ddlab.test"][:8] + ":x"
	require.NoError(t, e.TagImage(ctx, "ddlab/busybox:1", ref))
	img, err := e.InspectImage(ctx, ref)
	require.NoError(t, err)
	assert.Contains(t, img.RepoTags, ref)
	assert.NotEmpty(t, img.LayerIDs)
	require.NoError(t, e.RemoveImage(ctx, ref, false))
	_, err = e.InspectImage(ctx, ref)
	require.ErrorIs(t, err, engine.ErrNotFound)
	base, err := e.InspectImage(ctx, "ddlab/busybox:1")
	require.NoError(t, err, "removing a tag keeps the image")

	err = e.PullImage(ctx, "docker.io/library/alpine:3")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "loopback")

	_, err = e.LoadImage(ctx, bytes.NewReader([]byte("not a tar")))
	require.Error(t, err)
	_ = base
}

// TestEventsWindow reads the events of a container lifecycle inside a closed time window.
func TestEventsWindow(t *testing.T) {
	e, lbl, ctx := busybox(t)
	since := time.Now().Add(-time.Second)
	id, err := e.Run(ctx, engine.RunSpec{Image: "ddlab/busybox:1", Labels: lbl, Cmd: []string{"true"}})
	require.NoError(t, err)
	_, err = e.Wait(ctx, id)
	require.NoError(t, err)
	require.NoError(t, e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id}))
	until := time.Now().Add(time.Second)
	evs, err := e.Events(ctx, engine.EventFilter{Since: since, Until: until, Type: "container",
		Labels: []string{"ddlab.test=" + lbl["ddlab.test"]}})
	require.NoError(t, err)
	var actions []string
	for _, ev := range evs {
		if ev.ID == id {
			actions = append(actions, ev.Action)
		}
	}
	for _, a := range []string{"create", "start", "die", "destroy"} {
		assert.Contains(t, actions, a)
	}
	_, err = e.Events(ctx, engine.EventFilter{Since: since})
	require.Error(t, err, "an open window would never end")
}

// TestHostDialInfo: Dial reaches the API the way the lab 2 proxy forwards, and Info reports
// what lab 1 and lab 2 compare students' answers with.
func TestHostDialInfo(t *testing.T) {
	e := testenv.Engine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	assert.NotEmpty(t, e.Host())
	conn, err := e.Dial(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = io.WriteString(conn, "GET /_ping HTTP/1.1\r\nHost: docker\r\nConnection: close\r\n\r\n")
	require.NoError(t, err)
	b, err := io.ReadAll(io.LimitReader(conn, 4096))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(b), "HTTP/1.1 200"), string(b))
	assert.Contains(t, string(b), "Api-Version")

	info, err := e.Info(ctx)
	require.NoError(t, err)
	assert.NotEmpty(t, info.KernelVersion)
	assert.NotEmpty(t, info.DefaultRuntime)
	assert.NotEmpty(t, info.CgroupDriver)
	assert.NotEmpty(t, info.ContainerdVersion)
	assert.NotEmpty(t, info.ServerAPIVersion)
}
