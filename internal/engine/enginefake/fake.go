// Package enginefake is a hand-written engine.Engine for unit tests: each method is a func
// field, every call is logged, and a method left unset fails loudly instead of pretending.
package enginefake

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/ddlab/grade/internal/engine"
)

// ErrNotStubbed is returned by methods the test did not set.
var ErrNotStubbed = errors.New("enginefake: method not stubbed")

// Fake implements engine.Engine with func fields.
type Fake struct {
	InfoFn             func(ctx context.Context) (engine.Info, error)
	BuildFn            func(ctx context.Context, req engine.BuildRequest) (engine.BuildResult, error)
	InspectImageFn     func(ctx context.Context, ref string) (engine.Image, error)
	ImageFilesFn       func(ctx context.Context, ref string) ([]engine.File, error)
	ImportImageFn      func(ctx context.Context, rootfs io.Reader, req engine.ImportRequest) (string, error)
	ListImagesFn       func(ctx context.Context, label string) ([]engine.ImageSummary, error)
	RunFn              func(ctx context.Context, spec engine.RunSpec) (string, error)
	InspectContainerFn func(ctx context.Context, id string) (engine.Container, error)
	StopFn             func(ctx context.Context, id string, timeout time.Duration) error
	WaitFn             func(ctx context.Context, id string) (int, error)
	LogsFn             func(ctx context.Context, id string, maxBytes int) (string, error)
	ListFn             func(ctx context.Context, label string) ([]engine.Ref, error)
	RemoveFn           func(ctx context.Context, r engine.Ref) error

	CreateFn         func(ctx context.Context, spec engine.RunSpec) (string, error)
	StartFn          func(ctx context.Context, id string) error
	KillFn           func(ctx context.Context, id, signal string) error
	ListContainersFn func(ctx context.Context, f engine.ContainerFilter) ([]engine.ContainerSummary, error)
	ExecFn           func(ctx context.Context, id string, spec engine.ExecSpec) (engine.ExecResult, error)
	ReadLogsFn       func(ctx context.Context, id string, opts engine.LogOptions) (engine.Logs, error)
	TagImageFn       func(ctx context.Context, source, target string) error
	RemoveImageFn    func(ctx context.Context, ref string, force bool) error
	PullImageFn      func(ctx context.Context, ref string) error
	LoadImageFn      func(ctx context.Context, tar io.Reader) ([]string, error)
	SaveImageFn      func(ctx context.Context, ref string) (io.ReadCloser, error)
	CreateVolumeFn   func(ctx context.Context, spec engine.VolumeSpec) (engine.Volume, error)
	InspectVolumeFn  func(ctx context.Context, name string) (engine.Volume, error)
	ListVolumesFn    func(ctx context.Context, label string) ([]engine.Volume, error)
	CreateNetworkFn  func(ctx context.Context, spec engine.NetworkSpec) (engine.Network, error)
	InspectNetworkFn func(ctx context.Context, idOrName string) (engine.Network, error)
	ListNetworksFn   func(ctx context.Context, label string) ([]engine.Network, error)
	ConnectFn        func(ctx context.Context, network, container string, aliases []string) error
	EventsFn         func(ctx context.Context, f engine.EventFilter) ([]engine.Event, error)
	HostValue        string
	DialFn           func(ctx context.Context) (net.Conn, error)
	ComposerValue    *Composer // what Composer returns; nil: not stubbed

	mu    sync.Mutex
	calls []string
}

var _ engine.Engine = (*Fake)(nil)

func (f *Fake) log(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, fmt.Sprintf(format, args...))
}

// Calls returns the calls made so far, e.g. "Run ddlab/busybox:1", "Remove container abc".
func (f *Fake) Calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

func (f *Fake) Info(ctx context.Context) (engine.Info, error) {
	f.log("Info")
	if f.InfoFn == nil {
		return engine.Info{}, ErrNotStubbed
	}
	return f.InfoFn(ctx)
}

func (f *Fake) Build(ctx context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
	f.log("Build %s target=%s", req.Tag, req.Target)
	if f.BuildFn == nil {
		return engine.BuildResult{}, ErrNotStubbed
	}
	return f.BuildFn(ctx, req)
}

func (f *Fake) InspectImage(ctx context.Context, ref string) (engine.Image, error) {
	f.log("InspectImage %s", ref)
	if f.InspectImageFn == nil {
		return engine.Image{}, ErrNotStubbed
	}
	return f.InspectImageFn(ctx, ref)
}

func (f *Fake) ImageFiles(ctx context.Context, ref string) ([]engine.File, error) {
	f.log("ImageFiles %s", ref)
	if f.ImageFilesFn == nil {
		return nil, ErrNotStubbed
	}
	return f.ImageFilesFn(ctx, ref)
}

func (f *Fake) ImportImage(ctx context.Context, rootfs io.Reader, req engine.ImportRequest) (string, error) {
	f.log("ImportImage %s", req.Ref)
	if f.ImportImageFn == nil {
		return "", ErrNotStubbed
	}
	return f.ImportImageFn(ctx, rootfs, req)
}

func (f *Fake) ListImages(ctx context.Context, label string) ([]engine.ImageSummary, error) {
	f.log("ListImages %s", label)
	if f.ListImagesFn == nil {
		return nil, ErrNotStubbed
	}
	return f.ListImagesFn(ctx, label)
}

func (f *Fake) Run(ctx context.Context, spec engine.RunSpec) (string, error) {
	f.log("Run %s", spec.Image)
	if f.RunFn == nil {
		return "", ErrNotStubbed
	}
	return f.RunFn(ctx, spec)
}

func (f *Fake) InspectContainer(ctx context.Context, id string) (engine.Container, error) {
	f.log("InspectContainer %s", id)
	if f.InspectContainerFn == nil {
		return engine.Container{}, ErrNotStubbed
	}
	return f.InspectContainerFn(ctx, id)
}

func (f *Fake) Stop(ctx context.Context, id string, timeout time.Duration) error {
	f.log("Stop %s", id)
	if f.StopFn == nil {
		return ErrNotStubbed
	}
	return f.StopFn(ctx, id, timeout)
}

func (f *Fake) Wait(ctx context.Context, id string) (int, error) {
	f.log("Wait %s", id)
	if f.WaitFn == nil {
		return -1, ErrNotStubbed
	}
	return f.WaitFn(ctx, id)
}

func (f *Fake) Logs(ctx context.Context, id string, maxBytes int) (string, error) {
	f.log("Logs %s", id)
	if f.LogsFn == nil {
		return "", ErrNotStubbed
	}
	return f.LogsFn(ctx, id, maxBytes)
}

func (f *Fake) List(ctx context.Context, label string) ([]engine.Ref, error) {
	f.log("List %s", label)
	if f.ListFn == nil {
		return nil, ErrNotStubbed
	}
	return f.ListFn(ctx, label)
}

func (f *Fake) Remove(ctx context.Context, r engine.Ref) error {
	f.log("Remove %s %s", r.Kind, r.ID)
	if f.RemoveFn == nil {
		return ErrNotStubbed
	}
	return f.RemoveFn(ctx, r)
}

// Close does nothing.
func (f *Fake) Close() error { return nil }
