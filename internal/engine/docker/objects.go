package docker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/docker/api/types/events"
	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/api/types/network"
	"github.com/docker/docker/api/types/volume"
	"github.com/docker/docker/pkg/stdcopy"

	"github.com/ddlab/grade/internal/engine"
)

// ListContainers lists containers by labels and exact name.
func (e *Engine) ListContainers(ctx context.Context, f engine.ContainerFilter) ([]engine.ContainerSummary, error) {
	args := filters.NewArgs()
	for _, l := range f.Labels {
		args.Add("label", l)
	}
	if f.Name != "" {
		// The engine's name filter is a regexp on substrings; anchor it and check below.
		args.Add("name", "^/"+regexpQuote(f.Name)+"$")
	}
	cs, err := e.cli.ContainerList(ctx, container.ListOptions{All: f.All, Filters: args})
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]engine.ContainerSummary, 0, len(cs))
	for _, c := range cs {
		s := engine.ContainerSummary{ID: c.ID, Image: c.Image, State: string(c.State), Labels: c.Labels}
		if len(c.Names) > 0 {
			s.Name = strings.TrimPrefix(c.Names[0], "/")
		}
		if f.Name != "" && s.Name != f.Name {
			continue
		}
		out = append(out, s)
	}
	return out, nil
}

