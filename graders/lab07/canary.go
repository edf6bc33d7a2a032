package lab07

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// canary is an HTTP listener of the grader's own process on the gateway IP of lab7-front:
// a host address when the engine is local. A container that can leave its networks reaches
// it by local delivery on the host; one on an internal network has no route to it. It
// answers a token unique to the run, so an answer proves it was this canary that answered.
type canary struct {
	addr  string // IP:port
	token string
	srv   *http.Server
}

// startCanary listens on ip:port. The engine runs the adapter's containers, not the host
// network, so the listener lives in the grader (docs/labs/lab7.md puts it in a host-network container).
func startCanary(ip, port string) (*canary, error) {
	ln, err := net.Listen("tcp", net.JoinHostPort(ip, port))
	if err != nil {
		return nil, err
	}
	var b [12]byte
	_, _ = rand.Read(b[:])
	c := &canary{addr: ln.Addr().String(), token: "canari-" + hex.EncodeToString(b[:])}
	c.srv = &http.Server{
		ReadHeaderTimeout: 5 * time.Second,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			fmt.Fprintln(w, c.token)
		}),
	}
	go func() { _ = c.srv.Serve(ln) }()
	return c, nil
}

func (c *canary) url() string { return "http://" + c.addr + "/" }

// answered says whether a probe's HTTP result came from this canary.
func (c *canary) answered(p probeResult) bool {
	return p.OK && p.Status == http.StatusOK && len(p.Body) >= len(c.token) && p.Body[:len(c.token)] == c.token
}

func (c *canary) stop(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if err := c.srv.Shutdown(ctx); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return c.srv.Close()
}
