package labkit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer est un journal partagé entre le serveur et le test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testConfig() Config {
	return Config{
		Version:  "1.2.3",
		Hostname: "hote-test",
		Getenv:   func(string) string { return "" },
		Exit:     func(int) { panic("Exit inattendu") },
	}
}

// newTestApp démarre l'application sur un serveur httptest.
func newTestApp(t *testing.T, cfg Config) (*httptest.Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	app := New(cfg, NewLogger(logs, cfg.LogFormat))
	srv := httptest.NewServer(app.Handler())
	t.Cleanup(srv.Close)
	return srv, logs
}

func do(t *testing.T, method, target string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestHealth(t *testing.T) {
	srv, _ := newTestApp(t, testConfig())
	resp, body := do(t, "GET", srv.URL+"/health")
	if resp.StatusCode != 200 || body != "ok\n" {
		t.Errorf("GET /health = %d %q, want 200 \"ok\\n\"", resp.StatusCode, body)
	}

	cfg := testConfig()
	cfg.HealthFail = true
	failing, _ := newTestApp(t, cfg)
	if resp, _ := do(t, "GET", failing.URL+"/health"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("GET /health with HEALTH_FAIL = %d, want 503", resp.StatusCode)
	}
}

func TestRoot(t *testing.T) {
	srv, _ := newTestApp(t, testConfig())
	resp, body := do(t, "GET", srv.URL+"/")
	if resp.StatusCode != 200 || body != "Bonjour, Docker depuis hote-test\n" {
		t.Errorf("GET / = %d %q", resp.StatusCode, body)
	}
	if got := resp.Header.Get("X-Served-By"); got != "hote-test" {
		t.Errorf("X-Served-By = %q, want hote-test", got)
	}

	cfg := testConfig()
	cfg.Greeting = "Salut"
	custom, _ := newTestApp(t, cfg)
	if _, body := do(t, "GET", custom.URL+"/"); body != "Salut depuis hote-test\n" {
		t.Errorf("GET / with GREETING = %q", body)
	}

	if resp, _ := do(t, "GET", srv.URL+"/inconnu"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /inconnu = %d, want 404", resp.StatusCode)
	}
}

func TestVersion(t *testing.T) {
	srv, _ := newTestApp(t, testConfig())
	resp, body := do(t, "GET", srv.URL+"/version")
	if resp.StatusCode != 200 || body != "1.2.3\n" {
		t.Errorf("GET /version = %d %q, want 200 \"1.2.3\\n\"", resp.StatusCode, body)
	}
}

func TestResolveVersion(t *testing.T) {
	for _, tc := range []struct{ build, env, want string }{
		{"dev", "", "dev"},
		{"", "", "dev"},
		{"dev", "2.0.0", "2.0.0"},
		{"1.2.3", "2.0.0", "1.2.3"},
		{"1.2.3", "", "1.2.3"},
	} {
		if got := ResolveVersion(tc.build, tc.env); got != tc.want {
			t.Errorf("ResolveVersion(%q, %q) = %q, want %q", tc.build, tc.env, got, tc.want)
		}
	}
}

func TestFromEnv(t *testing.T) {
	env := map[string]string{
		"VERSION": "9.9.9", "GREETING": "Hola", "HOSTNAME": "h1",
		"HEALTH_FAIL": "1", "LOG_FORMAT": "json", "STARTUP_DELAY": "3s",
	}
	cfg := FromEnv(func(k string) string { return env[k] }, "dev")
	if cfg.Version != "9.9.9" || cfg.Greeting != "Hola" || cfg.Hostname != "h1" ||
		!cfg.HealthFail || cfg.LogFormat != "json" || cfg.StartupDelay != 3*time.Second {
		t.Errorf("FromEnv = %+v", cfg)
	}
	if cfg := FromEnv(func(string) string { return "" }, "dev"); cfg.Hostname == "" || cfg.HealthFail {
		t.Errorf("FromEnv(empty) = %+v, want os.Hostname() and HealthFail=false", cfg)
	}
}

func TestWhoami(t *testing.T) {
	status := filepath.Join(t.TempDir(), "status")
	err := os.WriteFile(status, []byte("Name:\tserver\nUid:\t65532\t65532\t65532\t65532\n"+
		"CapEff:\t0000000000000000\nCapBnd:\t00000000a80425fb\nNoNewPrivs:\t1\nSeccomp:\t2\n"), 0o644)
	if err != nil {
		t.Fatal(err)
	}
	cfg := testConfig()
	cfg.StatusPath = status
	srv, _ := newTestApp(t, cfg)
	resp, body := do(t, "GET", srv.URL+"/whoami")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("GET /whoami = %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	var got map[string]any
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatalf("GET /whoami: %v in %q", err, body)
	}
	for _, k := range []string{"uid", "gid", "pid", "hostname", "capEff", "capBnd", "noNewPrivs", "seccomp"} {
		if _, ok := got[k]; !ok {
			t.Errorf("GET /whoami: key %q missing in %s", k, body)
		}
	}
	want := map[string]any{
		"uid": float64(os.Getuid()), "gid": float64(os.Getgid()), "pid": float64(os.Getpid()),
		"capEff": "0000000000000000", "capBnd": "00000000a80425fb", "noNewPrivs": "1", "seccomp": "2",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("GET /whoami: %s = %v, want %v", k, got[k], v)
		}
	}
}

