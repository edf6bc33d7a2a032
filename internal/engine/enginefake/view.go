package enginefake

import (
	"context"
	"io"
	"net"
	"time"

	"github.com/ddlab/grade/internal/engine"
)

// Fake is a view over the role fakes: each method hands the call to the role's fake, built
// from Fake's own fields and logging on Fake.

func (f *Fake) system() *System {
	return &System{InfoFn: f.InfoFn, EventsFn: f.EventsFn, ListFn: f.ListFn, RemoveFn: f.RemoveFn, HostValue: f.HostValue, DialFn: f.DialFn, recorder: recorder{to: &f.recorder}}
}

func (f *Fake) Info(ctx context.Context) (engine.Info, error) { return f.system().Info(ctx) }

func (f *Fake) Events(ctx context.Context, flt engine.EventFilter) ([]engine.Event, error) {
	return f.system().Events(ctx, flt)
}

func (f *Fake) List(ctx context.Context, label string) ([]engine.Ref, error) {
	return f.system().List(ctx, label)
}

func (f *Fake) Remove(ctx context.Context, r engine.Ref) error { return f.system().Remove(ctx, r) }

func (f *Fake) Host() string { return f.system().Host() }

func (f *Fake) Dial(ctx context.Context) (net.Conn, error) { return f.system().Dial(ctx) }

func (f *Fake) Close() error { return f.system().Close() }

func (f *Fake) builds() *Builds {
	return &Builds{BuildFn: f.BuildFn, recorder: recorder{to: &f.recorder}}
}

func (f *Fake) Build(ctx context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
	return f.builds().Build(ctx, req)
}

func (f *Fake) containers() *Containers {
	return &Containers{RunFn: f.RunFn, CreateFn: f.CreateFn, StartFn: f.StartFn, StopFn: f.StopFn, KillFn: f.KillFn, WaitFn: f.WaitFn, InspectContainerFn: f.InspectContainerFn, ListContainersFn: f.ListContainersFn, ExecFn: f.ExecFn, LogsFn: f.LogsFn, ReadLogsFn: f.ReadLogsFn, ProcessesFn: f.ProcessesFn, recorder: recorder{to: &f.recorder}}
}

func (f *Fake) Run(ctx context.Context, spec engine.RunSpec) (string, error) {
	return f.containers().Run(ctx, spec)
}

func (f *Fake) Create(ctx context.Context, spec engine.RunSpec) (string, error) {
	return f.containers().Create(ctx, spec)
}

func (f *Fake) Start(ctx context.Context, id string) error { return f.containers().Start(ctx, id) }

func (f *Fake) Stop(ctx context.Context, id string, timeout time.Duration) error {
	return f.containers().Stop(ctx, id, timeout)
}

func (f *Fake) Kill(ctx context.Context, id, signal string) error {
	return f.containers().Kill(ctx, id, signal)
}

func (f *Fake) Wait(ctx context.Context, id string) (int, error) { return f.containers().Wait(ctx, id) }

func (f *Fake) InspectContainer(ctx context.Context, id string) (engine.Container, error) {
	return f.containers().InspectContainer(ctx, id)
}

func (f *Fake) ListContainers(ctx context.Context, flt engine.ContainerFilter) ([]engine.ContainerSummary, error) {
	return f.containers().ListContainers(ctx, flt)
}

func (f *Fake) Exec(ctx context.Context, id string, spec engine.ExecSpec) (engine.ExecResult, error) {
	return f.containers().Exec(ctx, id, spec)
}

func (f *Fake) Logs(ctx context.Context, id string, maxBytes int) (string, error) {
	return f.containers().Logs(ctx, id, maxBytes)
}

func (f *Fake) ReadLogs(ctx context.Context, id string, opts engine.LogOptions) (engine.Logs, error) {
	return f.containers().ReadLogs(ctx, id, opts)
}

func (f *Fake) Processes(ctx context.Context, id string) ([]engine.Process, error) {
	return f.containers().Processes(ctx, id)
}

func (f *Fake) images() *Images {
	return &Images{InspectImageFn: f.InspectImageFn, ImageFilesFn: f.ImageFilesFn, ImportImageFn: f.ImportImageFn, ListImagesFn: f.ListImagesFn, TagImageFn: f.TagImageFn, RemoveImageFn: f.RemoveImageFn, PullImageFn: f.PullImageFn, LoadImageFn: f.LoadImageFn, SaveImageFn: f.SaveImageFn, recorder: recorder{to: &f.recorder}}
}

func (f *Fake) InspectImage(ctx context.Context, ref string) (engine.Image, error) {
	return f.images().InspectImage(ctx, ref)
}

func (f *Fake) ImageFiles(ctx context.Context, ref string) ([]engine.File, error) {
	return f.images().ImageFiles(ctx, ref)
}

func (f *Fake) ImportImage(ctx context.Context, rootfs io.Reader, req engine.ImportRequest) (string, error) {
	return f.images().ImportImage(ctx, rootfs, req)
}

func (f *Fake) ListImages(ctx context.Context, label string) ([]engine.ImageSummary, error) {
	return f.images().ListImages(ctx, label)
}

func (f *Fake) TagImage(ctx context.Context, source, target string) error {
	return f.images().TagImage(ctx, source, target)
}

func (f *Fake) RemoveImage(ctx context.Context, ref string, force bool) error {
	return f.images().RemoveImage(ctx, ref, force)
}

func (f *Fake) PullImage(ctx context.Context, ref string) error {
	return f.images().PullImage(ctx, ref)
}

func (f *Fake) LoadImage(ctx context.Context, tar io.Reader) ([]string, error) {
	return f.images().LoadImage(ctx, tar)
}

func (f *Fake) SaveImage(ctx context.Context, ref string) (io.ReadCloser, error) {
	return f.images().SaveImage(ctx, ref)
}

func (f *Fake) networks() *Networks {
	return &Networks{CreateNetworkFn: f.CreateNetworkFn, InspectNetworkFn: f.InspectNetworkFn, ListNetworksFn: f.ListNetworksFn, ConnectFn: f.ConnectFn, recorder: recorder{to: &f.recorder}}
}

func (f *Fake) CreateNetwork(ctx context.Context, spec engine.NetworkSpec) (engine.Network, error) {
	return f.networks().CreateNetwork(ctx, spec)
}

func (f *Fake) InspectNetwork(ctx context.Context, idOrName string) (engine.Network, error) {
	return f.networks().InspectNetwork(ctx, idOrName)
}

func (f *Fake) ListNetworks(ctx context.Context, label string) ([]engine.Network, error) {
	return f.networks().ListNetworks(ctx, label)
}

func (f *Fake) Connect(ctx context.Context, network, container string, aliases []string) error {
	return f.networks().Connect(ctx, network, container, aliases)
}

func (f *Fake) volumes() *Volumes {
	return &Volumes{CreateVolumeFn: f.CreateVolumeFn, InspectVolumeFn: f.InspectVolumeFn, ListVolumesFn: f.ListVolumesFn, recorder: recorder{to: &f.recorder}}
}

func (f *Fake) CreateVolume(ctx context.Context, spec engine.VolumeSpec) (engine.Volume, error) {
	return f.volumes().CreateVolume(ctx, spec)
}

func (f *Fake) InspectVolume(ctx context.Context, name string) (engine.Volume, error) {
	return f.volumes().InspectVolume(ctx, name)
}

func (f *Fake) ListVolumes(ctx context.Context, label string) ([]engine.Volume, error) {
	return f.volumes().ListVolumes(ctx, label)
}
