package docker

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/docker/docker/api/types/container"
	"github.com/docker/go-connections/nat"

	"github.com/ddlab/grade/internal/engine"
)

// InspectContainer reads a container's state and configuration.
func (e *Engine) InspectContainer(ctx context.Context, id string) (engine.Container, error) {
	ins, err := e.cli.ContainerInspect(ctx, id)
	if err != nil {
		return engine.Container{}, wrap(err)
	}
	return containerFrom(ins), nil
}

func containerFrom(ins container.InspectResponse) engine.Container {
	c := engine.Container{ID: ins.ID, Name: strings.TrimPrefix(ins.Name, "/"), ImageID: ins.Image,
		RestartCount: ins.RestartCount}
	c.Created, _ = time.Parse(time.RFC3339Nano, ins.Created)
	if cfg := ins.Config; cfg != nil {
		c.Labels, c.Image, c.Hostname, c.Env, c.User = cfg.Labels, cfg.Image, cfg.Hostname, cfg.Env, cfg.User
		c.Cmd, c.Entrypoint = cfg.Cmd, cfg.Entrypoint
	}
	if s := ins.State; s != nil {
		c.Status, c.Running, c.ExitCode, c.OOMKilled, c.Pid = s.Status, s.Running, s.ExitCode, s.OOMKilled, s.Pid
		c.StartedAt, _ = time.Parse(time.RFC3339Nano, s.StartedAt)
		c.FinishedAt, _ = time.Parse(time.RFC3339Nano, s.FinishedAt)
		if s.Health != nil {
			c.Health = s.Health.Status
			for _, l := range s.Health.Log {
				if l != nil {
					c.HealthLog = append(c.HealthLog, fmt.Sprintf("exit %d: %s", l.ExitCode, l.Output))
				}
			}
		}
	}
	if hc := ins.HostConfig; hc != nil {
		c.Restart = engine.RestartPolicy{Name: string(hc.RestartPolicy.Name), MaxRetries: hc.RestartPolicy.MaximumRetryCount}
		c.Resources = engine.Resources{Memory: hc.Memory, MemorySwap: hc.MemorySwap, NanoCPUs: hc.NanoCPUs,
			CPUQuota: hc.CPUQuota, CPUPeriod: hc.CPUPeriod}
		if hc.PidsLimit != nil {
			c.Resources.PidsLimit = *hc.PidsLimit
		}
		c.ReadOnly, c.Privileged, c.CapAdd, c.CapDrop = hc.ReadonlyRootfs, hc.Privileged, hc.CapAdd, hc.CapDrop
		c.SecurityOpt, c.Tmpfs, c.NetworkMode = hc.SecurityOpt, hc.Tmpfs, string(hc.NetworkMode)
	}
	// The size of a `--mount type=tmpfs` is only in the HostConfig's mounts.
	tmpfsSize := map[string]int64{}
	if hc := ins.HostConfig; hc != nil {
		for _, m := range hc.Mounts {
			if m.TmpfsOptions != nil {
				tmpfsSize[m.Target] = m.TmpfsOptions.SizeBytes
			}
		}
	}
	for _, m := range ins.Mounts {
		src := m.Source
		if m.Type == "volume" {
			src = m.Name
		}
		c.Mounts = append(c.Mounts, engine.Mount{Type: string(m.Type), Source: src, Destination: m.Destination,
			ReadOnly: !m.RW, Driver: m.Driver, TmpfsSize: tmpfsSize[m.Destination]})
	}
	if ns := ins.NetworkSettings; ns != nil {
		ports := make([]string, 0, len(ns.Ports))
		for p := range ns.Ports {
			ports = append(ports, string(p))
		}
		sort.Strings(ports)
		for _, p := range ports {
			for _, b := range ns.Ports[nat.Port(p)] {
				c.Ports = append(c.Ports, engine.PortBinding{ContainerPort: p, HostIP: b.HostIP, HostPort: b.HostPort})
			}
		}
		if len(ns.Networks) > 0 {
			c.Networks = map[string]engine.Endpoint{}
		}
		for name, ep := range ns.Networks {
			if ep == nil {
				continue
			}
			e := engine.Endpoint{NetworkID: ep.NetworkID, IP: ep.IPAddress, Gateway: ep.Gateway,
				Aliases: ep.Aliases, DNSNames: ep.DNSNames}
			if ep.IPAMConfig != nil {
				e.StaticIP = ep.IPAMConfig.IPv4Address
			}
			c.Networks[name] = e
		}
	}
	return c
}
