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
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/ddlab/lab13/internal/labkit"
	"example.com/ddlab/lab13/internal/svc"
)

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
	cfg := labkit.Config{KV: true, DataDir: t.TempDir(), Hostname: "orders-db", Getenv: noEnv}
	srv := httptest.NewServer(labkit.New(cfg, slog.New(slog.NewTextHandler(io.Discard, nil))).Handler())
	t.Cleanup(srv.Close)
	return srv
}

func deadURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

// fakeCatalog imite catalog : p1 et p2 existent, « slow » répond trop tard,
// « boom » répond 500 ; il retient les X-Request-ID reçus.
type fakeCatalog struct {
	mu  sync.Mutex
	ids []string
}

func (f *fakeCatalog) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.ids = append(f.ids, r.Header.Get("X-Request-ID"))
	f.mu.Unlock()
	switch id := strings.TrimPrefix(r.URL.Path, "/products/"); id {
	case "p1", "p2":
		svc.WriteJSON(w, http.StatusOK, product{ID: id, Name: "Produit " + id, PriceCents: 1000})
	case "slow":
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	case "boom":
		svc.WriteError(w, http.StatusInternalServerError, "panne")
	default:
		svc.WriteError(w, http.StatusNotFound, "produit inconnu : "+id)
	}
}

func (f *fakeCatalog) lastID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.ids) == 0 {
		return ""
	}
	return f.ids[len(f.ids)-1]
}

type harness struct {
	srv     *httptest.Server
	catalog *fakeCatalog
	access  string // chemin du journal d'accès
	logs    *syncBuffer
}

// newHarness sert orders comme en production (labkit + routes), avec un faux
// catalog et un vrai magasin de test. catalogURL vide : le faux catalog.
func newHarness(t *testing.T, catalogURL string) *harness {
	t.Helper()
	h := &harness{catalog: &fakeCatalog{}, logs: &syncBuffer{}}
	if catalogURL == "" {
		cat := httptest.NewServer(h.catalog)
		t.Cleanup(cat.Close)
		catalogURL = cat.URL
	}
	h.access = filepath.Join(t.TempDir(), "logs", "access.log") // dossier créé par orders
	env := map[string]string{
		"KV_URL":          fakeKV(t).URL,
		"CATALOG_URL":     catalogURL,
		"CATALOG_TIMEOUT": "200ms",
		"ACCESS_LOG":      h.access,
	}
	getenv := func(k string) string { return env[k] }
	log := slog.New(slog.NewTextHandler(h.logs, nil))
	o := newOrders(getenv, log)
	t.Cleanup(func() { o.access.Close() })
	h.srv = httptest.NewServer(labkit.New(labkit.Config{Hostname: "orders-1", Getenv: noEnv, Routes: o.routes}, log).Handler())
	t.Cleanup(h.srv.Close)
	return h
}

// post envoie body en POST sur path (« / » : ce que la passerelle transmet
// pour POST /api/orders).
func (h *harness) post(t *testing.T, path, body, rid string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, h.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if rid != "" {
		req.Header.Set("X-Request-ID", rid)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

func TestCreate(t *testing.T) {
	h := newHarness(t, "")
	tests := []struct {
		name, body string
		status     int
		contains   string
	}{
		{"known product", `{"product":"p1"}`, 201, `"product":"p1"`},
		{"other product", `{"product":" p2 "}`, 201, `"name":"Produit p2"`},
		{"unknown product", `{"product":"p9"}`, 422, "produit inconnu"},
		{"catalog too slow", `{"product":"slow"}`, 504, "sans réponse"},
		{"catalog fails", `{"product":"boom"}`, 502, "a répondu 500"},
		{"not JSON", `product=p1`, 400, "corps JSON attendu"},
		{"no product", `{}`, 400, "manquant"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			resp, body := h.post(t, "/", tt.body, "")
			if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.contains) {
				t.Errorf("POST %s = %d %s; want %d with %q", tt.body, resp.StatusCode, body, tt.status, tt.contains)
			}
			if d := time.Since(start); d > time.Second {
				t.Errorf("POST %s took %v: the catalog timeout must bound it", tt.body, d)
			}
		})
	}
}

func TestCatalogUnreachable(t *testing.T) {
	h := newHarness(t, deadURL(t))
	resp, body := h.post(t, "/", `{"product":"p1"}`, "")
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(string(body), "injoignable") {
		t.Errorf("POST = %d %s; want 502", resp.StatusCode, body)
	}
}

func TestRequestIDForwarded(t *testing.T) {
	h := newHarness(t, "")
	resp, body := h.post(t, "/", `{"product":"p1"}`, "r-abc")
	if resp.StatusCode != 201 {
		t.Fatalf("POST = %d %s", resp.StatusCode, body)
	}
	if got := h.catalog.lastID(); got != "r-abc" {
		t.Errorf("catalog got X-Request-ID %q, want r-abc", got)
	}
	var ord Order
	if err := json.Unmarshal(body, &ord); err != nil || ord.RequestID != "r-abc" || !strings.HasPrefix(ord.ID, "order-") {
		t.Errorf("order = %+v, %v", ord, err)
	}
	// Sans en-tête, labkit crée un identifiant : c'est lui qui part vers catalog.
	resp, _ = h.post(t, "/", `{"product":"p2"}`, "")
	if id := resp.Header.Get("X-Request-ID"); id == "" || h.catalog.lastID() != id {
		t.Errorf("response id %q, catalog got %q", id, h.catalog.lastID())
	}
}

