package engine

import "time"

// ContainerFilter selects containers; empty fields select everything.
type ContainerFilter struct {
	Labels []string // "key=value" or "key", all must match
	Name   string   // exact name, without the leading "/"
	All    bool     // stopped containers too
}

// ContainerSummary is one line of `docker ps -a`.
type ContainerSummary struct {
	ID     string
	Name   string // without the leading "/"
	Image  string
	State  string // "running", "exited", ...
	Labels map[string]string
}

// ExecSpec runs a command in a running container.
type ExecSpec struct {
	Cmd     []string
	User    string
	Env     []string
	Timeout time.Duration // 0 means 30 s
	MaxOut  int           // bytes kept of each stream; 0 means 64 KiB
}

// ExecResult is what the command did.
type ExecResult struct {
	ExitCode int
	Stdout   string
	Stderr   string
}

// LogOptions select a container's logs.
type LogOptions struct {
	Tail       int // last N lines; 0 means all
	Timestamps bool
	Since      time.Time
	MaxBytes   int // of each stream; 0 means 1 MiB
}

// Process is one process of a container, with host PIDs.
type Process struct {
	PID, PPID int
	Args      string // the command line, as ps prints it
}

// Init is the container's PID 1 among ps: the process with host PID pid (Container.Pid), or,
// when pid is 0, the first whose parent is outside the container. A `docker exec` (a
// healthcheck) also has its parent outside: the PID decides when there is one.
func Init(ps []Process, pid int) (Process, bool) {
	in := map[int]bool{}
	for _, p := range ps {
		if pid != 0 && p.PID == pid {
			return p, true
		}
		in[p.PID] = true
	}
	for _, p := range ps {
		if pid == 0 && !in[p.PPID] {
			return p, true
		}
	}
	return Process{}, false
}

// Logs are a container's logs, demultiplexed.
type Logs struct {
	Stdout string
	Stderr string
	TTY    bool // the container has a TTY: everything is in Stdout
}

// VolumeSpec creates a volume.
type VolumeSpec struct {
	Name   string
	Labels map[string]string
}

// Volume is a volume as the engine reports it.
type Volume struct {
	Name       string
	Driver     string
	Mountpoint string // where the engine keeps it on its host
	Labels     map[string]string
	CreatedAt  time.Time
}

// NetworkSpec creates a bridge network.
type NetworkSpec struct {
	Name     string
	Internal bool
	Labels   map[string]string
}

// Network is a network as the engine reports it.
type Network struct {
	ID         string
	Name       string
	Driver     string
	Internal   bool
	Labels     map[string]string
	Subnets    []string
	Gateways   []string
	Containers map[string]string // container ID → IPv4 address (no mask)
}

// EventFilter selects engine events.
type EventFilter struct {
	Since, Until time.Time
	Labels       []string // "key=value"
	Type         string   // "container", "image", ...
}

// Event is one engine event.
type Event struct {
	Type   string // "container"
	Action string // "create", "start", "die", "destroy", ...
	ID     string
	Name   string            // Actor.Attributes["name"]
	Attrs  map[string]string // Actor.Attributes
	Time   time.Time
}