func TestWhoamiWithoutProc(t *testing.T) {
	cfg := testConfig()
	cfg.StatusPath = filepath.Join(t.TempDir(), "absent")
	w := New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil))).Whoami()
	if w.CapEff != "" || w.CapBnd != "" || w.NoNewPrivs != "" || w.Seccomp != "" {
		t.Errorf("Whoami without status file = %+v, want empty strings", w)
	}
	if w.PID != os.Getpid() {
		t.Errorf("Whoami().PID = %d, want %d", w.PID, os.Getpid())
	}
}

func TestEnv(t *testing.T) {
	cfg := testConfig()
	env := map[string]string{"APP_COLOR": "bleu", "DB_PASSWORD": "secret", "APP_API_TOKEN": "x"}
	cfg.Getenv = func(k string) string { return env[k] }
	srv, _ := newTestApp(t, cfg)
	for _, tc := range []struct {
		name string
		code int
		body string
	}{
		{"APP_COLOR", 200, "bleu\n"},
		{"GREETING", 404, ""},
		{"DB_PASSWORD", 403, ""},
		{"APP_API_TOKEN", 403, ""},
		{"PATH", 403, ""},
	} {
		resp, body := do(t, "GET", srv.URL+"/env/"+tc.name)
		if resp.StatusCode != tc.code || (tc.body != "" && body != tc.body) {
			t.Errorf("GET /env/%s = %d %q, want %d %q", tc.name, resp.StatusCode, body, tc.code, tc.body)
		}
	}
}

func TestCrash(t *testing.T) {
	cfg := testConfig()
	exited := make(chan int, 1)
	cfg.Exit = func(code int) { exited <- code }
	srv, _ := newTestApp(t, cfg)
	if resp, _ := do(t, "POST", srv.URL+"/crash?code=3"); resp.StatusCode != 200 {
		t.Fatalf("POST /crash = %d", resp.StatusCode)
	}
	if code := <-exited; code != 3 {
		t.Errorf("exit code = %d, want 3", code)
	}
	if resp, _ := do(t, "POST", srv.URL+"/crash?code=999"); resp.StatusCode != 400 {
		t.Errorf("POST /crash?code=999 = %d, want 400", resp.StatusCode)
	}
	if resp, _ := do(t, "GET", srv.URL+"/crash"); resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("GET /crash = %d, want 405", resp.StatusCode)
	}
}

func TestAlloc(t *testing.T) {
	srv, _ := newTestApp(t, testConfig())
	resp, body := do(t, "POST", srv.URL+"/alloc?mb=2")
	if resp.StatusCode != 200 || !strings.Contains(body, `"heldMb":2`) {
		t.Errorf("POST /alloc?mb=2 = %d %s", resp.StatusCode, body)
	}
	if resp, _ := do(t, "POST", srv.URL+"/alloc"); resp.StatusCode != 400 {
		t.Errorf("POST /alloc without mb = %d, want 400", resp.StatusCode)
	}
}

func TestWriteAndFile(t *testing.T) {
	srv, _ := newTestApp(t, testConfig())
	dir := t.TempDir()
	p := filepath.Join(dir, "data.bin")

	resp, body := do(t, "POST", srv.URL+"/write?mb=1&path="+url.QueryEscape(p))
	var wr WriteResult
	if err := json.Unmarshal([]byte(body), &wr); err != nil || resp.StatusCode != 200 || !wr.OK || wr.Bytes != 1<<20 {
		t.Fatalf("POST /write = %d %s (%v)", resp.StatusCode, body, err)
	}

	_, body = do(t, "POST", srv.URL+"/write?path="+url.QueryEscape(filepath.Join(dir, "absent", "x")))
	if err := json.Unmarshal([]byte(body), &wr); err != nil || wr.OK || wr.Errno != "ENOENT" {
		t.Errorf("POST /write into a missing directory = %s, want ok=false errno=ENOENT", body)
	}

	resp, body = do(t, "GET", srv.URL+"/file?path="+url.QueryEscape(p))
	var fi FileInfo
	if err := json.Unmarshal([]byte(body), &fi); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /file = %d %s (%v)", resp.StatusCode, body, err)
	}
	sum := sha256.Sum256(make([]byte, 1<<20))
	if fi.SHA256 != hex.EncodeToString(sum[:]) || fi.Size != 1<<20 || fi.IsDir {
		t.Errorf("GET /file = %+v", fi)
	}

	if resp, _ := do(t, "GET", srv.URL+"/file?path="+url.QueryEscape(filepath.Join(dir, "absent"))); resp.StatusCode != 404 {
		t.Errorf("GET /file on a missing file = %d, want 404", resp.StatusCode)
	}
}

