package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// upstream est un faux service amont : il retient le chemin et le
// X-Request-ID reçus ; /slow répond trop tard.
type upstream struct {
	name string
	mu   sync.Mutex
	path string
	rid  string
}

func (u *upstream) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	u.mu.Lock()
	u.path, u.rid = r.URL.Path, r.Header.Get("X-Request-ID")
	u.mu.Unlock()
	if r.URL.Path == "/slow" {
		select {
		case <-time.After(3 * time.Second):
		case <-r.Context().Done():
		}
		return
	}
	w.Header().Set("X-Served-By", u.name)
	io.WriteString(w, u.name+" "+r.URL.Path)
}

func (u *upstream) seen() (string, string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.path, u.rid
}

func TestGateway(t *testing.T) {
	catalog, orders := &upstream{name: "catalog-1"}, &upstream{name: "orders-1"}
	cs, ors := httptest.NewServer(catalog), httptest.NewServer(orders)
	defer cs.Close()
	defer ors.Close()

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{
		"PORT":              addr,
		"ROUTES":            "/api/catalog=" + cs.URL + ",/api/orders=" + ors.URL,
		"UPSTREAM_TIMEOUT":  "300ms",
		"PROPAGATE_HEADERS": "X-Request-ID",
	}
	getenv := func(k string) string { return env[k] }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, getenv, io.Discard, io.Discard) }()
	deadline := time.Now().Add(5 * time.Second)
	for run(context.Background(), []string{"healthcheck"}, getenv, io.Discard, io.Discard) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("gateway not healthy after 5 s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	tests := []struct {
		path     string
		up       *upstream
		status   int
		wantPath string
	}{
		{"/api/catalog/products/p1", catalog, 200, "/products/p1"},
		{"/api/orders", orders, 200, "/"}, // POST /api/orders arrive en POST / chez orders
		{"/api/orders/orders", orders, 200, "/orders"},
		{"/api/orders/slow", orders, 504, "/slow"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "http://"+addr+tt.path, nil)
			req.Header.Set("X-Request-ID", "r-gw")
			start := time.Now()
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("GET %s = %d, want %d", tt.path, resp.StatusCode, tt.status)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("GET %s took %v", tt.path, d)
			}
			if p, rid := tt.up.seen(); p != tt.wantPath || rid != "r-gw" {
				t.Errorf("upstream saw %q with X-Request-ID %q; want %q, r-gw", p, rid, tt.wantPath)
			}
			if tt.status == 200 && resp.Header.Get("X-Served-By") != tt.up.name {
				t.Errorf("X-Served-By = %q", resp.Header.Get("X-Served-By"))
			}
		})
	}

	resp, err := http.Get("http://" + addr + "/health")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "ok") {
		t.Errorf("/health = %d %s", resp.StatusCode, body)
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
}
