// Package registry is a real OCI distribution registry that the grader starts itself, in
// process, on 127.0.0.1: labs whose students push images (lab 3) push to it and the grader
// reads back what arrived. It is go-containerregistry's in-memory pkg/registry behind a cap on
// the bytes it accepts, so a hostile push cannot exhaust the host's memory.
//
// Docker treats 127.0.0.0/8 as an insecure registry by default, so a local engine (whose
// daemon shares the host's loopback) pushes and pulls here without any daemon configuration.
// A remote engine cannot reach it.
package registry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"

	ggcr "github.com/google/go-containerregistry/pkg/registry"
)

// DefaultMaxBytes is the default cap on the request bodies (blobs, manifests) one registry
// accepts over its whole life.
const DefaultMaxBytes = 200 << 20

// Registry is a running registry. Close stops it and frees what it stored.
type Registry struct {
	addr   string
	srv    *http.Server
	budget *budget
	client *http.Client
	done   chan struct{}
}

// Start listens on a free port of 127.0.0.1 and serves until Close. maxBytes ≤ 0 means
// DefaultMaxBytes.
func Start(maxBytes int64) (*Registry, error) {
	if maxBytes <= 0 {
		maxBytes = DefaultMaxBytes
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("registry: %w", err)
	}
	b := &budget{max: maxBytes}
	quiet := log.New(io.Discard, "", 0)
	r := &Registry{
		addr:   ln.Addr().String(),
		budget: b,
		srv: &http.Server{
			Handler:           b.wrap(ggcr.New(ggcr.Logger(quiet))),
			ReadHeaderTimeout: 10 * time.Second,
			IdleTimeout:       30 * time.Second,
			MaxHeaderBytes:    64 << 10,
			ErrorLog:          quiet,
		},
		// The read side talks to our own listener: no proxy, short timeouts.
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{Proxy: nil, MaxIdleConns: 2}},
		done:   make(chan struct{}),
	}
	go func() {
		defer close(r.done)
		_ = r.srv.Serve(ln)
	}()
	return r, nil
}

// Host is the registry's address as image references spell it: "127.0.0.1:41234".
func (r *Registry) Host() string { return r.addr }

// Received is how many request-body bytes the registry has accepted so far.
func (r *Registry) Received() int64 { return r.budget.usedBytes() }

// Requests counts the requests that reached the registry, whatever they asked.
func (r *Registry) Requests() int64 { return r.budget.requestCount() }

// Close stops the registry; open connections get until ctx ends to finish.
func (r *Registry) Close(ctx context.Context) error {
	err := r.srv.Shutdown(ctx)
	if err != nil {
		err = errors.Join(err, r.srv.Close())
	}
	<-r.done
	r.client.CloseIdleConnections()
	return err
}

// budget caps the total of request bodies. Everything the in-memory registry keeps (upload
// buffers, blobs, manifests) arrived in a request body, so this bounds its memory.
type budget struct {
	mu       sync.Mutex
	max      int64
	used     int64
	requests int64
}

func (b *budget) requestCount() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.requests
}

func (b *budget) usedBytes() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// take accounts for n more bytes and reports whether they fit.
func (b *budget) take(n int64) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+n > b.max {
		b.used = b.max
		return false
	}
	b.used += n
	return true
}

func (b *budget) left() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.max - b.used
}

// errFull is what a body read returns once the budget is spent.
var errFull = errors.New("registry: storage budget exhausted")

func (b *budget) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		b.mu.Lock()
		b.requests++
		b.mu.Unlock()
		if req.ContentLength > b.left() {
			// Refused before a byte is read: the client sees a clear registry error.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusRequestEntityTooLarge)
			fmt.Fprintf(w, `{"errors":[{"code":"DENIED","message":"the grader's registry accepts at most %d MB in all"}]}`, b.max>>20)
			return
		}
		if req.Body != nil {
			req.Body = &countedBody{rc: req.Body, b: b}
		}
		h.ServeHTTP(w, req)
	})
}

// countedBody charges every byte read to the budget and fails once it is spent. The
// registry then stores at most a truncated upload, whose digest check fails.
type countedBody struct {
	rc io.ReadCloser
	b  *budget
}

func (c *countedBody) Read(p []byte) (int, error) {
	n, err := c.rc.Read(p)
	if n > 0 && !c.b.take(int64(n)) {
		return 0, errFull
	}
	return n, err
}

func (c *countedBody) Close() error { return c.rc.Close() }
