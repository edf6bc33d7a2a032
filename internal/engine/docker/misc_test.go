package docker

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
)

func TestStop(t *testing.T) {
	reg := &registry{}
	reg.Register(http.MethodPost, "/v1.41/containers/c1/stop", bodyResponse(http.StatusNoContent, "", nil))
	e := newTestEngine(t, reg, "unix:///var/run/docker.sock")
	require.NoError(t, e.Stop(context.Background(), "c1", 7*time.Second))
	reqs := reg.Requests(http.MethodPost, "/v1.41/containers/c1/stop")
	require.Len(t, reqs, 1)
	assert.Equal(t, "7", reqs[0].Query.Get("t"))
	reg.Verify(t)
}

func TestWait(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		wantCode int
		wantErr  string
	}{
		{name: "exit code", body: `{"StatusCode":143,"Error":null}`, wantCode: 143},
		{name: "wait error", body: `{"StatusCode":-1,"Error":{"Message":"container removed"}}`, wantCode: -1, wantErr: "container removed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			reg.Register(http.MethodPost, "/v1.41/containers/c1/wait", bodyResponse(200, "application/json", []byte(tt.body)))
			e := newTestEngine(t, reg, "unix:///var/run/docker.sock")
			code, err := e.Wait(context.Background(), "c1")
			assert.Equal(t, tt.wantCode, code)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
			} else {
				require.NoError(t, err)
			}
			reqs := reg.Requests(http.MethodPost, "/v1.41/containers/c1/wait")
			require.Len(t, reqs, 1)
			assert.Equal(t, "not-running", reqs[0].Query.Get("condition"))
			reg.Verify(t)
		})
	}
}

func TestImportImage(t *testing.T) {
	tests := []struct {
		name    string
		stream  string
		wantID  string
		wantErr string
	}{
		{
			name:   "imported",
			stream: `{"status":"sha256:4b1d5c0ffee00000000000000000000000000000000000000000000000000000"}` + "\r\n",
			wantID: "sha256:abc",
		},
		{
			name:    "refused",
			stream:  `{"errorDetail":{"message":"archive/tar: invalid tar header"},"error":"archive/tar: invalid tar header"}` + "\r\n",
			wantErr: "import ddlab/busybox:1: archive/tar: invalid tar header",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			reg.Register(http.MethodPost, "/v1.41/images/create", bodyResponse(200, "application/json", []byte(tt.stream)))
			if tt.wantErr == "" {
				reg.Register(http.MethodGet, "/v1.41/images/ddlab/busybox:1/json", bodyResponse(200, "application/json", []byte(`{"Id":"sha256:abc"}`)))
			}
			e := newTestEngine(t, reg, "unix:///var/run/docker.sock")
			id, err := e.ImportImage(context.Background(), strings.NewReader("rootfs tar"), engine.ImportRequest{
				Ref: "ddlab/busybox:1", Changes: []string{`CMD ["sh"]`, "LABEL dev.ddlab.base=busybox"},
			})
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
			} else {
				require.NoError(t, err)
				assert.Equal(t, tt.wantID, id)
			}
			reqs := reg.Requests(http.MethodPost, "/v1.41/images/create")
			require.Len(t, reqs, 1)
			assert.Equal(t, "-", reqs[0].Query.Get("fromSrc"))
			assert.Equal(t, []string{`CMD ["sh"]`, "LABEL dev.ddlab.base=busybox"}, reqs[0].Query["changes"])
			assert.Equal(t, "rootfs tar", string(reqs[0].Body))
			reg.Verify(t)
		})
	}
}

func TestListImages(t *testing.T) {
	reg := &registry{}
	reg.Register(http.MethodGet, "/v1.41/images/json", bodyResponse(200, "application/json", []byte(`[
		{"Id":"sha256:b1","RepoTags":["ddlab/busybox:1"],"Labels":{"dev.ddlab.base":"busybox"},"Size":1236992,"Created":1709630000,"Containers":-1,"SharedSize":-1,"ParentId":"","RepoDigests":null,"VirtualSize":1236992}
	]`)))
	e := newTestEngine(t, reg, "unix:///var/run/docker.sock")
	got, err := e.ListImages(context.Background(), "dev.ddlab.base")
	require.NoError(t, err)
	assert.Equal(t, []engine.ImageSummary{{ID: "sha256:b1", Tags: []string{"ddlab/busybox:1"}, Labels: map[string]string{"dev.ddlab.base": "busybox"}, Size: 1236992}}, got)
	reqs := reg.Requests(http.MethodGet, "/v1.41/images/json")
	require.Len(t, reqs, 1)
	assert.Equal(t, "1", reqs[0].Query.Get("all"))
	assert.Contains(t, reqs[0].Query.Get("filters"), "dev.ddlab.base")
	reg.Verify(t)
}
