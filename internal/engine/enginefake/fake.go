// Package enginefake is a hand-written engine.Engine for unit tests: each method is a func
// field, every call is logged, and a method left unset fails loudly instead of pretending.
// Each role of the engine (System, Builds, Containers, Images, Networks, Volumes, Compose)
// has its own small fake (roles.go); Fake is the whole engine, for code that takes it all.
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

// Fake implements engine.Engine with func fields, one per method of every role.
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
	ProcessesFn      func(ctx context.Context, id string) ([]engine.Process, error)
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

	recorder
}

var _ engine.Engine = (*Fake)(nil)

// recorder logs the calls a fake receives, on itself or, for a role fake that is a view of a
// Fake, on the Fake's recorder.
type recorder struct {
	mu    sync.Mutex
	calls []string
	to    *recorder
}

func (r *recorder) log(format string, args ...any) {
	if r.to != nil {
		r.to.log(format, args...)
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, fmt.Sprintf(format, args...))
}

// Calls returns the calls made so far, e.g. "Run ddlab/busybox:1", "Remove container abc".
func (r *recorder) Calls() []string {
	if r.to != nil {
		return r.to.Calls()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.calls...)
}