func regexpQuote(s string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(`\.+*?()|[]{}^$`, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Exec runs a command in a running container and waits for it, within spec.Timeout.
func (e *Engine) Exec(ctx context.Context, id string, spec engine.ExecSpec) (engine.ExecResult, error) {
	if spec.Timeout <= 0 {
		spec.Timeout = 30 * time.Second
	}
	if spec.MaxOut <= 0 {
		spec.MaxOut = 64 << 10
	}
	ctx, cancel := context.WithTimeout(ctx, spec.Timeout)
	defer cancel()
	created, err := e.cli.ContainerExecCreate(ctx, id, container.ExecOptions{
		Cmd: spec.Cmd, User: spec.User, Env: spec.Env, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return engine.ExecResult{}, wrap(err)
	}
	att, err := e.cli.ContainerExecAttach(ctx, created.ID, container.ExecAttachOptions{})
	if err != nil {
		return engine.ExecResult{}, wrap(err)
	}
	defer att.Close()
	stop := context.AfterFunc(ctx, func() { att.Close() })
	defer stop()
	outW, errW := &tailWriter{max: spec.MaxOut}, &tailWriter{max: spec.MaxOut}
	if _, err := stdcopy.StdCopy(outW, errW, att.Reader); err != nil && ctx.Err() == nil {
		return engine.ExecResult{}, wrap(err)
	}
	if ctx.Err() != nil {
		return engine.ExecResult{}, fmt.Errorf("exec %v: %w", spec.Cmd, ctx.Err())
	}
	ins, err := e.cli.ContainerExecInspect(ctx, created.ID)
	if err != nil {
		return engine.ExecResult{}, wrap(err)
	}
	return engine.ExecResult{ExitCode: ins.ExitCode, Stdout: outW.tail(), Stderr: errW.tail()}, nil
}

// ReadLogs returns a container's logs, each stream demultiplexed and capped to its tail.
func (e *Engine) ReadLogs(ctx context.Context, id string, opts engine.LogOptions) (engine.Logs, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = 1 << 20
	}
	ins, err := e.cli.ContainerInspect(ctx, id)
	if err != nil {
		return engine.Logs{}, wrap(err)
	}
	lo := container.LogsOptions{ShowStdout: true, ShowStderr: true, Timestamps: opts.Timestamps}
	if opts.Tail > 0 {
		lo.Tail = fmt.Sprint(opts.Tail)
	}
	if !opts.Since.IsZero() {
		lo.Since = opts.Since.Format(time.RFC3339Nano)
	}
	rc, err := e.cli.ContainerLogs(ctx, id, lo)
	if err != nil {
		return engine.Logs{}, wrap(err)
	}
	defer rc.Close()
	outW, errW := &tailWriter{max: opts.MaxBytes}, &tailWriter{max: opts.MaxBytes}
	tty := ins.Config != nil && ins.Config.Tty
	src := io.LimitReader(rc, 64<<20)
	if tty {
		_, err = io.Copy(outW, src)
	} else {
		_, err = stdcopy.StdCopy(outW, errW, src)
	}
	if err != nil {
		return engine.Logs{}, wrap(err)
	}
	return engine.Logs{Stdout: outW.tail(), Stderr: errW.tail(), TTY: tty}, nil
}

// TagImage gives source another name.
func (e *Engine) TagImage(ctx context.Context, source, target string) error {
	return wrap(e.cli.ImageTag(ctx, source, target))
}

// RemoveImage removes one name of an image, or the image when it was its last name.
func (e *Engine) RemoveImage(ctx context.Context, ref string, force bool) error {
	_, err := e.cli.ImageRemove(ctx, ref, image.RemoveOptions{Force: force, PruneChildren: true})
	return wrap(err)
}

// PullImage pulls ref from a registry on loopback and nowhere else.
func (e *Engine) PullImage(ctx context.Context, ref string) error {
	host, _, _ := strings.Cut(ref, "/")
	h, _, err := net.SplitHostPort(host)
	if err != nil {
		h = host
	}
	if ip := net.ParseIP(h); (ip == nil || !ip.IsLoopback()) && h != "localhost" {
		return fmt.Errorf("pull %s refused: grade pulls only from a registry on loopback", ref)
	}
	rc, err := e.cli.ImagePull(ctx, ref, image.PullOptions{})
	if err != nil {
		return wrap(err)
	}
	defer rc.Close()
	return jsonStreamError(rc)
}

// LoadImage loads a `docker save` archive and returns what it loaded ("sha256:…" or names).
func (e *Engine) LoadImage(ctx context.Context, tar io.Reader) ([]string, error) {
	resp, err := e.cli.ImageLoad(ctx, tar)
	if err != nil {
		return nil, wrap(err)
	}
	defer resp.Body.Close()
	var loaded []string
	dec := json.NewDecoder(io.LimitReader(resp.Body, 8<<20))
	for {
		var m struct {
			Stream      string `json:"stream"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return loaded, err
		}
		if m.ErrorDetail != nil {
			return loaded, errors.New(m.ErrorDetail.Message)
		}
		for _, p := range []string{"Loaded image ID: ", "Loaded image: "} {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(m.Stream), p); ok {
				loaded = append(loaded, rest)
			}
		}
	}
	return loaded, nil
}

// SaveImage streams `docker save` of ref.
func (e *Engine) SaveImage(ctx context.Context, ref string) (io.ReadCloser, error) {
	rc, err := e.cli.ImageSave(ctx, []string{ref})
	return rc, wrap(err)
}

// jsonStreamError reads a JSON message stream (pull, push) to its end and returns its error.
func jsonStreamError(r io.Reader) error {
	dec := json.NewDecoder(io.LimitReader(r, 64<<20))
	for {
		var m struct {
			Error       string `json:"error"`
			ErrorDetail *struct {
				Message string `json:"message"`
			} `json:"errorDetail"`
		}
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if m.ErrorDetail != nil {
			return errors.New(m.ErrorDetail.Message)
		}
		if m.Error != "" {
			return errors.New(m.Error)
		}
	}
}

// CreateVolume creates a local volume.
func (e *Engine) CreateVolume(ctx context.Context, spec engine.VolumeSpec) (engine.Volume, error) {
	v, err := e.cli.VolumeCreate(ctx, volume.CreateOptions{Name: spec.Name, Labels: spec.Labels})
	if err != nil {
		return engine.Volume{}, wrap(err)
	}
	return volumeFrom(v), nil
}

// InspectVolume reads a volume.
func (e *Engine) InspectVolume(ctx context.Context, name string) (engine.Volume, error) {
	v, err := e.cli.VolumeInspect(ctx, name)
	if err != nil {
		return engine.Volume{}, wrap(err)
	}
	return volumeFrom(v), nil
}

// ListVolumes lists volumes carrying label ("" lists all).
func (e *Engine) ListVolumes(ctx context.Context, label string) ([]engine.Volume, error) {
	args := filters.NewArgs()
	if label != "" {
		args.Add("label", label)
	}
	vs, err := e.cli.VolumeList(ctx, volume.ListOptions{Filters: args})
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]engine.Volume, 0, len(vs.Volumes))
	for _, v := range vs.Volumes {
		if v != nil {
			out = append(out, volumeFrom(*v))
		}
	}
	return out, nil
}

func volumeFrom(v volume.Volume) engine.Volume {
	out := engine.Volume{Name: v.Name, Driver: v.Driver, Mountpoint: v.Mountpoint, Labels: v.Labels}
	out.CreatedAt, _ = time.Parse(time.RFC3339, v.CreatedAt)
	return out
}

// CreateNetwork creates a bridge network.
func (e *Engine) CreateNetwork(ctx context.Context, spec engine.NetworkSpec) (engine.Network, error) {
	created, err := e.cli.NetworkCreate(ctx, spec.Name, network.CreateOptions{Driver: "bridge",
		Internal: spec.Internal, Labels: spec.Labels})
	if err != nil {
		return engine.Network{}, wrap(err)
	}
	return e.InspectNetwork(ctx, created.ID)
}

// InspectNetwork reads a network and the containers attached to it.
func (e *Engine) InspectNetwork(ctx context.Context, idOrName string) (engine.Network, error) {
	n, err := e.cli.NetworkInspect(ctx, idOrName, network.InspectOptions{})
	if err != nil {
		return engine.Network{}, wrap(err)
	}
	return networkFrom(n), nil
}

// ListNetworks lists networks carrying label ("" lists all), with their containers.
func (e *Engine) ListNetworks(ctx context.Context, label string) ([]engine.Network, error) {
	args := filters.NewArgs()
	if label != "" {
		args.Add("label", label)
	}
	ns, err := e.cli.NetworkList(ctx, network.ListOptions{Filters: args})
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]engine.Network, 0, len(ns))
	for _, n := range ns {
		// The list omits containers: inspect each.
		full, err := e.InspectNetwork(ctx, n.ID)
		if errors.Is(err, engine.ErrNotFound) {
			continue
		} else if err != nil {
			return nil, err
		}
		out = append(out, full)
	}
	return out, nil
}

func networkFrom(n network.Inspect) engine.Network {
	out := engine.Network{ID: n.ID, Name: n.Name, Driver: n.Driver, Internal: n.Internal, Labels: n.Labels,
		Containers: map[string]string{}}
	for _, c := range n.IPAM.Config {
		out.Subnets = append(out.Subnets, c.Subnet)
		out.Gateways = append(out.Gateways, c.Gateway)
	}
	for id, ep := range n.Containers {
		ip, _, _ := strings.Cut(ep.IPv4Address, "/")
		out.Containers[id] = ip
	}
	return out
}

// Connect attaches a container to a network with DNS aliases.
func (e *Engine) Connect(ctx context.Context, netw, ctr string, aliases []string) error {
	return wrap(e.cli.NetworkConnect(ctx, netw, ctr, &network.EndpointSettings{Aliases: aliases}))
}

// Events lists the engine's events between f.Since and f.Until (which must be set: the
// stream would never end otherwise).
func (e *Engine) Events(ctx context.Context, f engine.EventFilter) ([]engine.Event, error) {
	if f.Until.IsZero() {
		return nil, errors.New("events: Until is required")
	}
	args := filters.NewArgs()
	for _, l := range f.Labels {
		args.Add("label", l)
	}
	if f.Type != "" {
		args.Add("type", f.Type)
	}
	opts := events.ListOptions{Until: unixNano(f.Until), Filters: args}
	if !f.Since.IsZero() {
		opts.Since = unixNano(f.Since)
	}
	msgs, errs := e.cli.Events(ctx, opts)
	var out []engine.Event
	for {
		select {
		case m := <-msgs:
			out = append(out, engine.Event{Type: string(m.Type), Action: string(m.Action), ID: m.Actor.ID,
				Name: m.Actor.Attributes["name"], Attrs: m.Actor.Attributes, Time: time.Unix(0, m.TimeNano)})
			if len(out) > 100000 {
				return out, errors.New("events: too many events")
			}
		case err := <-errs:
			if errors.Is(err, io.EOF) || err == nil {
				return out, nil
			}
			return out, wrap(err)
		case <-ctx.Done():
			return out, ctx.Err()
		}
	}
}

func unixNano(t time.Time) string {
	return fmt.Sprintf("%d.%09d", t.Unix(), t.Nanosecond())
}

// Host is the engine's address, as DOCKER_HOST would say it.
func (e *Engine) Host() string { return e.cli.DaemonHost() }

// Dial opens a raw connection to the engine's API socket.
func (e *Engine) Dial(ctx context.Context) (net.Conn, error) {
	c, err := e.cli.Dialer()(ctx)
	return c, wrap(err)
}

func (t *tailWriter) tail() string {
	b := t.b
	if len(b) > t.max {
		b = b[len(b)-t.max:]
	}
	return string(b)
}
