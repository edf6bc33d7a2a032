package probe

import (
	"errors"
	"fmt"
	"github.com/ddlab/grade/internal/check"
	"io"
	"net"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseProbeOutput(t *testing.T) {
	tests := []struct {
		name    string
		out     string
		want    int
		wantErr string
		check   func(t *testing.T, r []Result)
	}{
		{name: "dns then http", want: 2,
			out: `{"ok":true,"name":"api","server":"127.0.0.11:53","addrs":["10.77.0.2"],"error":"","code":"","ms":1}` + "\n" +
				`{"ok":true,"url":"http://api:8080/health","status":200,"headers":{"X-Served-By":"abc"},"body":"ok\n","error":"","code":"","attempts":1,"ms":3}` + "\n",
			check: func(t *testing.T, r []Result) {
				assert.Equal(t, []string{"10.77.0.2"}, r[0].Addrs)
				assert.Equal(t, 200, r[1].Status)
				assert.Equal(t, "abc", r[1].Headers["X-Served-By"])
			}},
		{name: "ifaces and routes", want: 2,
			out: `{"ok":true,"ifaces":[{"name":"lo","up":true,"addrs":["127.0.0.1/8"]}],"error":"","code":""}` + "\n\n" +
				`{"ok":true,"routes":[{"iface":"eth0","dest":"0.0.0.0","gateway":"10.77.0.1","mask":"0.0.0.0"}],"default":true,"error":"","code":""}`,
			check: func(t *testing.T, r []Result) {
				assert.Equal(t, "lo", r[0].Ifaces[0].Name)
				assert.True(t, r[1].Default)
			}},
		{name: "failure keeps its code", want: 1, out: `{"ok":false,"code":"nxdomain","error":"no such host","ms":4}`,
			check: func(t *testing.T, r []Result) { assert.Equal(t, "nom inconnu", r[0].Reason().FR) }},
		{name: "a line missing", want: 2, out: `{"ok":true}`, wantErr: "printed 1 result(s), want 2"},
		{name: "garbage", want: 1, out: "sh: labprobe: not found", wantErr: "not JSON"},
		{name: "huge line", want: 1, out: strings.Repeat("x", maxProbeLine+10), wantErr: "probe output"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := parseLabprobe(tt.out, tt.want)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Len(t, r, tt.want)
			tt.check(t, r)
		})
	}
}

func TestWhy(t *testing.T) {
	assert.Equal(t, "délai dépassé (2001 ms)", Result{Code: "timeout", MS: 2001}.Reason().FR)
	assert.Equal(t, "pas de route", Result{Code: "unreachable"}.Reason().FR)
	assert.Equal(t, "HTTP 502", Result{OK: true, Status: 502}.Reason().FR)
	assert.Equal(t, "bad thing", Result{Code: "other", Error: "bad\n thing"}.Reason().FR)
}

func TestShellQuote(t *testing.T) {
	assert.Equal(t, `'a b'`, shellQuote("a b"))
	assert.Equal(t, `'it'\''s'`, shellQuote("it's"))
}

func FuzzParseProbeOutput(f *testing.F) {
	for _, s := range []string{`{"ok":true}`, "{}\n{}\n", `{"ok":false,"addrs":[1]}`, "\x00\xff", ""} {
		f.Add(s, 1)
	}
	f.Fuzz(func(t *testing.T, out string, want int) {
		r, err := parseLabprobe(out, want)
		if err == nil && len(r) != want {
			t.Fatalf("%d results for want=%d without an error", len(r), want)
		}
	})
}

// TestNetReason: what Go says when a connection fails reaches the student as what it means.
func TestNetReason(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	_, refused := net.Dial("tcp", addr)
	require.Error(t, refused)
	assert.Equal(t, "connexion refusée : rien n'écoute sur ce port", NetReason(refused).FR)
	assert.Equal(t, "connection closed without an answer", NetReason(fmt.Errorf("read: %w", io.EOF)).EN)
	assert.Equal(t, check.Same("boom"), NetReason(errors.New("boom")))
	assert.Equal(t, check.Text{}, NetReason(nil))
}
