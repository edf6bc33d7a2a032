package lab07

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/ddlab/grade/internal/engine"
)

// canary is a web server in a container of the grader's own, on the engine's default bridge,
// published on the gateway address of lab7-front (an address of the host that only the host
// and its containers reach). A container reaches it through the host: its request to the
// gateway is translated (DNAT) to the canary and forwarded from its bridge to the canary's,
// which the engine drops for a bridge created --internal and lets through for any other
// (measured on Docker 20.10, see docs/design-notes.md). A listener on the host itself would
// not do: before Docker 25 an internal network still reaches the host's own addresses.
// It answers a token unique to the run, so an answer proves it was this canary.
type canary struct {
	addr   string // gateway IP:port
	token  string
	remove func(context.Context)
}

// startCanary runs the canary published on gateway:port (port "" lets the engine choose), the
// gateway of network frontNet.
func (s *state) startCanary(ctx context.Context, frontNet, gateway, port string) (*canary, error) {
	var b [12]byte
	_, _ = rand.Read(b[:])
	c := &canary{token: "canari-" + hex.EncodeToString(b[:])}
	labels := s.run.Labels()
	labels["ddlab.role"] = "canary"
	id, err := s.run.Engine.Run(ctx, engine.RunSpec{
		Name:   s.run.Name("canary"),
		Image:  s.param("probe-image"),
		Labels: labels,
		// busybox httpd in the foreground, serving the token as its index.
		Entrypoint:  []string{"sh", "-c", `mkdir -p /tmp/www && echo "$1" > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www`, "canary", c.token},
		NetworkMode: "bridge",
		Ports:       []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: gateway, HostPort: port, Gateway: frontNet}},
		Limits:      engine.Limits{MemoryBytes: 32 << 20, Pids: 16},
	})
	c.remove = func(ctx context.Context) {
		if id == "" {
			return
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
		defer cancel()
		_ = s.run.Engine.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id})
	}
	if err != nil {
		c.stop(ctx)
		return nil, err
	}
	ctr, err := s.run.Engine.InspectContainer(ctx, id)
	if err != nil {
		c.stop(ctx)
		return nil, err
	}
	for _, p := range ctr.Ports {
		if p.ContainerPort == "8080/tcp" && p.HostIP == gateway && p.HostPort != "" {
			c.addr = net.JoinHostPort(gateway, p.HostPort)
		}
	}
	if c.addr == "" {
		c.stop(ctx)
		return nil, fmt.Errorf("canary: the engine published no port on %s", gateway)
	}
	return c, nil
}

func (c *canary) url() string { return "http://" + c.addr + "/" }

// answered says whether a probe's HTTP result came from this canary.
func (c *canary) answered(p probeResult) bool {
	return p.OK && p.Status == http.StatusOK && len(p.Body) >= len(c.token) && p.Body[:len(c.token)] == c.token
}

// stop removes the canary now; the run's label sweep is the net.
func (c *canary) stop(ctx context.Context) { c.remove(ctx) }
