package apiproxy

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// backend is a fake engine: it echoes what it got, streams, and switches protocols like
// the engine's attach endpoint.
func backend(t *testing.T) (*httptest.Server, chan struct{}) {
	t.Helper()
	release := make(chan struct{})
	mux := http.NewServeMux()
	mux.HandleFunc("/_ping", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		fmt.Fprint(w, "OK")
	})
	mux.HandleFunc("/v1.41/containers/create", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		w.Header().Set("Api-Version", "1.41")
		w.WriteHeader(http.StatusCreated)
		fmt.Fprintf(w, `{"Len":%d,"UA":%q,"Query":%q}`, len(b), r.UserAgent(), r.URL.RawQuery)
	})
	mux.HandleFunc("/v1.41/containers/x/logs", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, "first\n")
		w.(http.Flusher).Flush()
		select {
		case <-release:
		case <-r.Context().Done():
		}
		fmt.Fprint(w, "second\n")
	})
	mux.HandleFunc("/v1.41/containers/x/attach", func(w http.ResponseWriter, r *http.Request) {
		conn, brw, err := http.NewResponseController(w).Hijack()
		if err != nil {
			return
		}
		defer conn.Close()
		fmt.Fprint(brw, "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n")
		brw.Flush()
		line, err := brw.ReadString('\n')
		if err != nil {
			return
		}
		fmt.Fprint(brw, "echo:"+line)
		brw.Flush()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, release
}

func dialer(addr string) func(context.Context) (net.Conn, error) {
	return func(ctx context.Context) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", addr)
	}
}

func start(t *testing.T, addr string, opts Options) *Proxy {
	t.Helper()
	p, err := Start(context.Background(), dialer(addr), opts)
	require.NoError(t, err)
	t.Cleanup(func() { p.Close() })
	require.True(t, strings.HasPrefix(p.URL, "http://127.0.0.1:"), p.URL)
	return p
}

func do(t *testing.T, method, url, ua, body string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("User-Agent", ua)
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	require.NoError(t, err)
	return res.StatusCode, string(b)
}

func TestRecords(t *testing.T) {
	srv, _ := backend(t)
	p := start(t, srv.Listener.Addr().String(), Options{MaxBody: 10})

	code, _ := do(t, "GET", p.URL+"/_ping", "curl/8.0", "")
	require.Equal(t, 200, code)
	mark := p.Len()
	body := `{"Image":"ddlab/webapp:1","Env":["GREETING=Salut"]}`
	code, got := do(t, "POST", p.URL+"/v1.41/containers/create?name=lab2-api", "Docker-Client/28.2.2 (linux)", body)
	require.Equal(t, 201, code)
	// The engine gets the whole body and the client's User-Agent, though the record keeps 10 bytes.
	assert.JSONEq(t, fmt.Sprintf(`{"Len":%d,"UA":"Docker-Client/28.2.2 (linux)","Query":"name=lab2-api"}`, len(body)), got)
	code, _ = do(t, "DELETE", p.URL+"/nowhere?force=1", "", "")
	require.Equal(t, 404, code)

	recs := p.Records()
	require.Len(t, recs, 3)
	tests := []struct {
		method, path, ua string
		status           int
		api              string
		body             string
	}{
		{"GET", "/_ping", "curl/8.0", 200, "1.41", ""},
		{"POST", "/v1.41/containers/create?name=lab2-api", "Docker-Client/28.2.2 (linux)", 201, "1.41", body[:10]},
		{"DELETE", "/nowhere?force=1", "", 404, "", ""},
	}
	for i, tt := range tests {
		r := recs[i]
		assert.Equal(t, tt.method, r.Method, i)
		assert.Equal(t, tt.path, r.Path, i)
		assert.Equal(t, tt.ua, r.UserAgent, i)
		assert.Equal(t, tt.status, r.Status, i)
		assert.Equal(t, tt.api, r.APIVersion, i)
		assert.Equal(t, tt.body, string(r.Body), i)
		assert.False(t, r.Time.IsZero(), i)
	}
	assert.Len(t, p.Since(mark), 2)
	assert.Empty(t, p.Since(99))
	assert.Len(t, p.Since(-1), 3)
}

func TestRecordCap(t *testing.T) {
	srv, _ := backend(t)
	p := start(t, srv.Listener.Addr().String(), Options{MaxRecords: 2})
	for range 5 {
		code, _ := do(t, "GET", p.URL+"/_ping", "x", "")
		require.Equal(t, 200, code, "requests past the cap are still forwarded")
	}
	assert.Len(t, p.Records(), 2)
	assert.Equal(t, 3, p.Dropped())
}

func TestStreaming(t *testing.T) {
	srv, release := backend(t)
	p := start(t, srv.Listener.Addr().String(), Options{})
	res, err := http.Get(p.URL + "/v1.41/containers/x/logs?follow=1")
	require.NoError(t, err)
	defer res.Body.Close()
	br := bufio.NewReader(res.Body)
	// The first line arrives while the engine still holds the response open.
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "first\n", line)
	close(release)
	line, err = br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "second\n", line)
	assert.Equal(t, 200, p.Records()[0].Status)
}

