package registry

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func start(t *testing.T, maxBytes int64) *Registry {
	t.Helper()
	r, err := Start(maxBytes)
	require.NoError(t, err)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = r.Close(ctx)
	})
	return r
}

func digest(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// putBlob uploads b monolithically (POST …/blobs/uploads/?digest=), as `docker push` may.
func putBlob(t *testing.T, r *Registry, repo string, b []byte, chunked bool) int {
	t.Helper()
	var body io.Reader = bytes.NewReader(b)
	if chunked {
		body = io.MultiReader(bytes.NewReader(b)) // hides the length: chunked encoding
	}
	req, err := http.NewRequest(http.MethodPost, "http://"+r.Host()+"/v2/"+repo+"/blobs/uploads/?digest="+digest(b), body)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0 // the server may close the connection on a refused body
	}
	resp.Body.Close()
	return resp.StatusCode
}

func putManifest(t *testing.T, r *Registry, repo, ref string, m []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPut, "http://"+r.Host()+"/v2/"+repo+"/manifests/"+ref, bytes.NewReader(m))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/vnd.docker.distribution.manifest.v2+json")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusCreated, resp.StatusCode)
}

// pushImage pushes a one-layer image under the given tags and returns its manifest digest
// and config digest.
func pushImage(t *testing.T, r *Registry, repo string, tags ...string) (string, string) {
	t.Helper()
	config := []byte(`{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":[]}}`)
	layer := []byte("not really a tar, the registry does not care")
	require.Equal(t, http.StatusCreated, putBlob(t, r, repo, config, false))
	require.Equal(t, http.StatusCreated, putBlob(t, r, repo, layer, false))
	m := []byte(fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json",`+
		`"config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":%d,"digest":%q},`+
		`"layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":%d,"digest":%q}]}`,
		len(config), digest(config), len(layer), digest(layer)))
	for _, tag := range tags {
		putManifest(t, r, repo, tag, m)
	}
	return digest(m), digest(config)
}

func TestPushThenRead(t *testing.T) {
	r := start(t, 0)
	ctx := context.Background()
	mDigest, cDigest := pushImage(t, r, "lab3/site", "1.0", "latest")

	tags, err := r.Tags(ctx, "lab3/site")
	require.NoError(t, err)
	assert.ElementsMatch(t, []string{"1.0", "latest"}, tags)

	for _, ref := range []string{"1.0", "latest", mDigest} {
		m, err := r.Resolve(ctx, "lab3/site", ref)
		require.NoError(t, err, ref)
		assert.Equal(t, mDigest, m.Digest, ref)
		assert.Equal(t, cDigest, m.ConfigDigest, ref)
		assert.Equal(t, "application/vnd.docker.distribution.manifest.v2+json", m.MediaType)
		assert.Equal(t, 1, m.Layers)
	}
	assert.Positive(t, r.Received())
}

func TestNotFound(t *testing.T) {
	r := start(t, 0)
	ctx := context.Background()
	_, err := r.Tags(ctx, "lab3/site")
	assert.ErrorIs(t, err, ErrNotFound)
	pushImage(t, r, "lab3/site", "1.0")
	_, err = r.Resolve(ctx, "lab3/site", "2.0")
	assert.ErrorIs(t, err, ErrNotFound)
	_, err = r.Resolve(ctx, "other/repo", "1.0")
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestBudget(t *testing.T) {
	tests := []struct {
		name    string
		chunked bool
	}{
		{"with a length: refused before reading", false},
		{"chunked: cut off while reading", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := start(t, 1<<20)
			big := bytes.Repeat([]byte("x"), 2<<20)
			code := putBlob(t, r, "lab3/site", big, tt.chunked)
			assert.NotEqual(t, http.StatusCreated, code)
			assert.LessOrEqual(t, r.Received(), int64(1<<20), "never more than the budget")
			// The blob was not stored.
			req, _ := http.NewRequest(http.MethodHead, "http://"+r.Host()+"/v2/lab3/site/blobs/"+digest(big), nil)
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			assert.Equal(t, http.StatusNotFound, resp.StatusCode)
		})
	}
}

func TestBudgetLeavesRoomForSmallPushes(t *testing.T) {
	r := start(t, 1<<20)
	pushImage(t, r, "lab3/site", "1.0")
	tags, err := r.Tags(context.Background(), "lab3/site")
	require.NoError(t, err)
	assert.Equal(t, []string{"1.0"}, tags)
}

func TestCloseStopsServing(t *testing.T) {
	r, err := Start(0)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	require.NoError(t, r.Close(ctx))
	_, err = r.Tags(context.Background(), "lab3/site")
	assert.Error(t, err)
}

func TestParseManifest(t *testing.T) {
	tests := []struct {
		name, body, mediaType string
		wantConfig, wantType  string
		wantErr               bool
	}{
		{"docker v2", `{"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"digest":"sha256:abc"},"layers":[{},{}]}`, "",
			"sha256:abc", "application/vnd.docker.distribution.manifest.v2+json", false},
		{"header wins", `{"config":{"digest":"sha256:abc"}}`, "application/vnd.oci.image.manifest.v1+json",
			"sha256:abc", "application/vnd.oci.image.manifest.v1+json", false},
		{"index has no config", `{"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]}`, "",
			"", "application/vnd.oci.image.index.v1+json", false},
		{"garbage", `not json`, "", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := parseManifest([]byte(tt.body), tt.mediaType)
			if tt.wantErr {
				assert.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantConfig, m.ConfigDigest)
			assert.Equal(t, tt.wantType, m.MediaType)
			assert.Equal(t, digest([]byte(tt.body)), m.Digest)
		})
	}
}

func FuzzParseManifest(f *testing.F) {
	f.Add([]byte(`{"config":{"digest":"sha256:abc"},"layers":[{}]}`))
	f.Add([]byte(`{"config":null}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseManifest(b, "")
		if err == nil {
			assert.Equal(t, digest(b), m.Digest)
		}
	})
}

func TestRequestsCountsEveryRequest(t *testing.T) {
	r := start(t, 0)
	assert.Zero(t, r.Requests())
	resp, err := http.Get("http://" + r.Host() + "/v2/nothing/manifests/here")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusNotFound, resp.StatusCode)
	assert.Equal(t, int64(1), r.Requests(), "a request for a missing name reached the registry: the grader's reachability test")
	assert.Zero(t, r.Received())
}
