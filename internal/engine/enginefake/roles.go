package enginefake

import (
	"context"
	"io"
	"net"
	"time"

	"github.com/ddlab/grade/internal/engine"
)

// The role fakes: each fakes one role of engine.Engine with func fields, logs every call, and
// fails loudly (ErrNotStubbed) on a method the test did not set. A function that takes one
// role is tested with that role's fake; Fake, the whole engine, is a view over them.

// System fakes engine.System: the engine itself, its events and its label sweeps.
type System struct {
	InfoFn    func(ctx context.Context) (engine.Info, error)
	EventsFn  func(ctx context.Context, f engine.EventFilter) ([]engine.Event, error)
	ListFn    func(ctx context.Context, label string) ([]engine.Ref, error)
	RemoveFn  func(ctx context.Context, r engine.Ref) error
	HostValue string
	DialFn    func(ctx context.Context) (net.Conn, error)

	recorder
}

var _ engine.System = (*System)(nil)

func (r *System) Info(ctx context.Context) (engine.Info, error) {
	r.log("Info")
	if r.InfoFn == nil {
		return engine.Info{}, ErrNotStubbed
	}
	return r.InfoFn(ctx)
}

func (r *System) Events(ctx context.Context, flt engine.EventFilter) ([]engine.Event, error) {
	r.log("Events %s", flt.Type)
	if r.EventsFn == nil {
		return nil, ErrNotStubbed
	}
	return r.EventsFn(ctx, flt)
}

func (r *System) List(ctx context.Context, label string) ([]engine.Ref, error) {
	r.log("List %s", label)
	if r.ListFn == nil {
		return nil, ErrNotStubbed
	}
	return r.ListFn(ctx, label)
}

func (r *System) Remove(ctx context.Context, ref engine.Ref) error {
	r.log("Remove %s %s", ref.Kind, ref.ID)
	if r.RemoveFn == nil {
		return ErrNotStubbed
	}
	return r.RemoveFn(ctx, ref)
}

// Host returns HostValue, or a placeholder socket.
func (r *System) Host() string {
	if r.HostValue == "" {
		return "unix:///nonexistent/enginefake.sock"
	}
	return r.HostValue
}

func (r *System) Dial(ctx context.Context) (net.Conn, error) {
	r.log("Dial")
	if r.DialFn == nil {
		return nil, ErrNotStubbed
	}
	return r.DialFn(ctx)
}

// Close does nothing.
func (r *System) Close() error {
	return nil
}

// Builds fakes engine.Builds.
type Builds struct {
	BuildFn func(ctx context.Context, req engine.BuildRequest) (engine.BuildResult, error)

	recorder
}

var _ engine.Builds = (*Builds)(nil)

func (r *Builds) Build(ctx context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
	r.log("Build %s target=%s", req.Tag, req.Target)
	if r.BuildFn == nil {
		return engine.BuildResult{}, ErrNotStubbed
	}
	return r.BuildFn(ctx, req)
}

// Containers fakes engine.Containers.
type Containers struct {
	RunFn              func(ctx context.Context, spec engine.RunSpec) (string, error)
	CreateFn           func(ctx context.Context, spec engine.RunSpec) (string, error)
	StartFn            func(ctx context.Context, id string) error
	StopFn             func(ctx context.Context, id string, timeout time.Duration) error
	KillFn             func(ctx context.Context, id, signal string) error
	WaitFn             func(ctx context.Context, id string) (int, error)
	InspectContainerFn func(ctx context.Context, id string) (engine.Container, error)
	ListContainersFn   func(ctx context.Context, f engine.ContainerFilter) ([]engine.ContainerSummary, error)
	ExecFn             func(ctx context.Context, id string, spec engine.ExecSpec) (engine.ExecResult, error)
	LogsFn             func(ctx context.Context, id string, maxBytes int) (string, error)
	ReadLogsFn         func(ctx context.Context, id string, opts engine.LogOptions) (engine.Logs, error)
	ProcessesFn        func(ctx context.Context, id string) ([]engine.Process, error)

	recorder
}

var _ engine.Containers = (*Containers)(nil)

func (r *Containers) Run(ctx context.Context, spec engine.RunSpec) (string, error) {
	r.log("Run %s", spec.Image)
	if r.RunFn == nil {
		return "", ErrNotStubbed
	}
	return r.RunFn(ctx, spec)
}

func (r *Containers) Create(ctx context.Context, spec engine.RunSpec) (string, error) {
	r.log("Create %s %s", spec.Image, spec.Name)
	if r.CreateFn == nil {
		return "", ErrNotStubbed
	}
	return r.CreateFn(ctx, spec)
}

