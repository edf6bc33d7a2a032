package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/ddlab/grade/internal/engine"
)

// Run creates and starts a container. Submissions are untrusted: the container never gets
// privileges, host namespaces, devices, bind mounts or the Docker socket, and always has
// memory, CPU, PID and log limits.
func (e *Engine) Run(ctx context.Context, spec engine.RunSpec) (string, error) {
	lim := spec.Limits
	def := engine.DefaultLimits()
	if lim.MemoryBytes <= 0 {
		lim.MemoryBytes = def.MemoryBytes
	}
	if lim.NanoCPUs <= 0 {
		lim.NanoCPUs = def.NanoCPUs
	}
	if lim.Pids <= 0 {
		lim.Pids = def.Pids
	}
	if lim.LogMaxBytes <= 0 {
		lim.LogMaxBytes = def.LogMaxBytes
	}
	netMode := spec.NetworkMode
	if netMode == "" {
		netMode = "none"
	}
	if netMode == "host" {
		return "", errors.New("host network refused for submissions")
	}
	cfg := &container.Config{
		Image:      spec.Image,
		Entrypoint: spec.Entrypoint,
		Cmd:        spec.Cmd,
		Env:        spec.Env,
		User:       spec.User,
		Labels:     spec.Labels,
	}
	hc := &container.HostConfig{
		NetworkMode: container.NetworkMode(netMode),
		SecurityOpt: []string{"no-new-privileges:true"},
		CapDrop:     []string{"NET_RAW", "MKNOD", "AUDIT_WRITE", "SYS_CHROOT", "SETFCAP"},
		Resources: container.Resources{
			Memory:     lim.MemoryBytes,
			MemorySwap: lim.MemoryBytes,
			NanoCPUs:   lim.NanoCPUs,
			PidsLimit:  &lim.Pids,
		},
		LogConfig: container.LogConfig{Type: "json-file", Config: map[string]string{
			"max-size": strconv.FormatInt(lim.LogMaxBytes, 10), "max-file": "1",
		}},
	}
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nil, nil, spec.Name)
	if err != nil {
		return "", wrap(err)
	}
	if err := e.cli.ContainerStart(ctx, created.ID, container.StartOptions{}); err != nil {
		return created.ID, wrap(err)
	}
	return created.ID, nil
}

// InspectContainer reads a container's state.
func (e *Engine) InspectContainer(ctx context.Context, id string) (engine.Container, error) {
	ins, err := e.cli.ContainerInspect(ctx, id)
	if err != nil {
		return engine.Container{}, wrap(err)
	}
	c := engine.Container{ID: ins.ID, Name: ins.Name}
	if ins.Config != nil {
		c.Labels = ins.Config.Labels
	}
	if s := ins.State; s != nil {
		c.Status, c.Running, c.ExitCode, c.OOMKilled = s.Status, s.Running, s.ExitCode, s.OOMKilled
		c.StartedAt, _ = time.Parse(time.RFC3339Nano, s.StartedAt)
		c.FinishedAt, _ = time.Parse(time.RFC3339Nano, s.FinishedAt)
		if s.Health != nil {
			c.Health = s.Health.Status
			for _, l := range s.Health.Log {
				if l != nil {
					c.HealthLog = append(c.HealthLog, fmt.Sprintf("exit %d: %s", l.ExitCode, l.Output))
				}
			}
		}
	}
	return c, nil
}

// Stop sends SIGTERM, then SIGKILL after timeout, and returns when the container stopped.
func (e *Engine) Stop(ctx context.Context, id string, timeout time.Duration) error {
	secs := int(timeout / time.Second)
	return wrap(e.cli.ContainerStop(ctx, id, container.StopOptions{Timeout: &secs}))
}

// Wait returns the exit code of a container once it is no longer running.
func (e *Engine) Wait(ctx context.Context, id string) (int, error) {
	okC, errC := e.cli.ContainerWait(ctx, id, container.WaitConditionNotRunning)
	select {
	case r := <-okC:
		if r.Error != nil {
			return int(r.StatusCode), errors.New(r.Error.Message)
		}
		return int(r.StatusCode), nil
	case err := <-errC:
		return -1, wrap(err)
	}
}

// Logs returns at most the last maxBytes of a container's stdout and stderr, interleaved.
func (e *Engine) Logs(ctx context.Context, id string, maxBytes int) (string, error) {
	rc, err := e.cli.ContainerLogs(ctx, id, container.LogsOptions{ShowStdout: true, ShowStderr: true, Tail: "500"})
	if err != nil {
		return "", wrap(err)
	}
	defer rc.Close()
	// Keep the tail, not the head: the end of the logs (a shutdown message) is what checks read.
	w := &tailWriter{max: max(maxBytes, 0)}
	if _, err := stdcopy.StdCopy(w, w, io.LimitReader(rc, 8<<20)); err != nil {
		return "", wrap(err)
	}
	b := w.b
	if len(b) > w.max {
		b = b[len(b)-w.max:]
	}
	return string(b), nil
}

// tailWriter keeps (at least) the last max bytes written to it, in at most 2*max bytes.
type tailWriter struct {
	b   []byte
	max int
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.b = append(t.b, p...)
	if len(t.b) > 2*t.max {
		t.b = append(t.b[:0:0], t.b[len(t.b)-t.max:]...)
	}
	return len(p), nil
}

// List finds every container, network, volume and image that carries label.
func (e *Engine) List(ctx context.Context, label string) ([]engine.Ref, error) {
	f := filters.NewArgs(filters.Arg("label", label))
	var refs []engine.Ref
	cs, err := e.cli.ContainerList(ctx, container.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, wrap(err)
	}
	for _, c := range cs {
		refs = append(refs, engine.Ref{Kind: engine.KindContainer, ID: c.ID})
	}
	ns, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: f})
	if err != nil {
		return nil, wrap(err)
	}
	for _, n := range ns {
		refs = append(refs, engine.Ref{Kind: engine.KindNetwork, ID: n.ID})
	}
	vs, err := e.cli.VolumeList(ctx, volume.ListOptions{Filters: f})
	if err != nil {
		return nil, wrap(err)
	}
	for _, v := range vs.Volumes {
		refs = append(refs, engine.Ref{Kind: engine.KindVolume, ID: v.Name})
	}
	is, err := e.cli.ImageList(ctx, image.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, wrap(err)
	}
	for _, i := range is {
		refs = append(refs, engine.Ref{Kind: engine.KindImage, ID: i.ID})
	}
	return refs, nil
}

// Remove removes one object; an object already gone is not an error.
func (e *Engine) Remove(ctx context.Context, r engine.Ref) error {
	var err error
	switch r.Kind {
	case engine.KindContainer:
		err = e.cli.ContainerRemove(ctx, r.ID, container.RemoveOptions{Force: true, RemoveVolumes: true})
	case engine.KindNetwork:
		err = e.cli.NetworkRemove(ctx, r.ID)
	case engine.KindVolume:
		err = e.cli.VolumeRemove(ctx, r.ID, true)
	case engine.KindImage:
		_, err = e.cli.ImageRemove(ctx, r.ID, image.RemoveOptions{Force: true, PruneChildren: true})
	default:
		return fmt.Errorf("remove: unknown kind %q", r.Kind)
	}
	if errdefs.IsNotFound(err) {
		return nil
	}
	return wrap(err)
}
