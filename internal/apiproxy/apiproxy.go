// Package apiproxy is lab 2's recording proxy: an HTTP reverse proxy in front of the Docker
// engine that remembers who asked what. Students' scripts talk to it through DOCKER_API_URL,
// and the grader reads back the requests (method, path, User-Agent, status) to tell a curl
// script from the docker CLI, and either from a script that went around it.
package apiproxy

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/ddlab/grade/internal/check"
	"io"
	"mime"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"time"
)

// Record is one request the proxy forwarded.
type Record struct {
	Time      time.Time
	Method    string
	Path      string // path and query, as the client sent them: "/v1.41/containers/create?name=x"
	UserAgent string
	Status    int // 0 while the response has not started; 502 when the engine could not be reached
	// APIVersion is the engine's API-Version response header (what /_ping negotiates).
	APIVersion string
	// Body is the start of the JSON body of a container create request, at most Options.MaxBody
	// bytes; nil for other requests.
	Body []byte
	// Created names what a successful create made: Kind is "container", "network" or
	// "volume", ID its ID (a volume's name). Empty for other requests.
	Created Created
	// Refused is why the proxy answered 403 without asking the engine (see Guard); nil when
	// the request was forwarded.
	Refused *Refusal
}

// Created is an object a request created.
type Created struct {
	Kind string
	ID   string
	Name string // the name the request gave a container or network, "" when none
}

// Options bound what the proxy keeps.
type Options struct {
	MaxRecords int // records kept; later requests are forwarded but only counted; 0 means 1024
	MaxBody    int // bytes kept of a create request's body; 0 means 16 KiB
	// Guard is what a script may ask; every request is judged by it before it is forwarded.
	Guard Guard
}

// Proxy is a running recording proxy.
type Proxy struct {
	// URL is the proxy's address for clients: "http://127.0.0.1:<port>/<token>". Every request
	// must start with the token, which the proxy strips: the port is visible to every process
	// of the machine (other submissions' sandboxes share the host's network), the token only to
	// the run's own scripts. The docker CLI keeps a DOCKER_HOST's path as a prefix.
	URL string
	// Host is URL for DOCKER_HOST: "tcp://127.0.0.1:<port>/<token>".
	Host  string
	token string

	opts    Options
	srv     *http.Server
	cancel  context.CancelFunc
	done    chan struct{}
	mu      sync.Mutex
	recs    []*Record
	dropped int
	ctx     context.Context
	client  *http.Client // to the engine, for the guard's own lookups
}

// anyCreate is a request that creates an object, its API version removed (Unversioned).
var (
	anyCreate = regexp.MustCompile(`^/(?:(containers|networks|volumes)/create|containers/[^/]+/(exec))$`)
)

type recordKey struct{}

// Start listens on a free loopback port and forwards every request through dial, a raw
// connection to the engine's API socket. The proxy stops when ctx is cancelled or on Close.
func Start(ctx context.Context, dial func(context.Context) (net.Conn, error), opts Options) (*Proxy, error) {
	if opts.MaxRecords <= 0 {
		opts.MaxRecords = 1024
	}
	if opts.MaxBody <= 0 {
		opts.MaxBody = 16 << 10
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("apiproxy: %w", err)
	}
	ctx, cancel := context.WithCancel(ctx)
	var tok [16]byte
	_, _ = rand.Read(tok[:])
	token := "grade-" + hex.EncodeToString(tok[:])
	p := &Proxy{URL: "http://" + ln.Addr().String() + "/" + token, Host: "tcp://" + ln.Addr().String() + "/" + token,
		token: token, opts: opts, cancel: cancel, done: make(chan struct{})}
	transport := &http.Transport{
		DialContext:         func(ctx context.Context, _, _ string) (net.Conn, error) { return dial(ctx) },
		DisableCompression:  true,
		MaxIdleConnsPerHost: 8,
		IdleConnTimeout:     30 * time.Second,
	}
	p.ctx, p.client = ctx, &http.Client{Transport: transport, Timeout: 10 * time.Second}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			// The engine ignores the host; the connection comes from dial whatever it says.
			pr.Out.URL.Scheme, pr.Out.URL.Host, pr.Out.Host = "http", "docker", "docker"
		},
		Transport: transport,
		// -1: flush at once, so that `logs --follow`, `events` and attach streams are live.
		FlushInterval: -1,
		ModifyResponse: func(res *http.Response) error {
			if rec, ok := res.Request.Context().Value(recordKey{}).(*Record); ok {
				created := createdBy(res)
				p.mu.Lock()
				created.Name = rec.Created.Name
				rec.Status, rec.APIVersion, rec.Created = res.StatusCode, res.Header.Get("Api-Version"), created
				p.mu.Unlock()
			}
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if rec, ok := r.Context().Value(recordKey{}).(*Record); ok {
				p.mu.Lock()
				if rec.Status == 0 {
					rec.Status = http.StatusBadGateway
				}
				p.mu.Unlock()
			}
			if errors.Is(err, context.Canceled) {
				return
			}
			http.Error(w, "grade apiproxy: engine unreachable: "+err.Error(), http.StatusBadGateway)
		},
	}
	p.srv = &http.Server{
		Handler:           p.record(rp),
		ReadHeaderTimeout: 10 * time.Second,
		MaxHeaderBytes:    64 << 10,
		// Request contexts end with ctx, which also closes upgraded (attach) connections:
		// ReverseProxy closes the engine side of a hijacked connection when it ends.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	go func() {
		defer close(p.done)
		_ = p.srv.Serve(ownerOnly{ln})
	}()
	go func() {
		<-ctx.Done()
		_ = p.srv.Close()
		transport.CloseIdleConnections()
	}()
	return p, nil
}