func TestUpgrade(t *testing.T) {
	srv, _ := backend(t)
	p := start(t, srv.Listener.Addr().String(), Options{})
	addr, token, _ := strings.Cut(strings.TrimPrefix(p.URL, "http://"), "/")
	conn, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer conn.Close()
	require.NoError(t, conn.SetDeadline(time.Now().Add(10*time.Second)))
	fmt.Fprint(conn, "POST /"+token+"/v1.41/containers/x/attach?stream=1 HTTP/1.1\r\nHost: x\r\nUser-Agent: Docker-Client/28\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 0\r\n\r\n")
	br := bufio.NewReader(conn)
	res, err := http.ReadResponse(br, nil)
	require.NoError(t, err)
	require.Equal(t, http.StatusSwitchingProtocols, res.StatusCode)
	fmt.Fprint(conn, "bonjour\n")
	line, err := br.ReadString('\n')
	require.NoError(t, err)
	assert.Equal(t, "echo:bonjour\n", line)
	recs := p.Records()
	require.Len(t, recs, 1)
	assert.Equal(t, 101, recs[0].Status)
	assert.Equal(t, "Docker-Client/28", recs[0].UserAgent)
}

func TestEngineUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	p := start(t, addr, Options{})
	code, body := do(t, "GET", p.URL+"/_ping", "curl", "")
	assert.Equal(t, http.StatusBadGateway, code)
	assert.Contains(t, body, "engine unreachable")
	assert.Equal(t, http.StatusBadGateway, p.Records()[0].Status)
}

func TestStopsWithContext(t *testing.T) {
	srv, _ := backend(t)
	ctx, cancel := context.WithCancel(context.Background())
	p, err := Start(ctx, dialer(srv.Listener.Addr().String()), Options{})
	require.NoError(t, err)
	// A follow stream in flight must end too, not keep the proxy half alive.
	res, err := http.Get(p.URL + "/v1.41/containers/x/logs?follow=1")
	require.NoError(t, err)
	defer res.Body.Close()
	cancel()
	require.Eventually(t, func() bool {
		addr, _, _ := strings.Cut(strings.TrimPrefix(p.URL, "http://"), "/")
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
		}
		return err != nil
	}, 5*time.Second, 20*time.Millisecond)
	done := make(chan struct{})
	go func() { io.Copy(io.Discard, res.Body); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the follow stream outlived the proxy")
	}
	require.NoError(t, p.Close())
}

func TestOtherUsersRefused(t *testing.T) {
	if os.Getuid() != 0 {
		t.Skip("needs root to connect as another user")
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("no curl")
	}
	srv, _ := backend(t)
	p := start(t, srv.Listener.Addr().String(), Options{})
	run := func(uid uint32) error {
		cmd := exec.Command(curl, "-fsS", "--max-time", "5", p.URL+"/_ping")
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: uid}}
		return cmd.Run()
	}
	require.NoError(t, run(0), "the proxy's own user gets through")
	require.Error(t, run(65534), "another user is refused")
	assert.Len(t, p.Records(), 1)
}

// TestToken: a request without the run's token (another submission's script that found the
// port) is refused, never recorded nor forwarded; the token is stripped before anything else.
func TestToken(t *testing.T) {
	srv, _ := backend(t)
	p := start(t, srv.Listener.Addr().String(), Options{})
	addr, token, ok := strings.Cut(strings.TrimPrefix(p.URL, "http://"), "/")
	require.True(t, ok)
	assert.Equal(t, "tcp://"+addr+"/"+token, p.Host)
	for _, path := range []string{"/v1.41/containers/create", "/_ping", "/" + token + "x/_ping", "/" + token[:len(token)-1] + "/_ping"} {
		code, got := do(t, "POST", "http://"+addr+path, "curl/8", `{"Image":"x"}`)
		assert.Equal(t, http.StatusForbidden, code, path)
		assert.Contains(t, got, "n'est pas le vôtre", path)
	}
	assert.Zero(t, p.Len(), "nothing recorded")
	code, _ := do(t, "GET", p.URL+"/_ping", "curl/8", "")
	assert.Equal(t, http.StatusOK, code)
	require.Equal(t, 1, p.Len())
	assert.Equal(t, "/_ping", p.Records()[0].Path, "recorded without the token")
}

// TestRefused: a refused request never reaches the engine, is answered like an engine error
// (what the docker CLI prints), and is recorded with its reason; an oversized body is refused.
func TestRefused(t *testing.T) {
	srv, _ := backend(t)
	p := start(t, srv.Listener.Addr().String(), Options{Guard: Guard{Dir: t.TempDir()}})

	code, got := do(t, "POST", p.URL+"/v1.41/containers/create?name=x", "Docker-Client/20.10", `{"HostConfig":{"Privileged":true}}`)
	assert.Equal(t, http.StatusForbidden, code)
	assert.Contains(t, got, `"message":"grade : --privileged`)
	assert.NotContains(t, got, "Len", "the engine never saw it")
	code, _ = do(t, "POST", p.URL+"/v1.41/containers/create", "", `{"Image":"x","Pad":"`+strings.Repeat("a", maxGuardedBody)+`"}`)
	assert.Equal(t, http.StatusForbidden, code)
	code, _ = do(t, "POST", p.URL+"/v1.41/containers/create?name=ok", "", `{"Image":"x"}`)
	assert.Equal(t, http.StatusCreated, code)

	recs := p.Records()
	require.Len(t, recs, 3)
	require.NotNil(t, recs[0].Refused)
	assert.Contains(t, recs[0].Refused.EN, "--privileged")
	assert.Equal(t, http.StatusForbidden, recs[0].Status)
	require.NotNil(t, recs[1].Refused)
	assert.Contains(t, recs[1].Refused.EN, "1 MiB")
	assert.Nil(t, recs[2].Refused)
	assert.Equal(t, "ok", recs[2].Created.Name)
}
