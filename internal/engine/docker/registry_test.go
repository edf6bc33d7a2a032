package docker

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"testing"

	"github.com/docker/docker/client"
	"github.com/stretchr/testify/require"
)

// registry is a gh-style http.RoundTripper: tests register one stub per expected request,
// each stub answers once (unless persistent), and Verify fails the test for any stub that
// was never called. No socket is ever opened.
type registry struct {
	mu       sync.Mutex
	stubs    []*stub
	requests []recorded
}

type stub struct {
	method     string
	path       *regexp.Regexp
	respond    func(*http.Request, []byte) (*http.Response, error)
	matched    bool
	persistent bool
}

// recorded is one request the fake daemon received, body included.
type recorded struct {
	Method string
	Path   string
	Query  url.Values
	Body   []byte
}

// Register adds a stub for method and a path regexp (anchored; the /v1.41 prefix included).
func (r *registry) Register(method, pathRE string, respond func(*http.Request, []byte) (*http.Response, error)) *stub {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &stub{method: method, path: regexp.MustCompile("^" + pathRE + "$"), respond: respond}
	r.stubs = append(r.stubs, s)
	return s
}

// Persist lets a stub answer any number of times (and not at all).
func (s *stub) Persist() *stub { s.persistent = true; return s }

func (r *registry) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		if err != nil {
			return nil, err
		}
		req.Body.Close()
		body = b
	}
	r.mu.Lock()
	r.requests = append(r.requests, recorded{Method: req.Method, Path: req.URL.Path, Query: req.URL.Query(), Body: body})
	var found *stub
	for _, s := range r.stubs {
		if s.method == req.Method && s.path.MatchString(req.URL.Path) && (s.persistent || !s.matched) {
			found = s
			break
		}
	}
	if found != nil {
		found.matched = true
	}
	r.mu.Unlock()
	if found == nil {
		return nil, fmt.Errorf("registry: no stub for %s %s", req.Method, req.URL.Path)
	}
	resp, err := found.respond(req, body)
	if resp != nil {
		resp.Request = req
	}
	return resp, err
}

// Verify fails t for every non-persistent stub that no request matched.
func (r *registry) Verify(t *testing.T) {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.stubs {
		if !s.matched && !s.persistent {
			t.Errorf("registry: stub %s %s was never called", s.method, s.path)
		}
	}
}

// Requests returns what the fake daemon received for method and path regexp.
func (r *registry) Requests(method, pathRE string) []recorded {
	re := regexp.MustCompile("^" + pathRE + "$")
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []recorded
	for _, q := range r.requests {
		if q.Method == method && re.MatchString(q.Path) {
			out = append(out, q)
		}
	}
	return out
}

// newTestEngine returns an adapter whose client negotiates its API version with, and sends
// every request to, reg. host is only what the adapter believes it talks to.
func newTestEngine(t *testing.T, reg *registry, host string) *Engine {
	t.Helper()
	// A persistent ping lets the client negotiate whenever it wants to.
	reg.Register(http.MethodHead, "/_ping", pingResponder(t)).Persist()
	reg.Register(http.MethodGet, "/_ping", pingResponder(t)).Persist()
	cli, err := client.NewClientWithOpts(
		client.WithHost(host),
		client.WithHTTPClient(&http.Client{Transport: reg}),
		client.WithAPIVersionNegotiation(),
	)
	require.NoError(t, err)
	e := newWithClient(cli, host)
	t.Cleanup(func() { e.Close() })
	return e
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "engineapi", name))
	require.NoError(t, err)
	return b
}

// pingResponder answers /_ping from testdata/engineapi/ping.json: recorded headers and body.
func pingResponder(t *testing.T) func(*http.Request, []byte) (*http.Response, error) {
	var rec struct {
		Headers map[string]string `json:"headers"`
		Body    string            `json:"body"`
	}
	require.NoError(t, json.Unmarshal(readTestdata(t, "ping.json"), &rec))
	return func(req *http.Request, _ []byte) (*http.Response, error) {
		h := http.Header{}
		for k, v := range rec.Headers {
			h.Set(k, v)
		}
		body := rec.Body
		if req.Method == http.MethodHead {
			body = ""
		}
		return &http.Response{StatusCode: http.StatusOK, Status: "200 OK", Header: h, Body: io.NopCloser(bytes.NewBufferString(body))}, nil
	}
}

// fileResponse answers with status and a testdata/engineapi file as a JSON body.
func fileResponse(t *testing.T, status int, name string) func(*http.Request, []byte) (*http.Response, error) {
	b := readTestdata(t, name)
	return bodyResponse(status, "application/json", b)
}

// bodyResponse answers with status, content type and body.
func bodyResponse(status int, contentType string, b []byte) func(*http.Request, []byte) (*http.Response, error) {
	return func(*http.Request, []byte) (*http.Response, error) {
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		h.Set("Api-Version", "1.41")
		return &http.Response{StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)), Header: h, Body: io.NopCloser(bytes.NewReader(b))}, nil
	}
}

// errorResponse answers as the daemon does for a failed call.
func errorResponse(status int, msg string) func(*http.Request, []byte) (*http.Response, error) {
	b, _ := json.Marshal(map[string]string{"message": msg})
	return bodyResponse(status, "application/json", b)
}