func TestOctalMode(t *testing.T) {
	for _, tc := range []struct {
		mode os.FileMode
		want string
	}{
		{0o644, "0644"},
		{0o755 | os.ModeSetuid, "4755"},
		{0o777 | os.ModeSticky | os.ModeDir, "1777"},
	} {
		if got := octalMode(tc.mode); got != tc.want {
			t.Errorf("octalMode(%v) = %s, want %s", tc.mode, got, tc.want)
		}
	}
}

func TestMetrics(t *testing.T) {
	srv, _ := newTestApp(t, testConfig())
	do(t, "GET", srv.URL+"/health")
	do(t, "GET", srv.URL+"/health")
	do(t, "GET", srv.URL+"/nope/1")
	_, body := do(t, "GET", srv.URL+"/metrics")
	for _, want := range []string{
		`http_requests_total{method="GET",path="/health",code="200"} 2`,
		`http_requests_total{method="GET",path="autre",code="404"} 1`,
		`http_request_duration_seconds_count{method="GET",path="/health"} 2`,
		`http_request_duration_seconds_bucket{method="GET",path="/health",le="+Inf"} 2`,
		"# TYPE http_request_duration_seconds histogram",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /metrics lacks %q in:\n%s", want, body)
		}
	}
}

func TestOneLogLinePerRequest(t *testing.T) {
	cfg := testConfig()
	cfg.LogFormat = "json"
	srv, logs := newTestApp(t, cfg)
	req, _ := http.NewRequest("GET", srv.URL+"/version", nil)
	req.Header.Set("X-Request-ID", "abc123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-ID"); got != "abc123" {
		t.Errorf("X-Request-ID echoed = %q", got)
	}
	do(t, "GET", srv.URL+"/health")

	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("got %d log lines, want 2:\n%s", len(lines), logs)
	}
	var entry map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &entry); err != nil {
		t.Fatalf("log line is not JSON: %v: %s", err, lines[0])
	}
	if entry["method"] != "GET" || entry["path"] != "/version" || entry["request_id"] != "abc123" || entry["status"] != float64(200) {
		t.Errorf("log line = %s", lines[0])
	}
}

func TestServeStopsCleanly(t *testing.T) {
	logs := &syncBuffer{}
	app := New(testConfig(), NewLogger(logs, ""))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- app.ServeListeners(ctx, ln, nil) }()

	healthURL := "http://" + ln.Addr().String() + "/health"
	if err := Healthcheck(context.Background(), healthURL, 2*time.Second); err != nil {
		t.Fatalf("Healthcheck on a running server: %v", err)
	}
	// Une connexion keep-alive ouverte ne doit pas retarder l'arrêt.
	resp, err := http.Get(healthURL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	start := time.Now()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("ServeListeners returned %v, want nil", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("ServeListeners did not stop within 2 s")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("shutdown took %v, want < 1 s", d)
	}
	if !strings.Contains(logs.String(), "arrêt propre") {
		t.Errorf("log lacks « arrêt propre »:\n%s", logs)
	}
	if err := Healthcheck(context.Background(), healthURL, 500*time.Millisecond); err == nil {
		t.Error("Healthcheck succeeded after shutdown")
	}
}

func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	defer ok.Close()
	bad := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer bad.Close()
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	}))
	defer slow.Close()

	ctx := context.Background()
	if err := Healthcheck(ctx, ok.URL, time.Second); err != nil {
		t.Errorf("Healthcheck(200) = %v, want nil", err)
	}
	if err := Healthcheck(ctx, bad.URL, time.Second); err == nil {
		t.Error("Healthcheck(503) = nil, want an error")
	}
	start := time.Now()
	if err := Healthcheck(ctx, slow.URL, 200*time.Millisecond); err == nil || time.Since(start) > 2*time.Second {
		t.Errorf("Healthcheck(slow) = %v after %v, want a timeout", err, time.Since(start))
	}
}

func TestErrnoName(t *testing.T) {
	_, err := os.Open(filepath.Join(t.TempDir(), "absent"))
	if got := ErrnoName(err); got != "ENOENT" {
		t.Errorf("ErrnoName(%v) = %q, want ENOENT", err, got)
	}
	if got := ErrnoName(io.EOF); got != "" {
		t.Errorf("ErrnoName(io.EOF) = %q, want empty", got)
	}
}