func TestListAndAccessLog(t *testing.T) {
	h := newHarness(t, "")
	for _, c := range [][2]string{{"/", "p1"}, {"/orders", "p2"}} {
		if resp, body := h.post(t, c[0], `{"product":"`+c[1]+`"}`, "r-"+c[1]); resp.StatusCode != 201 {
			t.Fatalf("POST %s %s = %d %s", c[0], c[1], resp.StatusCode, body)
		}
	}
	h.post(t, "/", `{"product":"p9"}`, "r-p9")
	resp, err := http.Get(h.srv.URL + "/orders")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list []Order
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Product != "p1" || list[1].Product != "p2" {
		t.Errorf("GET /orders = %+v", list)
	}
	// /health et GET / (accueil de labkit) ne sont pas des routes d'orders :
	// pas de ligne d'accès.
	for _, p := range []string{"/health", "/"} {
		if r, err := http.Get(h.srv.URL + p); err == nil {
			r.Body.Close()
		}
	}
	data, err := os.ReadFile(h.access)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	want := [][]string{
		{"method=POST", "path=/ ", "status=201", "request_id=r-p1"},
		{"method=POST", "path=/orders", "status=201", "request_id=r-p2"},
		{"method=POST", "path=/ ", "status=422", "request_id=r-p9"},
		{"method=GET", "path=/orders", "status=200", "request_id="},
	}
	if len(lines) != len(want) {
		t.Fatalf("access log has %d lines, want %d:\n%s", len(lines), len(want), data)
	}
	for i, parts := range want {
		for _, p := range parts {
			if !strings.Contains(lines[i], p) {
				t.Errorf("access line %d %q lacks %q", i, lines[i], p)
			}
		}
	}
}

func TestAccessLogUnwritable(t *testing.T) {
	dir := t.TempDir()
	blocker := filepath.Join(dir, "file")
	if err := os.WriteFile(blocker, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	logs := &syncBuffer{}
	a := &accessLog{path: filepath.Join(blocker, "access.log"), log: slog.New(slog.NewTextHandler(logs, nil))}
	for i := 0; i < 2; i++ {
		if _, err := a.Write([]byte("x\n")); err == nil {
			t.Fatal("Write under a regular file must fail")
		}
	}
	if n := strings.Count(logs.String(), "journal d'accès impossible"); n != 1 {
		t.Errorf("error logged %d times, want once:\n%s", n, logs.String())
	}
}

func TestMigrate(t *testing.T) {
	kv := fakeKV(t)
	tests := []struct {
		name   string
		env    map[string]string
		code   int
		stdout string
		stderr string
	}{
		{"store ready", map[string]string{"KV_URL": kv.URL}, 0, "version 1", ""},
		{"store never ready", map[string]string{"KV_URL": deadURL(t), "MIGRATE_TIMEOUT": "300ms", "KV_TIMEOUT": "100ms"}, 1, "attente", "échec"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errb bytes.Buffer
			code := run(context.Background(), []string{"migrate"}, func(k string) string { return tt.env[k] }, &out, &errb)
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.stderr) {
				t.Errorf("migrate = %d, stdout %q, stderr %q", code, out.String(), errb.String())
			}
		})
	}
	v, err := svc.NewKV(kv.URL, time.Second).Get(context.Background(), schemaKey)
	if err != nil || string(v) != "1" {
		t.Errorf("schema-version = %q, %v", v, err)
	}
}

func TestCheckSchema(t *testing.T) {
	kv := fakeKV(t)
	env := map[string]string{"KV_URL": kv.URL, "ACCESS_LOG": filepath.Join(t.TempDir(), "a.log")}
	logs := &syncBuffer{}
	o := newOrders(func(k string) string { return env[k] }, slog.New(slog.NewTextHandler(logs, nil)))
	o.checkSchema(context.Background())
	if !strings.Contains(logs.String(), "schéma absent") {
		t.Errorf("log:\n%s", logs.String())
	}
	if code := migrate(context.Background(), func(k string) string { return env[k] }, io.Discard, io.Discard); code != 0 {
		t.Fatalf("migrate = %d", code)
	}
	o.checkSchema(context.Background())
	if !strings.Contains(logs.String(), "schéma de la base à jour") {
		t.Errorf("log:\n%s", logs.String())
	}
}

func TestRunHealthcheck(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	env := map[string]string{"PORT": addr, "KV_URL": fakeKV(t).URL, "ACCESS_LOG": filepath.Join(t.TempDir(), "a.log")}
	getenv := func(k string) string { return env[k] }
	if code := run(context.Background(), []string{"healthcheck"}, getenv, io.Discard, io.Discard); code != 1 {
		t.Errorf("healthcheck with nothing listening = %d, want 1", code)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() { done <- run(ctx, nil, getenv, io.Discard, io.Discard) }()
	deadline := time.Now().Add(5 * time.Second)
	for run(context.Background(), []string{"healthcheck"}, getenv, io.Discard, io.Discard) != 0 {
		if time.Now().After(deadline) {
			t.Fatal("orders not healthy after 5 s")
		}
		time.Sleep(20 * time.Millisecond)
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