func (r *Containers) Start(ctx context.Context, id string) error {
	r.log("Start %s", id)
	if r.StartFn == nil {
		return ErrNotStubbed
	}
	return r.StartFn(ctx, id)
}

func (r *Containers) Stop(ctx context.Context, id string, timeout time.Duration) error {
	r.log("Stop %s", id)
	if r.StopFn == nil {
		return ErrNotStubbed
	}
	return r.StopFn(ctx, id, timeout)
}

func (r *Containers) Kill(ctx context.Context, id, signal string) error {
	r.log("Kill %s %s", id, signal)
	if r.KillFn == nil {
		return ErrNotStubbed
	}
	return r.KillFn(ctx, id, signal)
}

func (r *Containers) Wait(ctx context.Context, id string) (int, error) {
	r.log("Wait %s", id)
	if r.WaitFn == nil {
		return -1, ErrNotStubbed
	}
	return r.WaitFn(ctx, id)
}

func (r *Containers) InspectContainer(ctx context.Context, id string) (engine.Container, error) {
	r.log("InspectContainer %s", id)
	if r.InspectContainerFn == nil {
		return engine.Container{}, ErrNotStubbed
	}
	return r.InspectContainerFn(ctx, id)
}

func (r *Containers) ListContainers(ctx context.Context, flt engine.ContainerFilter) ([]engine.ContainerSummary, error) {
	r.log("ListContainers %v %s", flt.Labels, flt.Name)
	if r.ListContainersFn == nil {
		return nil, ErrNotStubbed
	}
	return r.ListContainersFn(ctx, flt)
}

func (r *Containers) Exec(ctx context.Context, id string, spec engine.ExecSpec) (engine.ExecResult, error) {
	r.log("Exec %s %v", id, spec.Cmd)
	if r.ExecFn == nil {
		return engine.ExecResult{}, ErrNotStubbed
	}
	return r.ExecFn(ctx, id, spec)
}

func (r *Containers) Logs(ctx context.Context, id string, maxBytes int) (string, error) {
	r.log("Logs %s", id)
	if r.LogsFn == nil {
		return "", ErrNotStubbed
	}
	return r.LogsFn(ctx, id, maxBytes)
}

func (r *Containers) ReadLogs(ctx context.Context, id string, opts engine.LogOptions) (engine.Logs, error) {
	r.log("ReadLogs %s", id)
	if r.ReadLogsFn == nil {
		return engine.Logs{}, ErrNotStubbed
	}
	return r.ReadLogsFn(ctx, id, opts)
}

func (r *Containers) Processes(ctx context.Context, id string) ([]engine.Process, error) {
	r.log("Processes %s", id)
	if r.ProcessesFn == nil {
		return nil, ErrNotStubbed
	}
	return r.ProcessesFn(ctx, id)
}

// Images fakes engine.Images.
type Images struct {
	InspectImageFn func(ctx context.Context, ref string) (engine.Image, error)
	ImageFilesFn   func(ctx context.Context, ref string) ([]engine.File, error)
	ImportImageFn  func(ctx context.Context, rootfs io.Reader, req engine.ImportRequest) (string, error)
	ListImagesFn   func(ctx context.Context, label string) ([]engine.ImageSummary, error)
	TagImageFn     func(ctx context.Context, source, target string) error
	RemoveImageFn  func(ctx context.Context, ref string, force bool) error
	PullImageFn    func(ctx context.Context, ref string) error
	LoadImageFn    func(ctx context.Context, tar io.Reader) ([]string, error)
	SaveImageFn    func(ctx context.Context, ref string) (io.ReadCloser, error)

	recorder
}

var _ engine.Images = (*Images)(nil)

func (r *Images) InspectImage(ctx context.Context, ref string) (engine.Image, error) {
	r.log("InspectImage %s", ref)
	if r.InspectImageFn == nil {
		return engine.Image{}, ErrNotStubbed
	}
	return r.InspectImageFn(ctx, ref)
}

func (r *Images) ImageFiles(ctx context.Context, ref string) ([]engine.File, error) {
	r.log("ImageFiles %s", ref)
	if r.ImageFilesFn == nil {
		return nil, ErrNotStubbed
	}
	return r.ImageFilesFn(ctx, ref)
}

func (r *Images) ImportImage(ctx context.Context, rootfs io.Reader, req engine.ImportRequest) (string, error) {
	r.log("ImportImage %s", req.Ref)
	if r.ImportImageFn == nil {
		return "", ErrNotStubbed
	}
	return r.ImportImageFn(ctx, rootfs, req)
}