// ownerOnly refuses connections from other users of the machine: the proxy is the engine's
// whole API, unauthenticated, on a TCP port any local user could reach while it runs.
type ownerOnly struct{ net.Listener }

func (l ownerOnly) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil || sameUser(c) {
			return c, err
		}
		c.Close()
	}
}

// Close stops the proxy and waits for its listener to be closed.
func (p *Proxy) Close() error {
	p.cancel()
	<-p.done
	return nil
}

// record notes the request, in arrival order, and forwards it unless the guard refuses it.
func (p *Proxy) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/"+p.token)
		if !ok || rest != "" && rest[0] != '/' {
			// Not one of this run's scripts: not recorded, never forwarded.
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusForbidden)
			_ = json.NewEncoder(w).Encode(map[string]string{"message": "grade : ce proxy n'est pas le vôtre / this proxy is not yours"})
			return
		}
		if rest == "" {
			rest = "/"
		}
		r.URL.Path = rest
		if r.URL.RawPath != "" {
			r.URL.RawPath = strings.TrimPrefix(r.URL.RawPath, "/"+p.token)
		}
		rec := &Record{Time: time.Now(), Method: r.Method, Path: check.Cut(r.URL.RequestURI(), maxField), UserAgent: check.Cut(r.UserAgent(), maxField)}
		var body []byte
		if guarded(r.Method, r.URL.Path) && r.Body != nil {
			b, err := io.ReadAll(io.LimitReader(r.Body, maxGuardedBody+1))
			switch {
			case err != nil:
				http.Error(w, "grade apiproxy: "+err.Error(), http.StatusBadRequest)
				return
			case len(b) > maxGuardedBody:
				rec.Refused = refuse("requête de plus de 1 Mio : refusée", "request over 1 MiB: refused")
			}
			body = b
			r.Body = io.NopCloser(bytes.NewReader(b))
		}
		if rec.Refused == nil {
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			rec.Refused = p.opts.Guard.judge(r.Method, r.URL, body, p, mt == "application/x-www-form-urlencoded" || mt == "multipart/form-data")
		}
		if Unversioned(r.URL.Path) == "/containers/create" && body != nil {
			rec.Body = body[:min(len(body), p.opts.MaxBody)]
		}
		rec.Created.Name = requestedName(r, body)
		p.mu.Lock()
		if len(p.recs) < p.opts.MaxRecords {
			p.recs = append(p.recs, rec)
		} else {
			p.dropped++
		}
		p.mu.Unlock()
		if rec.Refused != nil {
			rec.Status = http.StatusForbidden
			refused(w, rec.Refused)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), recordKey{}, rec)))
	})
}

// refused answers like the engine does on an error, so the docker CLI prints
// "Error response from daemon: grade : …" and exits 1.
func refused(w http.ResponseWriter, why *Refusal) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusForbidden)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": "grade : " + why.FR + " / " + why.EN})
}

// requestedName is the name a create request gives its container or network.
func requestedName(r *http.Request, body []byte) string {
	p := Unversioned(r.URL.Path)
	switch p {
	case "/containers/create":
		return strings.TrimPrefix(r.URL.Query().Get("name"), "/")
	case "/networks/create":
		var n struct{ Name string }
		_ = json.Unmarshal(body, &n)
		return n.Name
	}
	return ""
}

