package docker

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/docker/cli/cli/command"
	ctxdocker "github.com/docker/cli/cli/context/docker"
	"github.com/docker/cli/cli/context/store"
	"github.com/docker/docker/client"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
)

func TestInfo(t *testing.T) {
	tests := []struct {
		name       string
		host       string
		wantRemote bool
	}{
		{name: "remote tcp engine", host: "tcp://10.0.0.1:2375", wantRemote: true},
		{name: "default unix socket", host: "unix:///var/run/docker.sock", wantRemote: false},
		{name: "rootless unix socket", host: "unix:///run/user/1000/docker.sock", wantRemote: false},
		{name: "tcp on loopback", host: "tcp://127.0.0.1:2375", wantRemote: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			reg.Register(http.MethodGet, "/v1.41/version", fileResponse(t, 200, "version.json"))
			reg.Register(http.MethodGet, "/v1.41/info", fileResponse(t, 200, "info.json"))
			e := newTestEngine(t, reg, tt.host)

			got, err := e.Info(context.Background())
			require.NoError(t, err)
			assert.Equal(t, engine.Info{
				Version:       "20.10.24+dfsg1",
				APIVersion:    "1.41",
				OS:            "linux",
				Arch:          "amd64",
				BuildKit:      true,
				SwarmState:    "inactive",
				RootDir:       "/var/lib/docker",
				StorageDriver: "overlay2",
				Remote:        tt.wantRemote,

				KernelVersion:     "6.1.0-18-amd64",
				DefaultRuntime:    "runc",
				CgroupDriver:      "systemd",
				CgroupVersion:     "2",
				ServerAPIVersion:  "1.41",
				ContainerdVersion: "1.6.20~ds1",
				MemoryLimit:       true,
				PidsLimit:         true,
				Name:              "ddlab-vm",
			}, got)
			reg.Verify(t)
		})
	}
}

func TestIsRemote(t *testing.T) {
	tests := []struct {
		host string
		want bool
	}{
		{"unix:///var/run/docker.sock", false},
		{"npipe:////./pipe/docker_engine", false},
		{"tcp://localhost:2375", false},
		{"tcp://127.0.0.1:2376", false},
		{"tcp://[::1]:2375", false},
		{"tcp://10.0.0.1:2375", true},
		{"https://docker.example.org:2376", true},
		{"ssh://student@10.0.0.2", true},
		{"", false},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			assert.Equal(t, tt.want, isRemote(tt.host))
		})
	}
}

// closedPort returns a loopback address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestWrapMarksUnreachableEngine(t *testing.T) {
	tests := []struct {
		name string
		host func(t *testing.T) string
	}{
		{name: "closed tcp port", host: func(t *testing.T) string { return "tcp://" + closedPort(t) }},
		{name: "missing unix socket", host: func(t *testing.T) string {
			return "unix://" + filepath.Join(t.TempDir(), "docker.sock")
		}},
	}
	calls := []struct {
		name string
		call func(context.Context, *Engine) error
	}{
		{"Info", func(ctx context.Context, e *Engine) error { _, err := e.Info(ctx); return err }},
		{"InspectImage", func(ctx context.Context, e *Engine) error { _, err := e.InspectImage(ctx, "x"); return err }},
		{"ImageFiles", func(ctx context.Context, e *Engine) error { _, err := e.ImageFiles(ctx, "x"); return err }},
		{"InspectContainer", func(ctx context.Context, e *Engine) error { _, err := e.InspectContainer(ctx, "x"); return err }},
		{"Run", func(ctx context.Context, e *Engine) error {
			_, err := e.Run(ctx, engine.RunSpec{Image: "x"})
			return err
		}},
		{"Remove", func(ctx context.Context, e *Engine) error {
			return e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: "x"})
		}},
		{"List", func(ctx context.Context, e *Engine) error { _, err := e.List(ctx, "a=b"); return err }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			host := tt.host(t)
			cli, err := client.NewClientWithOpts(client.WithHost(host), client.WithAPIVersionNegotiation())
			require.NoError(t, err)
			e := newWithClient(cli, host)
			t.Cleanup(func() { e.Close() })
			for _, c := range calls {
				t.Run(c.name, func(t *testing.T) {
					ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
					defer cancel()
					err := c.call(ctx, e)
					require.Error(t, err)
					assert.ErrorIs(t, err, engine.ErrUnavailable)
				})
			}
		})
	}
}

