package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"example.com/ddlab/lab5/internal/labkit"
)

// Lancé avec LAB5_RUN_MAIN=1, le binaire de test se comporte comme le
// serveur : TestSIGTERM s'en sert pour envoyer un vrai signal.
func TestMain(m *testing.M) {
	if os.Getenv("LAB5_RUN_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

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

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// freeAddr renvoie une adresse 127.0.0.1:port libre à cet instant.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func waitHealthy(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("server on %s not healthy after 5 s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestHealthcheckCommand(t *testing.T) {
	quiet := labkit.NewLogger(io.Discard, "")
	healthy := httptest.NewServer(labkit.New(labkit.Config{Hostname: "h"}, quiet).Handler())
	defer healthy.Close()
	failing := httptest.NewServer(labkit.New(labkit.Config{Hostname: "h", HealthFail: true}, quiet).Handler())
	defer failing.Close()
	closed := freeAddr(t)

	for _, tc := range []struct {
		name, port string
		want       int
	}{
		{"healthy", healthy.Listener.Addr().String(), 0},
		{"HEALTH_FAIL=1", failing.Listener.Addr().String(), 1},
		{"nothing listening", closed, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			got := run([]string{"healthcheck"}, envMap(map[string]string{"PORT": tc.port}), &out, &errOut)
			if got != tc.want {
				t.Errorf("server healthcheck = %d, want %d (stdout %q, stderr %q)", got, tc.want, out.String(), errOut.String())
			}
		})
	}
}

func TestProbeAddr(t *testing.T) {
	for port, want := range map[string]string{
		"":               "127.0.0.1:8080",
		"9090":           "127.0.0.1:9090",
		":9090":          "127.0.0.1:9090",
		"0.0.0.0:9090":   "127.0.0.1:9090",
		"127.0.0.1:7070": "127.0.0.1:7070",
	} {
		if got := probeAddr(port); got != want {
			t.Errorf("probeAddr(%q) = %q, want %q", port, got, want)
		}
	}
	if got := listenAddr(""); got != ":8080" {
		t.Errorf("listenAddr(\"\") = %q, want :8080", got)
	}
}

func TestServeUntilCancelled(t *testing.T) {
	addr := freeAddr(t)
	logs := &syncBuffer{}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		done <- serve(ctx, "", envMap(map[string]string{"PORT": addr, "VERSION": "1.2.3", "HOSTNAME": "h"}), logs)
	}()
	waitHealthy(t, addr)

	if code, body := get(t, "http://"+addr+"/version"); code != 200 || body != "1.2.3\n" {
		t.Errorf("GET /version = %d %q, want 200 \"1.2.3\\n\" (VERSION overrides \"dev\")", code, body)
	}
	if code, body := get(t, "http://"+addr+"/"); code != 200 || body != "Bonjour, Docker depuis h\n" {
		t.Errorf("GET / = %d %q", code, body)
	}

	start := time.Now()
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("serve returned %d, want 0", code)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("serve did not return within 2 s")
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("shutdown took %v, want < 1 s", d)
	}
	if !strings.Contains(logs.String(), "arrêt propre") {
		t.Errorf("log lacks « arrêt propre »:\n%s", logs)
	}
}

func TestLdflagsVersionWins(t *testing.T) {
	old := version
	version = "1.2.3"
	defer func() { version = old }()
	cfg := labkit.FromEnv(envMap(map[string]string{"VERSION": "9.9.9"}), version)
	if cfg.Version != "1.2.3" {
		t.Errorf("version with -X main.version=1.2.3 and VERSION=9.9.9 = %q, want 1.2.3", cfg.Version)
	}
}

// TestSIGTERM lance le vrai main dans un sous-processus, lui envoie SIGTERM
// et vérifie qu'il s'arrête en moins d'une seconde avec le code 0.
func TestSIGTERM(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("pas de SIGTERM sous Windows")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	addr := freeAddr(t)
	cmd := exec.Command(exe)
	// GORACE : sous -race, le détecteur attend 1 s à la sortie par défaut.
	cmd.Env = append(os.Environ(), "LAB5_RUN_MAIN=1", "PORT="+addr, "GORACE=atexit_sleep_ms=0")
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() {
		if cmd.ProcessState == nil {
			_ = cmd.Process.Kill()
		}
	}()
	waitHealthy(t, addr)

	start := time.Now()
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-exited:
		if err != nil {
			t.Errorf("server exited with %v after SIGTERM, want code 0\n%s", err, out)
		}
	case <-time.After(3 * time.Second):
		t.Fatalf("server still running 3 s after SIGTERM\n%s", out)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("stop took %v after SIGTERM, want < 1 s\n%s", d, out)
	}
	if !strings.Contains(out.String(), "arrêt propre") {
		t.Errorf("output lacks « arrêt propre »:\n%s", out)
	}
}

func TestLegacyWithoutDatabaseURL(t *testing.T) {
	for _, url := range []string{"", "   "} {
		var out, errOut bytes.Buffer
		code := run([]string{"legacy"}, envMap(map[string]string{"DATABASE_URL": url}), &out, &errOut)
		if code != 3 {
			t.Errorf("server legacy with DATABASE_URL=%q = %d, want 3", url, code)
		}
		if !strings.Contains(errOut.String(), "ERREUR: variable DATABASE_URL manquante") {
			t.Errorf("stderr = %q, want « ERREUR: variable DATABASE_URL manquante »", errOut.String())
		}
	}
}

// Avec DATABASE_URL, legacy sert l'application (et son HEALTHCHECK passe) ;
// kv ajoute le magasin clé/valeur.
func TestModesServe(t *testing.T) {
	for _, tc := range []struct {
		mode string
		env  map[string]string
		dump int // GET /dump : 200 en mode kv seulement
	}{
		{"legacy", map[string]string{"DATABASE_URL": "kv://lab4"}, 404},
		{"kv", map[string]string{"DATA_DIR": "TMP"}, 200},
	} {
		t.Run(tc.mode, func(t *testing.T) {
			addr := freeAddr(t)
			tc.env["PORT"] = addr
			if tc.env["DATA_DIR"] == "TMP" {
				tc.env["DATA_DIR"] = t.TempDir()
			}
			ctx, cancel := context.WithCancel(context.Background())
			out, errOut := &syncBuffer{}, &syncBuffer{}
			done := make(chan int, 1)
			go func() { done <- runCtx(ctx, []string{tc.mode}, envMap(tc.env), out, errOut) }()
			waitHealthy(t, addr)
			if code, _ := get(t, "http://"+addr+"/dump"); code != tc.dump {
				t.Errorf("mode %s: GET /dump = %d, want %d", tc.mode, code, tc.dump)
			}
			cancel()
			if code := <-done; code != 0 {
				t.Errorf("mode %s returned %d after cancel, want 0\n%s%s", tc.mode, code, out, errOut)
			}
			if strings.Contains(out.String()+errOut.String(), "DATABASE_URL manquante") {
				t.Errorf("mode %s logged a missing DATABASE_URL", tc.mode)
			}
		})
	}
}