// owns tells whether ref (a name, an ID or an ID prefix of at least 12 characters) is a
// container or network a request of this proxy created.
func (p *Proxy) owns(kind, ref string) bool {
	if ref == "" {
		return false
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, rec := range p.recs {
		c := rec.Created
		if c.Kind != kind || c.ID == "" {
			continue
		}
		if ref == c.Name || ref == c.ID || len(ref) >= 12 && strings.HasPrefix(c.ID, ref) {
			return true
		}
	}
	return false
}

// createdBy reads what a successful create response made, leaving the body intact for the
// client.
func createdBy(res *http.Response) Created {
	m := anyCreate.FindStringSubmatch(Unversioned(res.Request.URL.Path))
	if m == nil || res.Request.Method != http.MethodPost || res.StatusCode/100 != 2 || res.Body == nil {
		return Created{}
	}
	head, _ := io.ReadAll(io.LimitReader(res.Body, 64<<10))
	res.Body = struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(head), res.Body), res.Body}
	var out struct {
		ID   string `json:"Id"`
		Name string `json:"Name"`
	}
	if json.Unmarshal(head, &out) != nil {
		return Created{}
	}
	kind := strings.TrimSuffix(m[1], "s")
	if m[2] == "exec" {
		kind = "exec"
	}
	if kind == "volume" {
		return Created{Kind: kind, ID: out.Name}
	}
	return Created{Kind: kind, ID: out.ID}
}

// labels asks the engine for the labels of a container, network or volume; found is false
// when the engine does not know it (404, or 400 for a name it cannot hold): it will say so to
// the script itself. Where the engine cannot say, the object counts as found with no labels:
// refused, which the engine would be unable to serve anyway.
func (p *Proxy) labels(kind, ref string) (map[string]string, bool) {
	paths := map[string]string{"container": "/containers/%s/json", "network": "/networks/%s", "volume": "/volumes/%s"}
	var out struct {
		Config struct{ Labels map[string]string }
		Labels map[string]string
	}
	switch p.inspect(fmt.Sprintf(paths[kind], url.PathEscape(ref)), &out) {
	case http.StatusNotFound, http.StatusBadRequest:
		return nil, false
	case http.StatusOK:
		if kind == "container" {
			return out.Config.Labels, true
		}
		return out.Labels, true
	}
	return nil, true
}

// inspect reads the engine's JSON about one object into out and returns the engine's status:
// 0 when the engine could not be asked, or answered 200 with what is not the JSON expected.
func (p *Proxy) inspect(path string, out any) int {
	req, err := http.NewRequestWithContext(p.ctx, http.MethodGet, "http://docker"+path, nil)
	if err != nil {
		return 0
	}
	res, err := p.client.Do(req)
	if err != nil {
		return 0
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusOK && json.NewDecoder(io.LimitReader(res.Body, 4<<20)).Decode(out) != nil {
		return 0
	}
	return res.StatusCode
}

// imageTags are the tags of the image ref names (an ID, a name), nil when unknown.
func (p *Proxy) imageTags(ref string) []string {
	var img struct{ RepoTags []string }
	if p.inspect("/images/"+url.PathEscape(ref)+"/json", &img) != http.StatusOK {
		return nil
	}
	return img.RepoTags
}

// hostPaths are the host paths container ref bind-mounts, as its create asked them.
func (p *Proxy) hostPaths(ref string) []string {
	var c struct {
		HostConfig struct {
			Binds  []string
			Mounts []struct{ Type, Source string }
		}
	}
	if p.inspect("/containers/"+url.PathEscape(ref)+"/json", &c) != http.StatusOK {
		return nil
	}
	var out []string
	for _, b := range c.HostConfig.Binds {
		if src, _, _ := strings.Cut(b, ":"); strings.HasPrefix(src, "/") {
			out = append(out, src)
		}
	}
	for _, m := range c.HostConfig.Mounts {
		if m.Type == "bind" {
			out = append(out, m.Source)
		}
	}
	return out
}

// maxField bounds the path and User-Agent kept per record.
const maxField = 2 << 10

// Len is the number of records so far: a mark to read what came after with Since.
func (p *Proxy) Len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.recs)
}

// Since returns copies of the records from index i on.
func (p *Proxy) Since(i int) []Record {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i < 0 {
		i = 0
	}
	if i > len(p.recs) {
		i = len(p.recs)
	}
	out := make([]Record, 0, len(p.recs)-i)
	for _, r := range p.recs[i:] {
		c := *r
		c.Body = bytes.Clone(r.Body)
		out = append(out, c)
	}
	return out
}

// Records returns copies of every record kept.
func (p *Proxy) Records() []Record { return p.Since(0) }

// Dropped is the number of requests forwarded after the record cap was reached.
func (p *Proxy) Dropped() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.dropped
}
