// Package engine is grade's only door to a container runtime. Its types are grade's own so
// that checks never import the Docker SDK; internal/engine/docker is the adapter.
package engine

import (
	"context"
	"errors"
	"io"
	"net"
	"time"
)

// Engine is the part of the Docker Engine API that graders need: every role below. The
// docker adapter implements all of it; a function that needs less takes the role it uses (a
// sweep takes System, a layer reader Images), and its test fakes only that role (see
// internal/engine/enginefake).
type Engine interface {
	System
	Builds
	Containers
	Images
	Networks
	Volumes
	Compose
}

// System is the engine as a whole: what it is, its events, any object by label, and the
// connection itself.
type System interface {
	Info(ctx context.Context) (Info, error)
	// Events lists the engine's events in [Since, Until].
	Events(ctx context.Context, f EventFilter) ([]Event, error)
	// List finds every object (container, network, volume, image) that carries label, and
	// Remove removes one: the label sweeps after a run.
	List(ctx context.Context, label string) ([]Ref, error)
	Remove(ctx context.Context, r Ref) error
	// Host is the engine address for child processes (DOCKER_HOST), and Dial opens a raw
	// connection to it (the lab 2 recording proxy forwards through it).
	Host() string
	Dial(ctx context.Context) (net.Conn, error)
	Close() error
}

// Builds builds images from a Dockerfile.
type Builds interface {
	Build(ctx context.Context, req BuildRequest) (BuildResult, error)
}

// Containers runs containers and observes them.
type Containers interface {
	Run(ctx context.Context, spec RunSpec) (string, error)
	Create(ctx context.Context, spec RunSpec) (string, error) // like Run, without starting
	Start(ctx context.Context, id string) error
	Stop(ctx context.Context, id string, timeout time.Duration) error
	Kill(ctx context.Context, id, signal string) error
	Wait(ctx context.Context, id string) (int, error)
	InspectContainer(ctx context.Context, id string) (Container, error)
	ListContainers(ctx context.Context, f ContainerFilter) ([]ContainerSummary, error)
	Exec(ctx context.Context, id string, spec ExecSpec) (ExecResult, error)
	Logs(ctx context.Context, id string, maxBytes int) (string, error)
	ReadLogs(ctx context.Context, id string, opts LogOptions) (Logs, error)
	// Processes lists what runs in a running container, as the engine's host sees it
	// (`docker top`): what really is PID 1, whatever the image's ENTRYPOINT says.
	Processes(ctx context.Context, id string) ([]Process, error)
}

// Images reads, names, moves and removes images.
type Images interface {
	InspectImage(ctx context.Context, ref string) (Image, error)
	ImageFiles(ctx context.Context, ref string) ([]File, error)
	ImportImage(ctx context.Context, rootfs io.Reader, req ImportRequest) (string, error)
	ListImages(ctx context.Context, label string) ([]ImageSummary, error) // "" lists all
	TagImage(ctx context.Context, source, target string) error
	RemoveImage(ctx context.Context, ref string, force bool) error
	// PullImage pulls only from a registry on loopback (the grader's own): grade never reaches
	// the Internet.
	PullImage(ctx context.Context, ref string) error
	LoadImage(ctx context.Context, tar io.Reader) ([]string, error)
	// SaveImage streams `docker save` of ref: for checks that read each layer on its own.
	SaveImage(ctx context.Context, ref string) (io.ReadCloser, error)
}

// Networks creates and observes networks.
type Networks interface {
	CreateNetwork(ctx context.Context, spec NetworkSpec) (Network, error)
	InspectNetwork(ctx context.Context, idOrName string) (Network, error)
	ListNetworks(ctx context.Context, label string) ([]Network, error)
	Connect(ctx context.Context, network, container string, aliases []string) error
}

// Volumes creates and observes volumes.
type Volumes interface {
	CreateVolume(ctx context.Context, spec VolumeSpec) (Volume, error)
	InspectVolume(ctx context.Context, name string) (Volume, error)
	ListVolumes(ctx context.Context, label string) ([]Volume, error)
}

