package main

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"example.com/ddlab/lab8/api/internal/labkit"
)

// Les tests n'ont besoin ni de Docker ni du réseau : le « faux » magasin est
// labkit lui-même en mode kv, dans un dossier temporaire.

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// newKV démarre un magasin clé/valeur de test et renvoie son URL.
func newKV(t *testing.T) string {
	t.Helper()
	kv := labkit.New(labkit.Config{KV: true, DataDir: t.TempDir(), Hostname: "db"}, quietLog())
	srv := httptest.NewServer(kv.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// deadURL renvoie l'URL d'un serveur déjà arrêté : toute connexion échoue.
func deadURL(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL
	srv.Close()
	return u
}

// newHandler monte l'API comme en production : routes de labkit + routes du lab 8.
func newHandler(t *testing.T, env map[string]string) http.Handler {
	t.Helper()
	getenv := func(k string) string { return env[k] }
	cfg := labkit.FromEnv(getenv, "test")
	a := newAPI(getenv)
	cfg.Routes = a.routes
	return labkit.New(cfg, quietLog()).Handler()
}

func do(t *testing.T, h http.Handler, method, target, body string) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, r))
	return rec
}

func TestHello(t *testing.T) {
	tests := []struct {
		name     string
		greeting string
		code     int
		body     string
	}{
		{"Bonjour", "Bonjour", 200, "Bonjour\n"},
		{"Salut", "Salut", 200, "Salut\n"},
		{"absente", "", 500, "GREETING n'est pas définie"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, map[string]string{"GREETING": tt.greeting})
			rec := do(t, h, "GET", "/hello", "")
			if rec.Code != tt.code || !strings.HasPrefix(rec.Body.String(), tt.body) {
				t.Fatalf("GET /hello = %d %q, want %d %q", rec.Code, rec.Body, tt.code, tt.body)
			}
			if rec.Header().Get("X-Served-By") == "" {
				t.Error("X-Served-By manque : les routes doivent passer par labkit")
			}
		})
	}
}

func TestCreateItem(t *testing.T) {
	kv := newKV(t)
	tests := []struct {
		name    string
		kvURL   string
		body    string
		code    int
		wantKey string
	}{
		{"simple", kv, `{"name":"n-123"}`, 201, "item-n-123"},
		{"accents et espaces", kv, `{"name":"café au lait"}`, 201, itemKey("café au lait")},
		{"espaces retirés", kv, `{"name":"  thé "}`, 201, itemKey("thé")},
		{"nom vide", kv, `{"name":"  "}`, 400, ""},
		{"nom absent", kv, `{}`, 400, ""},
		{"pas du JSON", kv, `name=x`, 400, ""},
		{"nom trop long", kv, `{"name":"` + strings.Repeat("x", maxNameBytes+1) + `"}`, 400, ""},
		{"magasin injoignable", deadURL(t), `{"name":"x"}`, 502, ""},
		{"KV_URL absente", "", `{"name":"x"}`, 502, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, map[string]string{"KV_URL": tt.kvURL})
			rec := do(t, h, "POST", "/items", tt.body)
			if rec.Code != tt.code {
				t.Fatalf("POST /items %s = %d %s, want %d", tt.body, rec.Code, rec.Body, tt.code)
			}
			if tt.code != 201 {
				var e errorBody
				if err := json.Unmarshal(rec.Body.Bytes(), &e); err != nil || e.Error == "" {
					t.Fatalf("erreur sans message JSON : %q", rec.Body)
				}
				return
			}
			var got item
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Key != tt.wantKey || !labkit.ValidKey(got.Key) {
				t.Errorf("key = %q, want %q (clé valide pour le magasin)", got.Key, tt.wantKey)
			}
		})
	}
}

