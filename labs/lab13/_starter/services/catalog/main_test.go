package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/ddlab/lab13/internal/labkit"
	"example.com/ddlab/lab13/internal/svc"
)

// syncBuffer est un journal lisible pendant que le serveur écrit.
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

func noEnv(string) string { return "" }

// fakeKV démarre un vrai magasin labkit en mode kv, en mémoire de test.
func fakeKV(t *testing.T) *httptest.Server {
	t.Helper()
	cfg := labkit.Config{KV: true, DataDir: t.TempDir(), Hostname: "catalog-db", Getenv: noEnv}
	srv := httptest.NewServer(labkit.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// newCatalog renvoie un catalogue écrit dans un magasin de test, servi par
// labkit comme en production, et son journal.
func newCatalog(t *testing.T, kvURL string) (*httptest.Server, *syncBuffer) {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, nil))
	c := &catalog{kv: svc.NewKV(kvURL, time.Second)}
	if err := c.seed(context.Background(), log); err != nil {
		t.Fatal(err)
	}
	cfg := labkit.Config{Hostname: "catalog-1", Getenv: noEnv, Routes: c.routes}
	srv := httptest.NewServer(labkit.New(cfg, log).Handler())
	t.Cleanup(srv.Close)
	return srv, logs
}

func TestRoutes(t *testing.T) {
	srv, _ := newCatalog(t, fakeKV(t).URL)
	tests := []struct {
		path     string
		status   int
		contains string
	}{
		{"/products", 200, `"name":"Clavier mécanique"`},
		{"/products/p1", 200, `"id":"p1"`},
		{"/products/p3", 200, `"price_cents":24900`},
		{"/products/p9", 404, "produit inconnu : p9"},
		{"/products/a.b", 404, "identifiant invalide"},
		{"/health", 200, "ok"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			resp, err := http.Get(srv.URL + tt.path)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) {
				t.Errorf("GET %s = %d %s; want %d with %q", tt.path, resp.StatusCode, body, tt.status, tt.contains)
			}
			if got := resp.Header.Get("X-Served-By"); got != "catalog-1" {
				t.Errorf("X-Served-By = %q", got)
			}
		})
	}
}

func TestListIsComplete(t *testing.T) {
	srv, _ := newCatalog(t, fakeKV(t).URL)
	resp, err := http.Get(srv.URL + "/products")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var got []Product
	if err := json.NewDecoder(resp.Body).Decode(&got); err != nil {
		t.Fatal(err)
	}
	if len(got) != len(products) || got[0] != products[0] {
		t.Errorf("GET /products = %+v", got)
	}
}

// Le journal de catalog doit montrer l'appel de validation d'orders avec
// l'identifiant de requête qu'orders a transmis.
func TestRequestLogHasRequestID(t *testing.T) {
	srv, logs := newCatalog(t, fakeKV(t).URL)
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/products/p1", nil)
	req.Header.Set("X-Request-ID", "r-test-42")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-ID"); got != "r-test-42" {
		t.Errorf("X-Request-ID = %q", got)
	}
	for _, want := range []string{"path=/products/p1", "status=200", "request_id=r-test-42"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestStoreDown(t *testing.T) {
	kv := fakeKV(t)
	srv, _ := newCatalog(t, kv.URL)
	kv.Close()
	for _, path := range []string{"/products", "/products/p1"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusBadGateway {
			t.Errorf("GET %s with the store down = %d, want 502", path, resp.StatusCode)
		}
	}
}

func TestRun(t *testing.T) {
	kv := fakeKV(t)
	addr := freeAddr(t)
	env := map[string]string{"PORT": addr, "KV_URL": kv.URL, "HOSTNAME": "catalog-run"}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, getenv, out, io.Discard) }()

	deadline := time.Now().Add(5 * time.Second)
	for run(context.Background(), []string{"healthcheck"}, getenv, io.Discard, io.Discard) != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("catalog not healthy after 5 s:\n%s", out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := http.Get("http://" + addr + "/products/p2")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("GET /products/p2 = %d", resp.StatusCode)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("run = %d, want 0", code)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("run did not stop")
	}
	if !strings.Contains(out.String(), "catalogue écrit dans la base") {
		t.Errorf("log:\n%s", out.String())
	}
}

func TestRunStoreNeverReady(t *testing.T) {
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	dead := "http://" + ln.Addr().String()
	ln.Close()
	env := map[string]string{"PORT": freeAddr(t), "KV_URL": dead, "SEED_TIMEOUT": "300ms", "KV_TIMEOUT": "100ms"}
	out := &syncBuffer{}
	start := time.Now()
	code := run(context.Background(), nil, func(k string) string { return env[k] }, out, io.Discard)
	if code != 1 {
		t.Errorf("run = %d, want 1", code)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("run took %v", d)
	}
	if !strings.Contains(out.String(), "catalogue non initialisé") {
		t.Errorf("log:\n%s", out.String())
	}
}
