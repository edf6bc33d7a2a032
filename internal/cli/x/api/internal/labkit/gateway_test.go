package labkit

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestParseRoutes(t *testing.T) {
	tests := []struct {
		in      string
		want    []string // préfixe=amont, dans l'ordre de recherche
		wantErr string
	}{
		{in: "", want: nil},
		{in: "/api=http://api:8080", want: []string{"/api=http://api:8080"}},
		{in: " /api/ = http://api:8080/v1 ", want: []string{"/api=http://api:8080/v1"}},
		{in: "/api=http://api:8080,/api/catalog=http://catalog:8080",
			want: []string{"/api/catalog=http://catalog:8080", "/api=http://api:8080"}},
		{in: "/=http://tout:80", want: []string{"/=http://tout:80"}},
		{in: "api=http://api:8080", wantErr: "commencer par /"},
		{in: "/api", wantErr: "PRÉFIXE=URL"},
		{in: "/api=", wantErr: "PRÉFIXE=URL"},
		{in: "/api=ftp://api", wantErr: "URL http"},
		{in: "/api=http://", wantErr: "URL http"},
		{in: "/api=http://a:1,/api=http://b:1", wantErr: "déjà routé"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			routes, err := ParseRoutes(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("erreur %v, attendu %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, r := range routes {
				got = append(got, r.Prefix+"="+r.Upstream.String())
			}
			if strings.Join(got, " ") != strings.Join(tt.want, " ") {
				t.Fatalf("routes %q, attendu %q", got, tt.want)
			}
		})
	}
}

func TestMatch(t *testing.T) {
	routes, err := ParseRoutes("/api=http://api:8080,/api/catalog=http://catalog:8080")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct{ path, host, rest string }{
		{"/api/health", "api:8080", "/health"},
		{"/api", "api:8080", "/"},
		{"/api/", "api:8080", "/"},
		{"/api/catalog/items", "catalog:8080", "/items"},
		{"/apix", "", ""},
		{"/health", "", ""},
		{"/", "", ""},
	}
	for _, tt := range tests {
		r, rest, ok := Match(routes, tt.path)
		if ok != (tt.host != "") || (ok && (r.Upstream.Host != tt.host || rest != tt.rest)) {
			t.Errorf("Match(%q) = %v %q %v, attendu %q %q", tt.path, r.Upstream, rest, ok, tt.host, tt.rest)
		}
	}
}

// gatewayApp démarre une application en mode passerelle avec env.
func gatewayApp(t *testing.T, env map[string]string) *httptest.Server {
	t.Helper()
	cfg := testConfig()
	cfg.Getenv = func(k string) string { return env[k] }
	srv, _ := newTestApp(t, cfg)
	return srv
}

func TestGatewayForwardsWithoutPrefix(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-Served-By", "amont")
		w.Header().Set("X-Seen-Trace", r.Header.Get("X-Trace"))
		io.WriteString(w, r.Method+" "+r.URL.RequestURI())
	}))
	t.Cleanup(up.Close)
	srv := gatewayApp(t, map[string]string{"ROUTES": "/api=" + up.URL, "PROPAGATE_HEADERS": "X-Trace"})

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/health?x=1", nil)
	req.Header.Set("X-Trace", "abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "GET /health?x=1" {
		t.Fatalf("réponse %d %q", resp.StatusCode, body)
	}
	if got := resp.Header.Get("X-Served-By"); got != "amont" {
		t.Errorf("X-Served-By = %q : la réponse de l'amont doit l'emporter", got)
	}
	if got := resp.Header.Get("X-Seen-Trace"); got != "abc" {
		t.Errorf("X-Trace non propagé : %q", got)
	}

	// Les chemins non routés restent locaux.
	resp, body2 := do(t, http.MethodGet, srv.URL+"/health")
	if resp.StatusCode != 200 || strings.TrimSpace(body2) != "ok" {
		t.Fatalf("/health local : %d %q", resp.StatusCode, body2)
	}
	if got := resp.Header.Get("X-Served-By"); got != "hote-test" {
		t.Errorf("/health servi par %q", got)
	}
}

func TestGatewayHeadersNotPropagatedByDefault(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "trace="+r.Header.Get("X-Trace"))
	}))
	t.Cleanup(up.Close)
	srv := gatewayApp(t, map[string]string{"ROUTES": "/api=" + up.URL})
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/api/x", nil)
	req.Header.Set("X-Trace", "abc")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != "trace=" {
		t.Fatalf("corps %q : sans PROPAGATE_HEADERS rien n'est recopié", body)
	}
}

func TestGatewayUnreachableIs502(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // plus personne n'écoute : connexion refusée
	srv := gatewayApp(t, map[string]string{"ROUTES": "/api=http://" + addr})
	resp, body := do(t, http.MethodGet, srv.URL+"/api/health")
	if resp.StatusCode != http.StatusBadGateway || !strings.Contains(body, "injoignable") {
		t.Fatalf("réponse %d %q, attendu 502", resp.StatusCode, body)
	}
}

func TestGatewayTimeoutIs504(t *testing.T) {
	release := make(chan struct{})
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); up.Close() })
	srv := gatewayApp(t, map[string]string{"ROUTES": "/api=" + up.URL, "UPSTREAM_TIMEOUT": "200ms"})
	start := time.Now()
	resp, body := do(t, http.MethodGet, srv.URL+"/api/lent")
	if resp.StatusCode != http.StatusGatewayTimeout {
		t.Fatalf("réponse %d %q, attendu 504", resp.StatusCode, body)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("504 après %s : UPSTREAM_TIMEOUT ignorée", d)
	}
}

func TestGatewayInvalidRoutesServeLocally(t *testing.T) {
	srv := gatewayApp(t, map[string]string{"ROUTES": "n'importe quoi"})
	resp, _ := do(t, http.MethodGet, srv.URL+"/health")
	if resp.StatusCode != 200 {
		t.Fatalf("/health : %d", resp.StatusCode)
	}
}

func FuzzParseRoutes(f *testing.F) {
	for _, s := range []string{"/api=http://api:8080", "/a=http://x,/a/b=http://y:1/p", "=", ",,", "/=http://h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		routes, err := ParseRoutes(s)
		if err != nil {
			return
		}
		for i, r := range routes {
			if !strings.HasPrefix(r.Prefix, "/") || r.Upstream == nil || r.Upstream.Host == "" {
				t.Fatalf("route invalide acceptée : %+v", r)
			}
			if i > 0 && len(r.Prefix) > len(routes[i-1].Prefix) {
				t.Fatalf("routes mal triées : %v", routes)
			}
		}
	})
}