func TestListItems(t *testing.T) {
	kv := newKV(t)
	// Une clé qui n'est pas un élément ne doit pas apparaître.
	req, _ := http.NewRequest("PUT", kv+"/kv/other", strings.NewReader("ignorée"))
	if resp, err := http.DefaultClient.Do(req); err != nil {
		t.Fatal(err)
	} else {
		resp.Body.Close()
	}
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "panne", http.StatusInternalServerError)
	}))
	defer broken.Close()
	garbage := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "pas du JSON")
	}))
	defer garbage.Close()

	tests := []struct {
		name  string
		kvURL string
		add   []string
		code  int
		want  []string
	}{
		{"vide", newKV(t), nil, 200, []string{}},
		{"deux éléments triés", kv, []string{"thé", "café"}, 200, []string{"café", "thé"}},
		{"magasin injoignable", deadURL(t), nil, 502, nil},
		{"magasin en erreur", broken.URL, nil, 502, nil},
		{"réponse illisible", garbage.URL, nil, 502, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHandler(t, map[string]string{"KV_URL": tt.kvURL + "/"}) // « / » final toléré
			for _, n := range tt.add {
				b, _ := json.Marshal(item{Name: n})
				if rec := do(t, h, "POST", "/items", string(b)); rec.Code != 201 {
					t.Fatalf("POST %s = %d %s", b, rec.Code, rec.Body)
				}
			}
			rec := do(t, h, "GET", "/items", "")
			if rec.Code != tt.code {
				t.Fatalf("GET /items = %d %s, want %d", rec.Code, rec.Body, tt.code)
			}
			if tt.code != 200 {
				return
			}
			var got []string
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("GET /items = %q : %v", rec.Body, err)
			}
			if strings.Join(got, "|") != strings.Join(tt.want, "|") || got == nil {
				t.Errorf("GET /items = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStatic(t *testing.T) {
	dir := t.TempDir()
	must(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>accueil</h1>"), 0o644))
	must(t, os.MkdirAll(filepath.Join(dir, "css"), 0o755))
	must(t, os.WriteFile(filepath.Join(dir, "css", "style.css"), []byte("body{}"), 0o644))
	h := newHandler(t, map[string]string{"STATIC_DIR": dir})

	tests := []struct {
		target string
		code   int
		body   string
	}{
		{"/static/", 200, "<h1>accueil</h1>"},
		{"/static/index.html", 200, "<h1>accueil</h1>"}, // sans redirection
		{"/static/css/style.css", 200, "body{}"},
		{"/static/css", 404, ""}, // dossier sans index.html
		{"/static/absent.html", 404, ""},
		{"/static/../main.go", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.target, func(t *testing.T) {
			rec := do(t, h, "GET", tt.target, "")
			// Le multiplexeur redirige les chemins non canoniques (« .. ») : ni 200 ni fichier.
			if tt.code == 404 && rec.Code/100 == 3 {
				return
			}
			if rec.Code != tt.code || (tt.body != "" && rec.Body.String() != tt.body) {
				t.Fatalf("GET %s = %d %q, want %d %q", tt.target, rec.Code, rec.Body, tt.code, tt.body)
			}
			if tt.code == 200 && rec.Header().Get("Cache-Control") != "no-cache" {
				t.Errorf("Cache-Control = %q, want no-cache", rec.Header().Get("Cache-Control"))
			}
		})
	}

	// Une modification du fichier se voit aussitôt, sans redémarrer.
	must(t, os.WriteFile(filepath.Join(dir, "index.html"), []byte("<h1>modifié</h1>"), 0o644))
	if rec := do(t, h, "GET", "/static/index.html", ""); rec.Body.String() != "<h1>modifié</h1>" {
		t.Errorf("après modification : %q", rec.Body)
	}
}

func TestListenAndProbeAddr(t *testing.T) {
	tests := []struct{ port, listen, probe string }{
		{"", ":8080", "127.0.0.1:8080"},
		{"9090", ":9090", "127.0.0.1:9090"},
		{"0.0.0.0:7000", "0.0.0.0:7000", "127.0.0.1:7000"},
		{"10.0.0.5:7000", "10.0.0.5:7000", "10.0.0.5:7000"},
	}
	for _, tt := range tests {
		if got := listenAddr(tt.port); got != tt.listen {
			t.Errorf("listenAddr(%q) = %q, want %q", tt.port, got, tt.listen)
		}
		if got := probeAddr(tt.port); got != tt.probe {
			t.Errorf("probeAddr(%q) = %q, want %q", tt.port, got, tt.probe)
		}
	}
}

func TestHealthcheckCommand(t *testing.T) {
	up := httptest.NewServer(newHandler(t, nil))
	defer up.Close()
	down := deadURL(t)
	for _, tt := range []struct {
		name string
		url  string
		code int
	}{{"sain", up.URL, 0}, {"arrêté", down, 1}} {
		t.Run(tt.name, func(t *testing.T) {
			port := strings.TrimPrefix(tt.url, "http://")
			var out, errb bytes.Buffer
			env := func(k string) string {
				if k == "PORT" {
					return port
				}
				return ""
			}
			if got := run([]string{"healthcheck"}, env, &out, &errb); got != tt.code {
				t.Fatalf("healthcheck = %d, want %d (%s%s)", got, tt.code, out.String(), errb.String())
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