// ErrUnavailable wraps every failure to reach the engine, so callers can tell "no daemon"
// from a daemon that answered with an error.
var ErrUnavailable = errors.New("docker engine unavailable")

// ErrNotFound and ErrConflict wrap the engine's "no such object" and "name already in use".
var (
	ErrNotFound = errors.New("no such object")
	ErrConflict = errors.New("conflict")
)

// Info describes the engine.
type Info struct {
	Version       string
	APIVersion    string
	OS            string // "linux"
	Arch          string
	BuildKit      bool   // the engine can run BuildKit builds through a session
	SwarmState    string // "inactive", "active", ...
	RootDir       string
	StorageDriver string
	Remote        bool // DOCKER_HOST is not a local socket: the engine cannot see our files

	KernelVersion     string
	DefaultRuntime    string
	CgroupDriver      string
	CgroupVersion     string
	ServerAPIVersion  string // the engine's own highest API version (/version ApiVersion)
	ContainerdVersion string // from /version Components
	MemoryLimit       bool   // the engine can enforce memory limits
	PidsLimit         bool
	Name              string
}

// Builder names a build backend.
type Builder string

// The two builders the Engine API offers.
const (
	BuildKit Builder = "buildkit"
	Classic  Builder = "classic"
)

// BuildRequest builds ContextDir/Dockerfile. The context is sent as it is: callers filter
// it with .dockerignore beforehand (see internal/buildctx).
type BuildRequest struct {
	ContextDir string
	Dockerfile string // relative to ContextDir, or to DockerfileDir when set
	// DockerfileDir, when set, holds the Dockerfile apart from the context (BuildKit only).
	DockerfileDir string
	Exclude       []string // extra exclusion patterns for the context (BuildKit only)
	Tag           string
	Target        string
	BuildArgs     map[string]string
	Labels        map[string]string
	NoCache       bool
	// CacheScope, when set, keys every RUN --mount=type=cache of the Dockerfile under it
	// (dockerfile.ScopeCacheMounts): builds of two scopes never share a cache mount.
	CacheScope string
	Builder    Builder // "" picks BuildKit when the engine has it
	Progress   func(line string)
}

// BuildResult is what a build produced. A build that the Dockerfile broke is not an error:
// Failed is set and Log says why.
type BuildResult struct {
	Builder  Builder
	ImageID  string
	Failed   bool
	Error    string // the builder's own error line when Failed
	Steps    []Step
	Log      string // the whole log, capped
	Duration time.Duration
}

// Step is one build step (a BuildKit vertex or a classic "Step i/n").
type Step struct {
	Name   string // "[build 3/5] RUN go build ...", "Step 3/9 : RUN go build ..."
	Cached bool
	Error  string
	// Output is what the step printed, its first MaxStepOutput bytes (BuildKit only): what a
	// step did, where its cache flag says only that it ran.
	Output string
}

// MaxStepOutput bounds Step.Output.
const MaxStepOutput = 8 << 10

// Image is the parts of an image's config and history that checks read.
type Image struct {
	ID           string
	Size         int64
	User         string
	ExposedPorts []string // "8080/tcp"
	Env          []string
	Entrypoint   []string
	Cmd          []string
	Labels       map[string]string
	Healthcheck  []string // Test, e.g. ["CMD", "/app/server", "healthcheck"]
	Layers       int
	LayerIDs     []string // RootFS.Layers (diff IDs), base first
	RepoTags     []string
	RepoDigests  []string
	History      []HistoryEntry // oldest first
}

// HistoryEntry is one line of `docker history`.
type HistoryEntry struct {
	CreatedBy  string
	Size       int64
	EmptyLayer bool
}

// File is one path of an image's final filesystem.
type File struct {
	Path  string // absolute, "/usr/local/go/bin/go"
	Mode  int64
	Size  int64
	Dir   bool
	Link  string
	Layer int // index of the layer that last wrote it, 0 = base
}

// ImportRequest makes an image from a root filesystem tar.
type ImportRequest struct {
	Ref     string
	Changes []string // Dockerfile instructions: `CMD ["sh"]`, `LABEL a=b`
}