func TestWrapKeepsDaemonErrors(t *testing.T) {
	tests := []struct {
		name   string
		status int
		msg    string
	}{
		{name: "no such image", status: http.StatusNotFound, msg: "No such image: ddlab/missing:1"},
		{name: "daemon failure", status: http.StatusInternalServerError, msg: "layer does not exist"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			reg.Register(http.MethodGet, "/v1.41/images/ddlab/missing:1/json", errorResponse(tt.status, tt.msg))
			e := newTestEngine(t, reg, "unix:///var/run/docker.sock")
			_, err := e.InspectImage(context.Background(), "ddlab/missing:1")
			require.Error(t, err)
			assert.NotErrorIs(t, err, engine.ErrUnavailable)
			assert.Contains(t, err.Error(), tt.msg)
			reg.Verify(t)
		})
	}
	assert.NoError(t, wrap(nil))
	assert.ErrorIs(t, wrap(fmt.Errorf("x: %w", os.ErrNotExist)), engine.ErrUnavailable)
	assert.NotErrorIs(t, wrap(errors.New("conflict")), engine.ErrUnavailable)
}

// TestNewForContext follows the Docker CLI's order: --context, then DOCKER_HOST (default
// context), DOCKER_CONTEXT, config.json's currentContext, the default socket; contexts are
// read through docker/cli's own store.
func TestNewForContext(t *testing.T) {
	metaJSON := func(name, host string) string {
		return fmt.Sprintf(`{"Name":%q,"Metadata":{"Description":"lab machine"},"Endpoints":{"docker":{"Host":%q,"SkipTLSVerify":false}}}`, name, host)
	}
	const defaultHost = "unix:///var/run/docker.sock"
	tests := []struct {
		name     string
		flag     string // --context
		envHost  string // DOCKER_HOST
		envCtx   string // DOCKER_CONTEXT
		config   string // config.json, "" for none
		contexts map[string]string
		want     string
		wantErr  string
	}{
		{name: "no config", want: defaultHost},
		{name: "config without current context", config: `{"auths":{}}`, want: defaultHost},
		{name: "default context", config: `{"currentContext":"default"}`, want: defaultHost},
		{
			name:     "current context from config.json",
			config:   `{"auths":{},"currentContext":"labvm"}`,
			contexts: map[string]string{"labvm": metaJSON("labvm", "tcp://10.0.0.1:2375")},
			want:     "tcp://10.0.0.1:2375",
		},
		{
			name:     "DOCKER_CONTEXT wins over config.json",
			envCtx:   "rootless",
			config:   `{"currentContext":"labvm"}`,
			contexts: map[string]string{"labvm": metaJSON("labvm", "tcp://10.0.0.1:2375"), "rootless": metaJSON("rootless", "unix:///run/user/1000/docker.sock")},
			want:     "unix:///run/user/1000/docker.sock",
		},
		{
			name:     "DOCKER_HOST wins over DOCKER_CONTEXT",
			envHost:  "tcp://10.0.0.9:2375",
			envCtx:   "labvm",
			contexts: map[string]string{"labvm": metaJSON("labvm", "tcp://10.0.0.1:2375")},
			want:     "tcp://10.0.0.9:2375",
		},
		{
			name:     "--context wins over DOCKER_HOST",
			flag:     "labvm",
			envHost:  "tcp://10.0.0.9:2375",
			contexts: map[string]string{"labvm": metaJSON("labvm", "tcp://10.0.0.1:2375")},
			want:     "tcp://10.0.0.1:2375",
		},
		{
			name:     "ssh host",
			flag:     "remote",
			contexts: map[string]string{"remote": metaJSON("remote", "ssh://prof@lab.example.org")},
			want:     "ssh://prof@lab.example.org",
		},
		{name: "DOCKER_CONTEXT=default", envCtx: "default", config: `{"currentContext":"labvm"}`, want: defaultHost},
		{name: "unknown context", config: `{"currentContext":"gone"}`, wantErr: `docker context "gone"`},
		{name: "unknown --context", flag: "gone", wantErr: `docker context "gone"`},
		{name: "broken meta.json", envCtx: "bad", contexts: map[string]string{"bad": "{"}, wantErr: `docker context "bad"`},
		{name: "broken config.json is ignored", config: `{`, want: defaultHost},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			t.Setenv("DOCKER_CONFIG", dir)
			t.Setenv("DOCKER_HOST", tt.envHost)
			t.Setenv("DOCKER_CONTEXT", tt.envCtx)
			if tt.config != "" {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "config.json"), []byte(tt.config), 0o600))
			}
			for name, meta := range tt.contexts {
				sum := sha256.Sum256([]byte(name))
				d := filepath.Join(dir, "contexts", "meta", hex.EncodeToString(sum[:]))
				require.NoError(t, os.MkdirAll(d, 0o755))
				require.NoError(t, os.WriteFile(filepath.Join(d, "meta.json"), []byte(meta), 0o600))
			}
			e, err := NewForContext(tt.flag) // never dials
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			defer e.Close()
			assert.Equal(t, tt.want, e.host)
		})
	}
}

