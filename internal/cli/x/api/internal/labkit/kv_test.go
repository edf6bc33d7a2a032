package labkit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newKV démarre l'application en mode kv sur des dossiers temporaires.
func newKV(t *testing.T) (srv *httptest.Server, data, conf, tmp string) {
	t.Helper()
	cfg := testConfig()
	cfg.KV = true
	cfg.DataDir, cfg.ConfigDir, cfg.TmpDir = t.TempDir(), t.TempDir(), t.TempDir()
	srv, _ = newTestApp(t, cfg)
	return srv, cfg.DataDir, cfg.ConfigDir, cfg.TmpDir
}

func send(t *testing.T, method, target, body string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func TestKVRoundTrip(t *testing.T) {
	srv, data, _, _ := newKV(t)
	steps := []struct {
		method, path, body string
		code               int
		want               string // sous-chaîne attendue dans la réponse
	}{
		{"GET", "/kv/k", "", 404, `"errno":"ENOENT"`},
		{"PUT", "/kv/k", "nonce-123", 200, `"ok":true`},
		{"GET", "/kv/k", "", 200, "nonce-123"},
		{"PUT", "/kv/k", "v2", 200, `"bytes":2`},
		{"GET", "/kv/k", "", 200, "v2"},
		{"PUT", "/kv/a.b_c-1", "x", 200, `"ok":true`},
		{"DELETE", "/kv/a.b_c-1", "", 200, `"ok":true`},
		{"DELETE", "/kv/a.b_c-1", "", 404, `"errno":"ENOENT"`},
		{"PUT", "/kv/.cache", "x", 400, "clé invalide"},
		{"GET", "/kv/a%2Fb", "", 400, "clé invalide"},
		{"PUT", "/kv/" + strings.Repeat("x", 129), "x", 400, "clé invalide"},
		{"PUT", "/kv/big", strings.Repeat("x", maxValueBytes+1), 413, "trop grande"},
		{"POST", "/kv/k", "", 405, ""},
	}
	for _, s := range steps {
		resp, body := send(t, s.method, srv.URL+s.path, s.body)
		if resp.StatusCode != s.code || !strings.Contains(body, s.want) {
			t.Errorf("%s %s = %d %q, want %d containing %q", s.method, s.path, resp.StatusCode, body, s.code, s.want)
		}
	}
	got, err := os.ReadFile(filepath.Join(data, "k"))
	if err != nil || string(got) != "v2" {
		t.Errorf("file data/k = %q, %v; want the exact value v2", got, err)
	}
	entries, _ := os.ReadDir(data)
	if len(entries) != 1 {
		t.Errorf("data dir holds %d entries, want only k (no temp file left)", len(entries))
	}
}

func TestKVWriteFailureNamesErrno(t *testing.T) {
	cfg := testConfig()
	cfg.KV = true
	cfg.DataDir = filepath.Join(t.TempDir(), "absent")
	cfg.ConfigDir, cfg.TmpDir = t.TempDir(), t.TempDir()
	srv, _ := newTestApp(t, cfg)
	resp, body := send(t, "PUT", srv.URL+"/kv/k", "v")
	var res KVResult
	if err := json.Unmarshal([]byte(body), &res); err != nil || resp.StatusCode < 300 || res.OK || res.Errno != "ENOENT" {
		t.Errorf("PUT into a missing data dir = %d %s, want non-2xx with errno ENOENT", resp.StatusCode, body)
	}
	if os.Geteuid() == 0 {
		return // root écrit partout : pas d'EACCES à observer
	}
	ro := t.TempDir()
	if err := os.Chmod(ro, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(ro, 0o755)
	cfg.DataDir = ro
	srv2, _ := newTestApp(t, cfg)
	resp, body = send(t, "PUT", srv2.URL+"/kv/k", "v")
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(body, `"errno":"EACCES"`) {
		t.Errorf("PUT into a read-only dir = %d %s, want 403 EACCES", resp.StatusCode, body)
	}
}

func TestErrnoStatus(t *testing.T) {
	for errno, want := range map[string]int{
		"ENOSPC": 507, "EDQUOT": 507, "EROFS": 403, "EACCES": 403, "EPERM": 403,
		"ENOENT": 404, "EIO": 500, "": 500,
	} {
		if got := ErrnoStatus(errno); got != want {
			t.Errorf("ErrnoStatus(%q) = %d, want %d", errno, got, want)
		}
	}
}

func TestValidKey(t *testing.T) {
	for key, want := range map[string]bool{
		"k": true, "user-1": true, "a.b_c": true, "A9": true,
		"": false, ".": false, "..": false, ".tmp-1": false, "a/b": false, "a b": false,
		"é": false, "a\x00": false, strings.Repeat("k", 128): true, strings.Repeat("k", 129): false,
	} {
		if got := ValidKey(key); got != want {
			t.Errorf("ValidKey(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestConfigIsReadOnEveryRequest(t *testing.T) {
	srv, _, conf, _ := newKV(t)
	if resp, body := send(t, "GET", srv.URL+"/config", ""); resp.StatusCode != 404 || !strings.Contains(body, "ENOENT") {
		t.Errorf("GET /config without kv.conf = %d %s, want 404 ENOENT", resp.StatusCode, body)
	}
	p := filepath.Join(conf, "kv.conf")
	for _, greeting := range []string{"Bonjour", "Salut"} {
		if err := os.WriteFile(p, []byte("# réglages\ngreeting = "+greeting+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		resp, body := send(t, "GET", srv.URL+"/config", "")
		var got map[string]string
		if err := json.Unmarshal([]byte(body), &got); err != nil || resp.StatusCode != 200 || got["greeting"] != greeting {
			t.Errorf("GET /config = %d %s, want greeting %q", resp.StatusCode, body, greeting)
		}
		if resp, body := send(t, "GET", srv.URL+"/config/greeting", ""); resp.StatusCode != 200 || body != greeting+"\n" {
			t.Errorf("GET /config/greeting = %d %q, want %q", resp.StatusCode, body, greeting)
		}
	}
	if resp, _ := send(t, "GET", srv.URL+"/config/absent", ""); resp.StatusCode != 404 {
		t.Errorf("GET /config/absent = %d, want 404", resp.StatusCode)
	}
}

func TestParseConf(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want map[string]string
	}{
		{"greeting=Bonjour\n", map[string]string{"greeting": "Bonjour"}},
		{"  a = 1 \r\n#b=2\n\nc=x=y\nnoequal\n=v\na=3", map[string]string{"a": "3", "c": "x=y"}},
		{"", map[string]string{}},
	} {
		got := ParseConf([]byte(tc.in))
		if len(got) != len(tc.want) {
			t.Errorf("ParseConf(%q) = %v, want %v", tc.in, got, tc.want)
			continue
		}
		for k, v := range tc.want {
			if got[k] != v {
				t.Errorf("ParseConf(%q)[%q] = %q, want %q", tc.in, k, got[k], v)
			}
		}
	}
}

// kv.conf est écrit par l'étudiant : aucun contenu ne doit faire paniquer.
func FuzzParseConf(f *testing.F) {
	f.Add([]byte("greeting=Bonjour\n"))
	f.Add([]byte("=\n#\n\x00=\xff\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for k := range ParseConf(data) {
			if k == "" || strings.ContainsAny(k, "\n") {
				t.Errorf("ParseConf gave key %q", k)
			}
		}
	})
}

func TestTmpfill(t *testing.T) {
	srv, _, _, tmp := newKV(t)
	resp, body := send(t, "POST", srv.URL+"/tmpfill?mb=2", "")
	if resp.StatusCode != 200 || !strings.Contains(body, `"ok":true`) || !strings.Contains(body, `"bytes":2097152`) {
		t.Errorf("POST /tmpfill?mb=2 = %d %s", resp.StatusCode, body)
	}
	if fi, err := os.Stat(filepath.Join(tmp, "tmpfill")); err != nil || fi.Size() != 2<<20 {
		t.Errorf("tmpfill file: %v %v, want 2 MiB", fi, err)
	}
	if resp, _ := send(t, "POST", srv.URL+"/tmpfill", ""); resp.StatusCode != 400 {
		t.Errorf("POST /tmpfill without mb = %d, want 400", resp.StatusCode)
	}

	// /dev/full répond ENOSPC à toute écriture : un tmpfs plein, sans tmpfs.
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("pas de /dev/full")
	}
	if err := os.Remove(filepath.Join(tmp, "tmpfill")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/full", filepath.Join(tmp, "tmpfill")); err != nil {
		t.Fatal(err)
	}
	resp, body = send(t, "POST", srv.URL+"/tmpfill?mb=1", "")
	var res KVResult
	if err := json.Unmarshal([]byte(body), &res); err != nil || resp.StatusCode != 507 || res.OK || res.Errno != "ENOSPC" {
		t.Errorf("POST /tmpfill on a full device = %d %s, want 507 ok=false errno=ENOSPC", resp.StatusCode, body)
	}
}

func TestDump(t *testing.T) {
	srv, data, _, _ := newKV(t)
	for k, v := range map[string]string{"b": "2", "a": "1", "c": "3"} {
		send(t, "PUT", srv.URL+"/kv/"+k, v)
	}
	// Ni fichier caché ni dossier ne sont des clés.
	os.WriteFile(filepath.Join(data, ".tmp-x"), []byte("partiel"), 0o644)
	os.Mkdir(filepath.Join(data, "dir"), 0o755)
	resp, body := send(t, "GET", srv.URL+"/dump", "")
	var d Dump
	if err := json.Unmarshal([]byte(body), &d); err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET /dump = %d %s (%v)", resp.StatusCode, body, err)
	}
	want := []DumpEntry{{"a", "1"}, {"b", "2"}, {"c", "3"}}
	if d.Count != 3 || len(d.Items) != 3 {
		t.Fatalf("GET /dump = %+v, want %v", d, want)
	}
	for i := range want {
		if d.Items[i] != want[i] {
			t.Errorf("GET /dump item %d = %v, want %v", i, d.Items[i], want[i])
		}
	}
	if sum := sha256.Sum256([]byte("a=1\nb=2\nc=3\n")); d.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("GET /dump sha256 = %q, want the sha256 of « a=1\\nb=2\\nc=3\\n »", d.SHA256)
	}
}

func TestKVRoutesOnlyInKVMode(t *testing.T) {
	srv, _ := newTestApp(t, testConfig())
	for _, p := range []string{"/kv/k", "/config", "/dump"} {
		if resp, _ := send(t, "GET", srv.URL+p, ""); resp.StatusCode != 404 {
			t.Errorf("GET %s outside kv mode = %d, want 404", p, resp.StatusCode)
		}
	}
}

func TestWriteFailureIsNotA2xx(t *testing.T) {
	srv, _ := newTestApp(t, testConfig())
	resp, body := send(t, "POST", srv.URL+"/write?path="+filepath.Join(t.TempDir(), "absent", "x"), "")
	if resp.StatusCode < 300 || !strings.Contains(body, `"errno":"ENOENT"`) {
		t.Errorf("failed POST /write = %d %s, want non-2xx naming ENOENT", resp.StatusCode, body)
	}
}
