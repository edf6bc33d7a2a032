package main

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// probe runs labprobe with args and decodes the one JSON object it must print.
func probe(t *testing.T, args ...string) (int, map[string]any) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, &out, &errOut)
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	require.Len(t, lines, 1, "labprobe %v must print one JSON line, printed %q", args, out.String())
	var res map[string]any
	require.NoError(t, json.Unmarshal([]byte(lines[0]), &res), lines[0])
	return code, res
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func TestUsage(t *testing.T) {
	for _, args := range [][]string{
		{}, {"nope"}, {"http"}, {"http", "ftp://x"}, {"http", "-timeout", "0s", "http://x"},
		{"http", "-header", "novalue", "http://x"}, {"tcp", "noport"}, {"tcp", "a:1", "b:2"},
		{"dns"}, {"dns", "-server", "noport", "x"}, {"dns", "a..b"}, {"ifaces", "x"}, {"routes", "x"},
		{"serve", "extra"}, {"tcp", "-bogus", "a:1"},
	} {
		code, res := probe(t, args...)
		assert.Equal(t, exitUsage, code, "labprobe %v", args)
		assert.Equal(t, "usage", res["code"], "labprobe %v", args)
		assert.Equal(t, false, res["ok"])
	}
}

func TestHTTP(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/big":
			fmt.Fprint(w, strings.Repeat("x", 10000))
		case "/slow":
			select {
			case <-time.After(5 * time.Second):
			case <-r.Context().Done():
			}
		case "/redirect":
			http.Redirect(w, r, "/elsewhere", http.StatusFound)
		default:
			w.Header().Set("X-Method", r.Method)
			w.Header().Set("X-Echo", r.Header.Get("X-Request-ID"))
			w.WriteHeader(http.StatusTeapot)
			sent, _ := io.ReadAll(r.Body)
			fmt.Fprint(w, "hello"+string(sent))
		}
	}))
	defer srv.Close()
	closed := closedAddr(t)

	tests := []struct {
		name   string
		args   []string
		exit   int
		status float64
		code   string
		check  func(t *testing.T, res map[string]any)
	}{
		{name: "any status is an answer", args: []string{"-method", "put", "-data", " world", "-header", "X-Request-ID: abc", srv.URL + "/x"}, exit: 0, status: 418,
			check: func(t *testing.T, res map[string]any) {
				h := res["headers"].(map[string]any)
				assert.Equal(t, "PUT", h["X-Method"])
				assert.Equal(t, "abc", h["X-Echo"])
				assert.Equal(t, "hello world", res["body"])
			}},
		{name: "body capped at 4 KiB", args: []string{srv.URL + "/big"}, exit: 0, status: 200,
			check: func(t *testing.T, res map[string]any) { assert.Len(t, res["body"], 4096) }},
		{name: "redirect not followed", args: []string{srv.URL + "/redirect"}, exit: 0, status: 302},
		{name: "refused", args: []string{"-retries", "2", "http://" + closed + "/"}, exit: 1, code: codeRefused,
			check: func(t *testing.T, res map[string]any) {
				assert.Contains(t, res["error"], "connection refused")
				assert.EqualValues(t, 3, res["attempts"])
			}},
		{name: "timeout", args: []string{"-timeout", "200ms", srv.URL + "/slow"}, exit: 1, code: codeTimeout,
			check: func(t *testing.T, res map[string]any) {
				assert.Contains(t, strings.ToLower(res["error"].(string)), "timeout")
				assert.Less(t, res["ms"], float64(2000))
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, res := probe(t, append([]string{"http"}, tt.args...)...)
			assert.Equal(t, tt.exit, code, res)
			assert.Equal(t, tt.exit == 0, res["ok"])
			assert.Equal(t, tt.status, res["status"])
			assert.Equal(t, tt.code, res["code"])
			if tt.check != nil {
				tt.check(t, res)
			}
		})
	}
}

func TestTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	code, res := probe(t, "tcp", ln.Addr().String())
	assert.Equal(t, 0, code, res)
	assert.Equal(t, true, res["ok"])

	code, res = probe(t, "tcp", "-timeout", "500ms", closedAddr(t))
	assert.Equal(t, 1, code)
	assert.Equal(t, codeRefused, res["code"])
	assert.Contains(t, res["error"], "connection refused")
}

