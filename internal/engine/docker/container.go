package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/mount"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/pkg/stdcopy"
	"github.com/docker/go-connections/nat"

	"github.com/ddlab/grade/internal/engine"
)

// Run creates and starts a container (see Create).
func (e *Engine) Run(ctx context.Context, spec engine.RunSpec) (string, error) {
	id, err := e.Create(ctx, spec)
	if err != nil {
		return id, err
	}
	if err := e.cli.ContainerStart(ctx, id, container.StartOptions{}); err != nil {
		return id, wrap(err)
	}
	return id, nil
}

// Create creates a container without starting it. Submissions are untrusted: the container
// never gets privileges, host namespaces, devices, bind mounts or the Docker socket, publishes
// only on loopback, and always has memory, CPU, PID and log limits.
func (e *Engine) Create(ctx context.Context, spec engine.RunSpec) (string, error) {
	gateways, err := e.gateways(ctx, spec.Ports)
	if err != nil {
		return "", err
	}
	cfg, hc, nc, err := createConfig(spec, gateways)
	if err != nil {
		return "", err
	}
	created, err := e.cli.ContainerCreate(ctx, cfg, hc, nc, nil, spec.Name)
	if err != nil {
		return "", wrap(err)
	}
	return created.ID, nil
}

// gateways returns the gateway addresses of the networks that ports name in Gateway: the
// only addresses besides loopback a container may be published on.
func (e *Engine) gateways(ctx context.Context, ports []engine.PortBinding) (map[string]bool, error) {
	out := map[string]bool{}
	for _, p := range ports {
		if p.Gateway == "" {
			continue
		}
		n, err := e.cli.NetworkInspect(ctx, p.Gateway, network.InspectOptions{})
		if err != nil {
			return nil, wrap(err)
		}
		for _, c := range n.IPAM.Config {
			if c.Gateway != "" {
				out[c.Gateway] = true
			}
		}
	}
	return out, nil
}

func createConfig(spec engine.RunSpec, gateways map[string]bool) (*container.Config, *container.HostConfig, *network.NetworkingConfig, error) {
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
	if netMode == "host" || strings.HasPrefix(netMode, "ns:") {
		return nil, nil, nil, errors.New("host network refused for submissions")
	}
	cfg := &container.Config{
		Image:        spec.Image,
		Entrypoint:   spec.Entrypoint,
		Cmd:          spec.Cmd,
		Env:          spec.Env,
		User:         spec.User,
		Labels:       spec.Labels,
		Hostname:     spec.Hostname,
		ExposedPorts: nat.PortSet{},
	}
	hc := &container.HostConfig{
		NetworkMode:    container.NetworkMode(netMode),
		ReadonlyRootfs: spec.ReadOnly,
		SecurityOpt:    []string{"no-new-privileges:true"},
		CapDrop:        []string{"NET_RAW", "MKNOD", "AUDIT_WRITE", "SYS_CHROOT", "SETFCAP"},
		Resources: container.Resources{
			Memory:     lim.MemoryBytes,
			MemorySwap: lim.MemoryBytes,
			NanoCPUs:   lim.NanoCPUs,
			PidsLimit:  &lim.Pids,
		},
		LogConfig: container.LogConfig{Type: "json-file", Config: map[string]string{
			"max-size": strconv.FormatInt(lim.LogMaxBytes, 10), "max-file": "1",
		}},
		PortBindings: nat.PortMap{},
	}
	for _, p := range spec.Ports {
		ip := net.ParseIP(p.HostIP)
		if ip == nil || !ip.IsLoopback() && !(p.Gateway != "" && gateways[p.HostIP]) {
			return nil, nil, nil, fmt.Errorf("port %s: publishing on %q refused, loopback or a network's gateway only", p.ContainerPort, p.HostIP)
		}
		port := nat.Port(p.ContainerPort)
		if !strings.Contains(p.ContainerPort, "/") {
			port = nat.Port(p.ContainerPort + "/tcp")
		}
		cfg.ExposedPorts[port] = struct{}{}
		hc.PortBindings[port] = append(hc.PortBindings[port], nat.PortBinding{HostIP: p.HostIP, HostPort: p.HostPort})
	}
	for _, m := range spec.Mounts {
		switch m.Type {
		case "volume":
			hc.Mounts = append(hc.Mounts, mount.Mount{Type: mount.TypeVolume, Source: m.Source, Target: m.Destination, ReadOnly: m.ReadOnly})
		case "tmpfs":
			hc.Mounts = append(hc.Mounts, mount.Mount{Type: mount.TypeTmpfs, Target: m.Destination,
				TmpfsOptions: &mount.TmpfsOptions{SizeBytes: m.TmpfsSize}})
		default:
			return nil, nil, nil, fmt.Errorf("mount %s: type %q refused (volume or tmpfs only)", m.Destination, m.Type)
		}
	}
	var nc *network.NetworkingConfig
	if len(spec.Aliases) > 0 && hc.NetworkMode.IsUserDefined() {
		nc = &network.NetworkingConfig{EndpointsConfig: map[string]*network.EndpointSettings{
			netMode: {Aliases: spec.Aliases},
		}}
	}
	return cfg, hc, nc, nil
}

// Start starts a created or stopped container.
func (e *Engine) Start(ctx context.Context, id string) error {
	return wrap(e.cli.ContainerStart(ctx, id, container.StartOptions{}))
}

// Kill sends a signal ("SIGKILL" when empty).
func (e *Engine) Kill(ctx context.Context, id, signal string) error {
	if signal == "" {
		signal = "SIGKILL"
	}
	return wrap(e.cli.ContainerKill(ctx, id, signal))
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

// Processes is `docker top` with the columns Init needs. ps runs on the engine's host; its
// "-e" is needed: without it ps lists only its own terminal's processes.
func (e *Engine) Processes(ctx context.Context, id string) ([]engine.Process, error) {
	top, err := e.cli.ContainerTop(ctx, id, []string{"-eo", "pid,ppid,args"})
	if err != nil {
		return nil, wrap(err)
	}
	col := map[string]int{}
	for i, t := range top.Titles {
		col[t] = i
	}
	pid, okPID := col["PID"]
	ppid, okPPID := col["PPID"]
	args, okArgs := col["COMMAND"]
	if !okArgs {
		args, okArgs = col["CMD"]
	}
	if !okPID || !okPPID || !okArgs {
		return nil, fmt.Errorf("docker top: unexpected columns %v", top.Titles)
	}
	out := make([]engine.Process, 0, len(top.Processes))
	for _, row := range top.Processes {
		if len(row) <= max(pid, ppid, args) {
			continue
		}
		p := engine.Process{Args: row[args]}
		p.PID, _ = strconv.Atoi(row[pid])
		p.PPID, _ = strconv.Atoi(row[ppid])
		out = append(out, p)
	}
	return out, nil
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
