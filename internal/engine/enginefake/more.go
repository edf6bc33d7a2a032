package enginefake

import (
	"context"
	"io"
	"net"

	"github.com/ddlab/grade/internal/engine"
)

func (f *Fake) Create(ctx context.Context, spec engine.RunSpec) (string, error) {
	f.log("Create %s %s", spec.Image, spec.Name)
	if f.CreateFn == nil {
		return "", ErrNotStubbed
	}
	return f.CreateFn(ctx, spec)
}

func (f *Fake) Start(ctx context.Context, id string) error {
	f.log("Start %s", id)
	if f.StartFn == nil {
		return ErrNotStubbed
	}
	return f.StartFn(ctx, id)
}

func (f *Fake) Kill(ctx context.Context, id, signal string) error {
	f.log("Kill %s %s", id, signal)
	if f.KillFn == nil {
		return ErrNotStubbed
	}
	return f.KillFn(ctx, id, signal)
}

func (f *Fake) ListContainers(ctx context.Context, flt engine.ContainerFilter) ([]engine.ContainerSummary, error) {
	f.log("ListContainers %v %s", flt.Labels, flt.Name)
	if f.ListContainersFn == nil {
		return nil, ErrNotStubbed
	}
	return f.ListContainersFn(ctx, flt)
}

func (f *Fake) Exec(ctx context.Context, id string, spec engine.ExecSpec) (engine.ExecResult, error) {
	f.log("Exec %s %v", id, spec.Cmd)
	if f.ExecFn == nil {
		return engine.ExecResult{}, ErrNotStubbed
	}
	return f.ExecFn(ctx, id, spec)
}

func (f *Fake) ReadLogs(ctx context.Context, id string, opts engine.LogOptions) (engine.Logs, error) {
	f.log("ReadLogs %s", id)
	if f.ReadLogsFn == nil {
		return engine.Logs{}, ErrNotStubbed
	}
	return f.ReadLogsFn(ctx, id, opts)
}

func (f *Fake) TagImage(ctx context.Context, source, target string) error {
	f.log("TagImage %s %s", source, target)
	if f.TagImageFn == nil {
		return ErrNotStubbed
	}
	return f.TagImageFn(ctx, source, target)
}

func (f *Fake) RemoveImage(ctx context.Context, ref string, force bool) error {
	f.log("RemoveImage %s", ref)
	if f.RemoveImageFn == nil {
		return ErrNotStubbed
	}
	return f.RemoveImageFn(ctx, ref, force)
}

func (f *Fake) PullImage(ctx context.Context, ref string) error {
	f.log("PullImage %s", ref)
	if f.PullImageFn == nil {
		return ErrNotStubbed
	}
	return f.PullImageFn(ctx, ref)
}

func (f *Fake) LoadImage(ctx context.Context, tar io.Reader) ([]string, error) {
	f.log("LoadImage")
	if f.LoadImageFn == nil {
		return nil, ErrNotStubbed
	}
	return f.LoadImageFn(ctx, tar)
}

func (f *Fake) SaveImage(ctx context.Context, ref string) (io.ReadCloser, error) {
	f.log("SaveImage %s", ref)
	if f.SaveImageFn == nil {
		return nil, ErrNotStubbed
	}
	return f.SaveImageFn(ctx, ref)
}

func (f *Fake) CreateVolume(ctx context.Context, spec engine.VolumeSpec) (engine.Volume, error) {
	f.log("CreateVolume %s", spec.Name)
	if f.CreateVolumeFn == nil {
		return engine.Volume{}, ErrNotStubbed
	}
	return f.CreateVolumeFn(ctx, spec)
}

func (f *Fake) InspectVolume(ctx context.Context, name string) (engine.Volume, error) {
	f.log("InspectVolume %s", name)
	if f.InspectVolumeFn == nil {
		return engine.Volume{}, ErrNotStubbed
	}
	return f.InspectVolumeFn(ctx, name)
}

func (f *Fake) ListVolumes(ctx context.Context, label string) ([]engine.Volume, error) {
	f.log("ListVolumes %s", label)
	if f.ListVolumesFn == nil {
		return nil, ErrNotStubbed
	}
	return f.ListVolumesFn(ctx, label)
}

func (f *Fake) CreateNetwork(ctx context.Context, spec engine.NetworkSpec) (engine.Network, error) {
	f.log("CreateNetwork %s", spec.Name)
	if f.CreateNetworkFn == nil {
		return engine.Network{}, ErrNotStubbed
	}
	return f.CreateNetworkFn(ctx, spec)
}

func (f *Fake) InspectNetwork(ctx context.Context, idOrName string) (engine.Network, error) {
	f.log("InspectNetwork %s", idOrName)
	if f.InspectNetworkFn == nil {
		return engine.Network{}, ErrNotStubbed
	}
	return f.InspectNetworkFn(ctx, idOrName)
}

func (f *Fake) ListNetworks(ctx context.Context, label string) ([]engine.Network, error) {
	f.log("ListNetworks %s", label)
	if f.ListNetworksFn == nil {
		return nil, ErrNotStubbed
	}
	return f.ListNetworksFn(ctx, label)
}

func (f *Fake) Connect(ctx context.Context, network, container string, aliases []string) error {
	f.log("Connect %s %s", network, container)
	if f.ConnectFn == nil {
		return ErrNotStubbed
	}
	return f.ConnectFn(ctx, network, container, aliases)
}

func (f *Fake) Events(ctx context.Context, flt engine.EventFilter) ([]engine.Event, error) {
	f.log("Events %s", flt.Type)
	if f.EventsFn == nil {
		return nil, ErrNotStubbed
	}
	return f.EventsFn(ctx, flt)
}

// Host returns HostValue, or a placeholder socket.
func (f *Fake) Host() string {
	if f.HostValue == "" {
		return "unix:///nonexistent/enginefake.sock"
	}
	return f.HostValue
}

func (f *Fake) Dial(ctx context.Context) (net.Conn, error) {
	f.log("Dial")
	if f.DialFn == nil {
		return nil, ErrNotStubbed
	}
	return f.DialFn(ctx)
}