func TestClassify(t *testing.T) {
	_, refused := net.Dial("tcp", closedAddr(t))
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	tests := []struct {
		err    error
		code   string
		phrase string
	}{
		{refused, codeRefused, "connection refused"},
		{ctx.Err(), codeTimeout, "timeout"},
		{fmt.Errorf("x: %w", errNXDomain), codeNXDomain, "no such host"},
		{&net.DNSError{Err: "no such host", Name: "db", IsNotFound: true}, codeNXDomain, "no such host"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.EHOSTUNREACH}, codeUnreachable, "unreachable"},
		{&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ENETUNREACH}, codeUnreachable, "unreachable"},
		{errors.New("boom"), codeOther, "boom"},
	}
	for _, tt := range tests {
		code, msg := describe(tt.err)
		assert.Equal(t, tt.code, code, "%v", tt.err)
		assert.Contains(t, strings.ToLower(msg), tt.phrase)
	}
	code, msg := describe(nil)
	assert.Empty(t, code+msg)
}

// fakeDNS answers A queries from table, NXDOMAIN for names absent from it, REFUSED for
// "refused", and never answers "silent".
func fakeDNS(t *testing.T, table map[string]string) string {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	require.NoError(t, err)
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := append([]byte(nil), buf[:n]...)
			name, end := readQName(q, 12)
			qtype := binary.BigEndian.Uint16(q[end:])
			if name == "silent" {
				continue
			}
			resp := append([]byte(nil), q[:end+4]...)
			resp[2] |= 0x80 // QR
			ip, found := table[name]
			switch {
			case name == "refused":
				resp[3] = 5
			case !found:
				resp[3] = 3
			case qtype == typeA:
				binary.BigEndian.PutUint16(resp[6:], 2)
				// A CNAME first (skipped), then the A record, both with a compressed name.
				resp = append(resp, 0xc0, 12, 0, 5, 0, 1, 0, 0, 0, 60, 0, 2, 0xc0, 12)
				resp = append(resp, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
				resp = append(resp, net.ParseIP(ip).To4()...)
			}
			_, _ = pc.WriteTo(resp, from)
		}
	}()
	return pc.LocalAddr().String()
}

func readQName(msg []byte, off int) (string, int) {
	var labels []string
	for msg[off] != 0 {
		l := int(msg[off])
		labels = append(labels, string(msg[off+1:off+1+l]))
		off += 1 + l
	}
	return strings.Join(labels, "."), off + 1
}

func TestDNS(t *testing.T) {
	server := fakeDNS(t, map[string]string{"api": "10.77.0.5", "db.lab": "10.77.0.10"})
	tests := []struct {
		name  string
		exit  int
		addrs []any
		code  string
		want  string
	}{
		{"api", 0, []any{"10.77.0.5"}, "", ""},
		{"db.lab.", 0, []any{"10.77.0.10"}, "", ""},
		{"10.1.2.3", 0, []any{"10.1.2.3"}, "", ""},
		{"db", 1, []any{}, codeNXDomain, "no such host"},
		{"refused", 1, []any{}, codeOther, "REFUSED"},
		{"silent", 1, []any{}, codeTimeout, "timeout"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, res := probe(t, "dns", "-server", server, "-timeout", "300ms", tt.name)
			assert.Equal(t, tt.exit, code, res)
			assert.Equal(t, tt.addrs, res["addrs"])
			assert.Equal(t, tt.code, res["code"])
			assert.Contains(t, res["error"], tt.want)
		})
	}
	t.Run("no server", func(t *testing.T) {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := pc.LocalAddr().String()
		pc.Close()
		code, res := probe(t, "dns", "-server", addr, "-timeout", "500ms", "api")
		assert.Equal(t, 1, code)
		assert.Contains(t, []any{codeRefused, codeTimeout}, res["code"])
	})
}