// TestNewForContextTLS: a context whose TLS material sits in the store (docker context create
// --docker "host=tcp://...,ca=...,cert=...,key=...") talks TLS with its client certificate:
// an engine on loopback that requires one answers the ping.
func TestNewForContextTLS(t *testing.T) {
	m := newTestTLS(t)
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Api-Version", "1.41")
		w.Header().Set("Ostype", "linux")
		_, _ = w.Write([]byte("OK"))
	}))
	srv.TLS = &tls.Config{ClientCAs: m.pool, ClientAuth: tls.RequireAndVerifyClientCert, Certificates: []tls.Certificate{m.server}}
	srv.StartTLS()
	defer srv.Close()

	dir := t.TempDir()
	t.Setenv("DOCKER_CONFIG", dir)
	t.Setenv("DOCKER_HOST", "")
	t.Setenv("DOCKER_CONTEXT", "")
	host := "tcp://" + srv.Listener.Addr().String()
	s := store.New(filepath.Join(dir, "contexts"), command.DefaultContextStoreConfig())
	require.NoError(t, s.CreateOrUpdate(store.Metadata{
		Name:      "secure",
		Metadata:  command.DockerContext{},
		Endpoints: map[string]any{"docker": ctxdocker.EndpointMeta{Host: host}},
	}))
	require.NoError(t, s.ResetEndpointTLSMaterial("secure", "docker", &store.EndpointTLSData{
		Files: map[string][]byte{"ca.pem": m.ca, "cert.pem": m.cert, "key.pem": m.key},
	}))

	e, err := NewForContext("secure")
	require.NoError(t, err)
	defer e.Close()
	assert.Equal(t, host, e.host)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err = e.cli.Ping(ctx)
	require.NoError(t, err, "TLS with the context's CA and client certificate")

	// The same engine without the context's material refuses the client.
	t.Setenv("DOCKER_HOST", host)
	plain, err := NewForContext("")
	require.NoError(t, err)
	defer plain.Close()
	_, err = plain.cli.Ping(ctx)
	require.Error(t, err)
}

type testTLS struct {
	ca, cert, key []byte // PEM, for the context store
	pool          *x509.CertPool
	server        tls.Certificate // for 127.0.0.1
}

// newTestTLS makes a CA, a client certificate and a server certificate for 127.0.0.1.
func newTestTLS(t *testing.T) testTLS {
	t.Helper()
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	caTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	require.NoError(t, err)
	cliKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	cliTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "prof"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	cliDER, err := x509.CreateCertificate(rand.Reader, cliTmpl, caTmpl, &cliKey.PublicKey, caKey)
	require.NoError(t, err)
	keyDER, err := x509.MarshalECPrivateKey(cliKey)
	require.NoError(t, err)
	srvKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	require.NoError(t, err)
	srvTmpl := &x509.Certificate{
		SerialNumber: big.NewInt(3), Subject: pkix.Name{CommonName: "engine"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
	}
	srvDER, err := x509.CreateCertificate(rand.Reader, srvTmpl, caTmpl, &srvKey.PublicKey, caKey)
	require.NoError(t, err)
	caCert, err := x509.ParseCertificate(caDER)
	require.NoError(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(caCert)
	return testTLS{
		ca:     pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		cert:   pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cliDER}),
		key:    pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}),
		pool:   pool,
		server: tls.Certificate{Certificate: [][]byte{srvDER}, PrivateKey: srvKey},
	}
}
