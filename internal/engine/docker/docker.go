// Package docker is the adapter from engine.Engine to the Docker Engine API. It is the only
// package that imports the Docker SDK.
package docker

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"strings"

	"github.com/containerd/errdefs"
	"github.com/docker/docker/client"

	"github.com/ddlab/grade/internal/engine"
)

// Engine talks to one Docker engine.
type Engine struct {
	cli  *client.Client
	host string
}

// New connects to the engine the Docker CLI would use without --context (see
// [NewForContext]). It does not dial: the first call does, so commands that need no engine
// stay fast.
func New() (*Engine, error) {
	return NewForContext("")
}

// newWithClient wraps an existing client; host is the endpoint it talks to, which decides
// Info.Remote. Tests use it to point the adapter at a fake daemon.
func newWithClient(cli *client.Client, host string) *Engine {
	return &Engine{cli: cli, host: host}
}

// Close releases the client's connections.
func (e *Engine) Close() error { return e.cli.Close() }

// Info asks the engine who it is.
func (e *Engine) Info(ctx context.Context) (engine.Info, error) {
	ping, err := e.cli.Ping(ctx)
	if err != nil {
		return engine.Info{}, wrap(err)
	}
	v, err := e.cli.ServerVersion(ctx)
	if err != nil {
		return engine.Info{}, wrap(err)
	}
	info, err := e.cli.Info(ctx)
	if err != nil {
		return engine.Info{}, wrap(err)
	}
	containerd := ""
	for _, c := range v.Components {
		if strings.EqualFold(c.Name, "containerd") {
			containerd = c.Version
		}
	}
	return engine.Info{
		KernelVersion:     info.KernelVersion,
		DefaultRuntime:    info.DefaultRuntime,
		CgroupDriver:      info.CgroupDriver,
		CgroupVersion:     info.CgroupVersion,
		ContainerdVersion: containerd,
		ServerAPIVersion:  v.APIVersion,
		MemoryLimit:       info.MemoryLimit,
		PidsLimit:         info.PidsLimit,
		Name:              info.Name,
		Version:           v.Version,
		APIVersion:        e.cli.ClientVersion(),
		OS:                v.Os,
		Arch:              v.Arch,
		BuildKit:          ping.OSType != "windows",
		SwarmState:        string(info.Swarm.LocalNodeState),
		RootDir:           info.DockerRootDir,
		StorageDriver:     info.Driver,
		Remote:            isRemote(e.host),
	}, nil
}

func isRemote(host string) bool {
	u, err := url.Parse(host)
	if err != nil {
		return true
	}
	switch u.Scheme {
	case "unix", "npipe", "":
		return false
	case "tcp", "http", "https":
		h := u.Hostname()
		return h != "127.0.0.1" && h != "localhost" && h != "::1"
	}
	return true
}

// wrap marks failures to reach the daemon with engine.ErrUnavailable.
func wrap(err error) error {
	if err == nil {
		return nil
	}
	switch {
	case client.IsErrConnectionFailed(err) || errors.Is(err, os.ErrNotExist) || strings.Contains(err.Error(), "Cannot connect to the Docker daemon"):
		return fmt.Errorf("%w: %w", engine.ErrUnavailable, err)
	case errdefs.IsNotFound(err):
		return fmt.Errorf("%w: %w", engine.ErrNotFound, err)
	case errdefs.IsConflict(err):
		return fmt.Errorf("%w: %w", engine.ErrConflict, err)
	}
	return err
}

var _ engine.Engine = (*Engine)(nil)
