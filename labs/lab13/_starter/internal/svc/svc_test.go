package svc

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/ddlab/lab13/internal/labkit"
)

// fakeKV démarre un vrai magasin labkit en mode kv, en mémoire de test.
func fakeKV(t *testing.T) *httptest.Server {
	t.Helper()
	cfg := labkit.Config{KV: true, DataDir: t.TempDir(), Hostname: "kv", Getenv: func(string) string { return "" }}
	srv := httptest.NewServer(labkit.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	t.Cleanup(srv.Close)
	return srv
}

// closedURL renvoie une URL où rien n'écoute.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

func TestListenAndProbeAddr(t *testing.T) {
	tests := []struct {
		port, listen, probe string
	}{
		{"", ":8080", "127.0.0.1:8080"},
		{"9090", ":9090", "127.0.0.1:9090"},
		{" 9090 ", ":9090", "127.0.0.1:9090"},
		{"127.0.0.1:7000", "127.0.0.1:7000", "127.0.0.1:7000"},
		{"0.0.0.0:7001", "0.0.0.0:7001", "127.0.0.1:7001"},
	}
	for _, tt := range tests {
		if got := ListenAddr(tt.port); got != tt.listen {
			t.Errorf("ListenAddr(%q) = %q, want %q", tt.port, got, tt.listen)
		}
		if got := probeAddr(tt.port); got != tt.probe {
			t.Errorf("probeAddr(%q) = %q, want %q", tt.port, got, tt.probe)
		}
	}
}

func TestEnvAndDuration(t *testing.T) {
	env := map[string]string{"A": " x ", "D": "250ms", "BAD": "vite"}
	getenv := func(k string) string { return env[k] }
	if got := Env(getenv, "A", "d"); got != "x" {
		t.Errorf("Env(A) = %q", got)
	}
	if got := Env(getenv, "NONE", "d"); got != "d" {
		t.Errorf("Env(NONE) = %q", got)
	}
	if got := Duration(getenv, "D", time.Second); got != 250*time.Millisecond {
		t.Errorf("Duration(D) = %v", got)
	}
	if got := Duration(getenv, "BAD", time.Second); got != time.Second {
		t.Errorf("Duration(BAD) = %v", got)
	}
}

func TestKV(t *testing.T) {
	srv := fakeKV(t)
	kv := NewKV(srv.URL+"/", time.Second)
	ctx := context.Background()
	for _, kvp := range [][2]string{{"order-2", "b"}, {"order-1", "a"}, {"product-p1", "p"}} {
		if err := kv.Put(ctx, kvp[0], []byte(kvp[1])); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		key, want string
		err       error
	}{
		{"order-1", "a", nil},
		{"product-p1", "p", nil},
		{"absente", "", ErrNotFound},
	}
	for _, tt := range tests {
		got, err := kv.Get(ctx, tt.key)
		if !errors.Is(err, tt.err) || string(got) != tt.want {
			t.Errorf("Get(%q) = %q, %v; want %q, %v", tt.key, got, err, tt.want, tt.err)
		}
	}
	list, err := kv.List(ctx, "order-")
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Key != "order-1" || list[1].Value != "b" {
		t.Errorf("List(order-) = %+v", list)
	}
	if err := kv.Put(ctx, "../evil", []byte("x")); err == nil {
		t.Error("Put(../evil) must fail")
	}
	if err := kv.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestKVDown(t *testing.T) {
	kv := NewKV(closedURL(t), 200*time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	if err := kv.WaitReady(ctx, 50*time.Millisecond); err == nil || !strings.Contains(err.Error(), "injoignable") {
		t.Errorf("WaitReady = %v, want injoignable", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("WaitReady took %v", d)
	}
	if _, err := kv.Get(context.Background(), "k"); err == nil || errors.Is(err, ErrNotFound) {
		t.Errorf("Get on a dead store = %v", err)
	}
}

func TestHealthcheck(t *testing.T) {
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/health" {
			w.WriteHeader(http.StatusOK)
			return
		}
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer ok.Close()
	sick := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	}))
	defer sick.Close()
	tests := []struct {
		name, port string
		want       int
	}{
		{"healthy", strings.TrimPrefix(ok.URL, "http://"), 0},
		{"503", strings.TrimPrefix(sick.URL, "http://"), 1},
		{"nothing listening", strings.TrimPrefix(closedURL(t), "http://"), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			got := Healthcheck(func(k string) string {
				if k == "PORT" {
					return tt.port
				}
				return ""
			}, &out, &errb)
			if got != tt.want {
				t.Errorf("Healthcheck = %d, want %d (stdout %q, stderr %q)", got, tt.want, out.String(), errb.String())
			}
		})
	}
}

func TestRequestID(t *testing.T) {
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	w := httptest.NewRecorder()
	w.Header().Set("X-Request-ID", "made-by-labkit")
	if got := RequestID(w, r); got != "made-by-labkit" {
		t.Errorf("RequestID = %q", got)
	}
	r.Header.Set("X-Request-ID", "r-client")
	if got := RequestID(w, r); got != "r-client" {
		t.Errorf("RequestID = %q", got)
	}
}