// ImageSummary is one line of `docker images`.
type ImageSummary struct {
	ID     string
	Tags   []string
	Labels map[string]string
	Size   int64
}

// RunSpec starts a container. The adapter always applies Limits and refuses privileges:
// submissions are untrusted.
type RunSpec struct {
	Name        string
	Image       string
	Entrypoint  []string
	Cmd         []string
	Env         []string
	User        string
	Labels      map[string]string
	NetworkMode string   // "", "none", "container:<id>", or a network's name
	Aliases     []string // DNS aliases on NetworkMode's network
	Hostname    string
	Ports       []PortBinding // published ports; HostIP must be loopback, or Gateway's address
	Mounts      []Mount       // volume and tmpfs mounts only: no bind mounts for submissions
	ReadOnly    bool          // read-only root filesystem
	Limits      Limits
}

// PortBinding publishes a container port. HostPort "" lets the engine choose.
type PortBinding struct {
	ContainerPort string // "8080/tcp"
	HostIP        string
	HostPort      string
	// Gateway, for the grader's own containers only, names a network whose gateway address
	// HostIP is: a host-only address that containers reach through the host (lab 7's canary).
	Gateway string
}

// Mount is a mount as RunSpec asks it and as a container reports it.
type Mount struct {
	Type        string // "volume", "bind", "tmpfs"
	Source      string // volume name, or host path for a bind
	Destination string
	ReadOnly    bool
	TmpfsSize   int64  // bytes, tmpfs only
	Driver      string // volume driver, as reported
}

// Limits bound what one container may use.
type Limits struct {
	MemoryBytes int64
	NanoCPUs    int64
	Pids        int64
	LogMaxBytes int64
}

// DefaultLimits are the limits of a container whose spec sets none.
func DefaultLimits() Limits {
	return Limits{MemoryBytes: 256 << 20, NanoCPUs: 1e9, Pids: 256, LogMaxBytes: 1 << 20}
}

// Container is the state of a container.
type Container struct {
	ID         string
	Name       string
	Status     string // "created", "running", "exited", ...
	Running    bool
	ExitCode   int
	OOMKilled  bool
	Health     string // "", "starting", "healthy", "unhealthy"
	HealthLog  []string
	StartedAt  time.Time
	FinishedAt time.Time
	Labels     map[string]string

	Image        string // the image as the container was created with it ("ddlab/webapp:1")
	ImageID      string
	Created      time.Time
	Hostname     string
	Env          []string
	Cmd          []string
	Entrypoint   []string
	User         string
	Pid          int // host PID of the main process while it runs
	RestartCount int
	Restart      RestartPolicy
	Resources    Resources
	ReadOnly     bool
	Privileged   bool
	CapAdd       []string
	CapDrop      []string
	SecurityOpt  []string
	Tmpfs        map[string]string // HostConfig.Tmpfs: path → options
	Ports        []PortBinding     // NetworkSettings.Ports, what the engine bound
	Mounts       []Mount
	NetworkMode  string
	Networks     map[string]Endpoint // by network name
}

// RestartPolicy is HostConfig.RestartPolicy.
type RestartPolicy struct {
	Name       string // "", "no", "always", "unless-stopped", "on-failure"
	MaxRetries int
}

// Resources are the limits a container runs with (HostConfig).
type Resources struct {
	Memory     int64
	MemorySwap int64
	NanoCPUs   int64
	CPUQuota   int64
	CPUPeriod  int64
	PidsLimit  int64
}

// Endpoint is a container's attachment to one network.
type Endpoint struct {
	NetworkID string
	IP        string
	StaticIP  string // IPAMConfig.IPv4Address: the address asked for with --ip
	Gateway   string
	Aliases   []string
	DNSNames  []string // Aliases plus the container's name and short ID, as the engine resolves them
}

// Kind is the kind of an engine object.
type Kind string

// Object kinds, in the order cleanup removes them.
const (
	KindContainer Kind = "container"
	KindNetwork   Kind = "network"
	KindVolume    Kind = "volume"
	KindImage     Kind = "image"
)

// Ref names one engine object.
type Ref struct {
	Kind Kind
	ID   string
}