func (r *Images) ListImages(ctx context.Context, label string) ([]engine.ImageSummary, error) {
	r.log("ListImages %s", label)
	if r.ListImagesFn == nil {
		return nil, ErrNotStubbed
	}
	return r.ListImagesFn(ctx, label)
}

func (r *Images) TagImage(ctx context.Context, source, target string) error {
	r.log("TagImage %s %s", source, target)
	if r.TagImageFn == nil {
		return ErrNotStubbed
	}
	return r.TagImageFn(ctx, source, target)
}

func (r *Images) RemoveImage(ctx context.Context, ref string, force bool) error {
	r.log("RemoveImage %s", ref)
	if r.RemoveImageFn == nil {
		return ErrNotStubbed
	}
	return r.RemoveImageFn(ctx, ref, force)
}

func (r *Images) PullImage(ctx context.Context, ref string) error {
	r.log("PullImage %s", ref)
	if r.PullImageFn == nil {
		return ErrNotStubbed
	}
	return r.PullImageFn(ctx, ref)
}

func (r *Images) LoadImage(ctx context.Context, tar io.Reader) ([]string, error) {
	r.log("LoadImage")
	if r.LoadImageFn == nil {
		return nil, ErrNotStubbed
	}
	return r.LoadImageFn(ctx, tar)
}

func (r *Images) SaveImage(ctx context.Context, ref string) (io.ReadCloser, error) {
	r.log("SaveImage %s", ref)
	if r.SaveImageFn == nil {
		return nil, ErrNotStubbed
	}
	return r.SaveImageFn(ctx, ref)
}

// Networks fakes engine.Networks.
type Networks struct {
	CreateNetworkFn  func(ctx context.Context, spec engine.NetworkSpec) (engine.Network, error)
	InspectNetworkFn func(ctx context.Context, idOrName string) (engine.Network, error)
	ListNetworksFn   func(ctx context.Context, label string) ([]engine.Network, error)
	ConnectFn        func(ctx context.Context, network, container string, aliases []string) error

	recorder
}

var _ engine.Networks = (*Networks)(nil)

func (r *Networks) CreateNetwork(ctx context.Context, spec engine.NetworkSpec) (engine.Network, error) {
	r.log("CreateNetwork %s", spec.Name)
	if r.CreateNetworkFn == nil {
		return engine.Network{}, ErrNotStubbed
	}
	return r.CreateNetworkFn(ctx, spec)
}

func (r *Networks) InspectNetwork(ctx context.Context, idOrName string) (engine.Network, error) {
	r.log("InspectNetwork %s", idOrName)
	if r.InspectNetworkFn == nil {
		return engine.Network{}, ErrNotStubbed
	}
	return r.InspectNetworkFn(ctx, idOrName)
}

func (r *Networks) ListNetworks(ctx context.Context, label string) ([]engine.Network, error) {
	r.log("ListNetworks %s", label)
	if r.ListNetworksFn == nil {
		return nil, ErrNotStubbed
	}
	return r.ListNetworksFn(ctx, label)
}

func (r *Networks) Connect(ctx context.Context, network, container string, aliases []string) error {
	r.log("Connect %s %s", network, container)
	if r.ConnectFn == nil {
		return ErrNotStubbed
	}
	return r.ConnectFn(ctx, network, container, aliases)
}

// Volumes fakes engine.Volumes.
type Volumes struct {
	CreateVolumeFn  func(ctx context.Context, spec engine.VolumeSpec) (engine.Volume, error)
	InspectVolumeFn func(ctx context.Context, name string) (engine.Volume, error)
	ListVolumesFn   func(ctx context.Context, label string) ([]engine.Volume, error)

	recorder
}

var _ engine.Volumes = (*Volumes)(nil)

func (r *Volumes) CreateVolume(ctx context.Context, spec engine.VolumeSpec) (engine.Volume, error) {
	r.log("CreateVolume %s", spec.Name)
	if r.CreateVolumeFn == nil {
		return engine.Volume{}, ErrNotStubbed
	}
	return r.CreateVolumeFn(ctx, spec)
}

func (r *Volumes) InspectVolume(ctx context.Context, name string) (engine.Volume, error) {
	r.log("InspectVolume %s", name)
	if r.InspectVolumeFn == nil {
		return engine.Volume{}, ErrNotStubbed
	}
	return r.InspectVolumeFn(ctx, name)
}

func (r *Volumes) ListVolumes(ctx context.Context, label string) ([]engine.Volume, error) {
	r.log("ListVolumes %s", label)
	if r.ListVolumesFn == nil {
		return nil, ErrNotStubbed
	}
	return r.ListVolumesFn(ctx, label)
}