func TestParseResponseRejectsGarbage(t *testing.T) {
	q, err := buildQuery(7, "api", typeA)
	require.NoError(t, err)
	_, _, err = parseResponse(q, 7, typeA)
	assert.ErrorContains(t, err, "not a response")
	_, _, err = parseResponse(q[:5], 7, typeA)
	assert.ErrorIs(t, err, errShort)
	resp := append([]byte(nil), q...)
	resp[2] |= 0x80
	_, _, err = parseResponse(resp, 8, typeA)
	assert.ErrorIs(t, err, errOtherID)
	binary.BigEndian.PutUint16(resp[6:], 1) // one answer announced, none there
	_, _, err = parseResponse(resp, 7, typeA)
	assert.ErrorIs(t, err, errShort)
}

// A DNS server's answer is input the probe does not control: no answer may make it panic.
func FuzzParseResponse(f *testing.F) {
	q, _ := buildQuery(1, "api", typeA)
	f.Add(q)
	f.Add([]byte{0, 1, 0x81, 0x80, 0, 1, 0, 1, 0, 0, 0, 0, 3, 'a', 'p', 'i', 0, 0, 1, 0, 1, 0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 1, 0, 4, 1, 2, 3, 4})
	f.Fuzz(func(t *testing.T, msg []byte) {
		addrs, _, err := parseResponse(msg, 1, typeA)
		if err == nil {
			for _, a := range addrs {
				if net.ParseIP(a) == nil {
					t.Errorf("address %q", a)
				}
			}
		}
	})
}

const procRoute = `Iface	Destination	Gateway 	Flags	RefCnt	Use	Metric	Mask		MTU	Window	IRTT
eth0	00000000	010012AC	0003	0	0	0	00000000	0	0	0
eth0	000012AC	00000000	0001	0	0	0	0000FFFF	0	0	0
`

func TestParseRoutes(t *testing.T) {
	routes, err := parseRoutes(strings.NewReader(procRoute))
	require.NoError(t, err)
	assert.Equal(t, []Route{
		{Iface: "eth0", Dest: "0.0.0.0", Gateway: "172.18.0.1", Mask: "0.0.0.0"},
		{Iface: "eth0", Dest: "172.18.0.0", Gateway: "0.0.0.0", Mask: "255.255.0.0"},
	}, routes)
	assert.True(t, hasDefault(routes))
	assert.False(t, hasDefault(routes[1:]))

	routes, err = parseRoutes(strings.NewReader("Iface\tDestination\n"))
	require.NoError(t, err)
	assert.Empty(t, routes)
	_, err = parseRoutes(strings.NewReader("eth0 ZZ 00000000 0 0 0 0 00000000\n"))
	assert.Error(t, err)
}

func FuzzParseRoutes(f *testing.F) {
	f.Add(procRoute)
	f.Fuzz(func(t *testing.T, s string) {
		routes, err := parseRoutes(strings.NewReader(s))
		if err == nil {
			for _, r := range routes {
				assert.NotNil(t, net.ParseIP(r.Dest))
			}
		}
	})
}

func TestLocalCommands(t *testing.T) {
	code, res := probe(t, "ifaces")
	require.Equal(t, 0, code, res)
	var names []string
	for _, i := range res["ifaces"].([]any) {
		names = append(names, i.(map[string]any)["name"].(string))
	}
	assert.Contains(t, names, "lo")

	code, res = probe(t, "routes")
	if code == 1 {
		t.Skipf("no /proc/net/route here: %v", res)
	}
	assert.Equal(t, 0, code, res)
	assert.Contains(t, res, "default")
}

func TestServeCanary(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	out := &lockedBuffer{}
	done := make(chan int, 1)
	go func() { done <- serveCanary(ctx, ln, out) }()

	code, res := probe(t, "http", "-retries", "5", "http://"+ln.Addr().String()+"/ping?x=1")
	require.Equal(t, 0, code, res)
	assert.Equal(t, "canary\n", res["body"])
	cancel()
	select {
	case c := <-done:
		assert.Equal(t, 0, c)
	case <-time.After(3 * time.Second):
		t.Fatal("canary still running after cancel")
	}
	assert.Contains(t, out.String(), `"event":"listening"`)
	assert.Contains(t, out.String(), `"path":"/ping?x=1"`)
	assert.Contains(t, out.String(), `"method":"GET"`)
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}
