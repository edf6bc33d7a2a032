package docker

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
)

func TestInspectImage(t *testing.T) {
	reg := &registry{}
	reg.Register(http.MethodGet, "/v1.41/images/grade-lab5:3f1c2a9b/json", fileResponse(t, 200, "image_inspect.json"))
	reg.Register(http.MethodGet, "/v1.41/images/grade-lab5:3f1c2a9b/history", fileResponse(t, 200, "image_history.json"))
	e := newTestEngine(t, reg, "unix:///var/run/docker.sock")

	got, err := e.InspectImage(context.Background(), "grade-lab5:3f1c2a9b")
	require.NoError(t, err)
	assert.Equal(t, engine.Image{
		ID:           "sha256:5f8e0c2b7d1a4c3e9b6f0a1d2c3b4a5968778695a4b3c2d1e0f9a8b7c6d5e4f3",
		Size:         14286848,
		User:         "app",
		ExposedPorts: []string{"443/tcp", "8080/tcp", "9090/tcp"},
		Env:          []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "APP_ADDR=:8080"},
		Entrypoint:   []string{"/app/server"},
		Labels: map[string]string{
			"org.opencontainers.image.title": "lab5",
			"dev.ddlab.grade.run":            "3f1c2a9b-6d1e-4b8a-9c55-0e2f4a7b8c9d",
		},
		Healthcheck: []string{"CMD", "/app/server", "healthcheck"},
		Layers:      3,
		LayerIDs: []string{
			"sha256:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9",
			"sha256:1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a",
			"sha256:2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90a1b",
		},
		RepoTags:    []string{"grade-lab5:3f1c2a9b"},
		RepoDigests: []string{},
		History: []engine.HistoryEntry{
			{CreatedBy: "/bin/sh -c #(nop) ADD file:9a4f77dfaba7fd2aa78186e4ef0e7486ad55101cefc1fabbc1b385601bb38920 in / ", Size: 4849323},
			{CreatedBy: "RUN /bin/sh -c adduser -D -u 10001 app # buildkit", Size: 2341},
			{CreatedBy: "COPY /out/server /app/server # buildkit", Size: 9437184},
			{CreatedBy: "USER app", EmptyLayer: true},
			{CreatedBy: `HEALTHCHECK &{["CMD" "/app/server" "healthcheck"] "10s" "3s" "5s" '\x03'}`, EmptyLayer: true},
		},
	}, got)
	reg.Verify(t)
}

func TestInspectImageMinimalConfig(t *testing.T) {
	reg := &registry{}
	reg.Register(http.MethodGet, "/v1.41/images/scratchy/json", bodyResponse(200, "application/json",
		[]byte(`{"Id":"sha256:abc","Size":0,"Config":{"Env":null,"Cmd":["/hello"],"ExposedPorts":null,"Labels":null},"RootFS":{"Type":"layers","Layers":["sha256:1"]}}`)))
	reg.Register(http.MethodGet, "/v1.41/images/scratchy/history", bodyResponse(200, "application/json",
		[]byte(`[{"Id":"sha256:abc","CreatedBy":"COPY hello /hello # buildkit","Size":812,"Created":1}]`)))
	e := newTestEngine(t, reg, "unix:///var/run/docker.sock")

	got, err := e.InspectImage(context.Background(), "scratchy")
	require.NoError(t, err)
	assert.Equal(t, engine.Image{
		ID: "sha256:abc", Cmd: []string{"/hello"}, Layers: 1, LayerIDs: []string{"sha256:1"},
		History: []engine.HistoryEntry{{CreatedBy: "COPY hello /hello # buildkit", Size: 812}},
	}, got)
	reg.Verify(t)
}

// tarEntry is one member of a synthetic layer.
type tarEntry struct {
	name string
	body string
	dir  bool
	link string // symbolic link target
	mode int64
}

func dir(name string) tarEntry         { return tarEntry{name: name, dir: true, mode: 0o755} }
func file(name, body string) tarEntry  { return tarEntry{name: name, body: body, mode: 0o644} }
func exe(name, body string) tarEntry   { return tarEntry{name: name, body: body, mode: 0o755} }
func symlink(name, to string) tarEntry { return tarEntry{name: name, link: to, mode: 0o777} }
func whiteout(name string) tarEntry    { return tarEntry{name: name, mode: 0o600} }
func layer(entries ...tarEntry) []byte { return makeTar(entries...) }
func sha(b []byte) string              { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }
func jsonOf(t *testing.T, v any) string {
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

func makeTar(entries ...tarEntry) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Typeflag: tar.TypeReg, Size: int64(len(e.body)), Format: tar.FormatPAX}
		switch {
		case e.dir:
			h.Typeflag, h.Size = tar.TypeDir, 0
		case e.link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, e.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			panic(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write([]byte(e.body)); err != nil {
				panic(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// member is one entry of the outer `docker save` archive.
type member struct {
	name string
	body []byte
	dir  bool
	link string
}

func saveArchive(members ...member) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, m := range members {
		h := &tar.Header{Name: m.name, Mode: 0o644, Typeflag: tar.TypeReg, Size: int64(len(m.body))}
		switch {
		case m.dir:
			h.Typeflag, h.Mode, h.Size = tar.TypeDir, 0o755, 0
		case m.link != "":
			h.Typeflag, h.Linkname, h.Size = tar.TypeSymlink, m.link, 0
		}
		if err := tw.WriteHeader(h); err != nil {
			panic(err)
		}
		if h.Size > 0 {
			if _, err := tw.Write(m.body); err != nil {
				panic(err)
			}
		}
	}
	if err := tw.Close(); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// legacySave lays layers out as Docker 20.10 does: <v1id>/{VERSION,json,layer.tar}, the
// config, then manifest.json and repositories last. A layer whose content another layer
// already saved is stored as a symbolic link to that layer.tar, as 20.10 does.
func legacySave(t *testing.T, layers ...[]byte) []byte {
	var ms []member
	var paths []string
	seen := map[string]string{}
	for i, l := range layers {
		id := sha([]byte{byte(i), 'v', '1'}) // a v1 ID, not the content digest
		p := id + "/layer.tar"
		ms = append(ms, member{name: id + "/", dir: true},
			member{name: id + "/VERSION", body: []byte("1.0")},
			member{name: id + "/json", body: []byte(`{"id":"` + id + `","created":"2024-03-05T10:14:02Z","container_config":{"Cmd":null}}`)})
		if prev, ok := seen[sha(l)]; ok {
			ms = append(ms, member{name: p, link: "../" + prev})
		} else {
			ms = append(ms, member{name: p, body: l})
			seen[sha(l)] = p
		}
		paths = append(paths, p)
	}
	cfg := []byte(`{"architecture":"amd64","os":"linux","config":{"User":"app"},"rootfs":{"type":"layers","diff_ids":[]}}`)
	ms = append(ms, member{name: sha(cfg) + ".json", body: cfg},
		member{name: "manifest.json", body: []byte(jsonOf(t, []map[string]any{{"Config": sha(cfg) + ".json", "RepoTags": []string{"grade-lab5:3f1c2a9b"}, "Layers": paths}}))},
		member{name: "repositories", body: []byte(`{"grade-lab5":{"3f1c2a9b":"` + sha(layers[len(layers)-1]) + `"}}`)})
	return saveArchive(ms...)
}

// ociSave lays layers out as Docker 25+ does: blobs/sha256/<hex> for layers, config and
// manifest, then index.json, manifest.json and oci-layout.
func ociSave(t *testing.T, layers ...[]byte) []byte {
	ms := []member{{name: "blobs/", dir: true}, {name: "blobs/sha256/", dir: true}}
	var paths []string
	seen := map[string]bool{}
	for _, l := range layers {
		p := "blobs/sha256/" + sha(l)
		paths = append(paths, p)
		if !seen[p] {
			ms = append(ms, member{name: p, body: l})
			seen[p] = true
		}
	}
	cfg := []byte(`{"architecture":"amd64","os":"linux","config":{"User":"app"},"rootfs":{"type":"layers","diff_ids":[]}}`)
	man := []byte(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"digest":"sha256:` + sha(cfg) + `"}}`)
	ms = append(ms, member{name: "blobs/sha256/" + sha(cfg), body: cfg},
		member{name: "blobs/sha256/" + sha(man), body: man},
		member{name: "index.json", body: []byte(`{"schemaVersion":2,"manifests":[{"digest":"sha256:` + sha(man) + `"}]}`)},
		member{name: "manifest.json", body: []byte(jsonOf(t, []map[string]any{{"Config": "blobs/sha256/" + sha(cfg), "RepoTags": []string{"grade-lab5:3f1c2a9b"}, "Layers": paths}}))},
		member{name: "oci-layout", body: []byte(`{"imageLayoutVersion":"1.0.0"}`)})
	return saveArchive(ms...)
}

func TestImageFiles(t *testing.T) {
	base := layer(
		dir("bin/"), exe("bin/sh", "#!busybox"),
		dir("etc/"), file("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
		dir("usr/"), dir("usr/local/"), dir("usr/local/go/"), dir("usr/local/go/bin/"), exe("usr/local/go/bin/go", "ELF"),
		dir("usr/local/go/src/"), file("usr/local/go/src/x.go", "package x"),
		dir("tmp/"), dir("tmp/cache/"), file("tmp/cache/a", "a"), dir("tmp/cache/sub/"), file("tmp/cache/sub/b", "b"),
		dir("app/"), file("app/old.txt", "v1"),
	)
	// Layer 1 removes the toolchain (whiteout of a folder), writes a secret, and makes
	// /tmp/cache opaque, with its new content before and after the marker.
	middle := layer(
		dir("etc/"), file("etc/secret", "s3cr3t"),
		dir("tmp/cache/"), file("tmp/cache/-early", "same layer, before the marker"),
		whiteout("tmp/cache/.wh..wh..opq"), file("tmp/cache/late", "after the marker"),
		dir("usr/local/"), whiteout("usr/local/.wh.go"),
	)
	// Layer 2 deletes the secret, adds the binary and a link, rewrites a file, and
	// replaces a folder of the base by a symbolic link.
	top := layer(
		dir("etc/"), whiteout("etc/.wh.secret"),
		dir("app/"), exe("app/server", "ELF64"), symlink("app/current", "server"), file("app/old.txt", "v2!"),
		symlink("tmp/cache", "/var/cache"),
	)
	// Layer 3 has the very same content as the base's /app: the legacy layout then stores
	// it as a link to the base's layer.tar.
	want := []engine.File{
		{Path: "/app", Mode: 0o755, Dir: true, Layer: 2},
		{Path: "/app/current", Mode: 0o777, Link: "server", Layer: 2},
		{Path: "/app/old.txt", Mode: 0o644, Size: 3, Layer: 2},
		{Path: "/app/server", Mode: 0o755, Size: 5, Layer: 2},
		{Path: "/bin", Mode: 0o755, Dir: true},
		{Path: "/bin/sh", Mode: 0o755, Size: 9},
		{Path: "/etc", Mode: 0o755, Dir: true, Layer: 2},
		{Path: "/etc/passwd", Mode: 0o644, Size: 26},
		{Path: "/tmp", Mode: 0o755, Dir: true},
		{Path: "/tmp/cache", Mode: 0o777, Link: "/var/cache", Layer: 2},
		{Path: "/usr", Mode: 0o755, Dir: true},
		{Path: "/usr/local", Mode: 0o755, Dir: true, Layer: 1},
	}
	tests := []struct {
		name   string
		layers [][]byte
		want   []engine.File
	}{
		{name: "three layers", layers: [][]byte{base, middle, top}, want: want},
		{
			name:   "opaque folder keeps the files of its own layer",
			layers: [][]byte{base, middle},
			want: []engine.File{
				{Path: "/app", Mode: 0o755, Dir: true},
				{Path: "/app/old.txt", Mode: 0o644, Size: 2},
				{Path: "/bin", Mode: 0o755, Dir: true},
				{Path: "/bin/sh", Mode: 0o755, Size: 9},
				{Path: "/etc", Mode: 0o755, Dir: true, Layer: 1},
				{Path: "/etc/passwd", Mode: 0o644, Size: 26},
				{Path: "/etc/secret", Mode: 0o644, Size: 6, Layer: 1},
				{Path: "/tmp", Mode: 0o755, Dir: true},
				{Path: "/tmp/cache", Mode: 0o755, Dir: true, Layer: 1},
				{Path: "/tmp/cache/-early", Mode: 0o644, Size: 29, Layer: 1},
				{Path: "/tmp/cache/late", Mode: 0o644, Size: 16, Layer: 1},
				{Path: "/usr", Mode: 0o755, Dir: true},
				{Path: "/usr/local", Mode: 0o755, Dir: true, Layer: 1},
			},
		},
		{
			name: "a layer identical to an earlier one",
			layers: [][]byte{
				layer(dir("app/"), file("app/x", "x")),
				layer(dir("app/"), whiteout("app/.wh.x")),
				layer(dir("app/"), file("app/x", "x")),
			},
			want: []engine.File{
				{Path: "/app", Mode: 0o755, Dir: true, Layer: 2},
				{Path: "/app/x", Mode: 0o644, Size: 1, Layer: 2},
			},
		},
	}
	layouts := []struct {
		name string
		save func(*testing.T, ...[]byte) []byte
	}{
		{"legacy", legacySave},
		{"oci", ociSave},
	}
	for _, tt := range tests {
		for _, lo := range layouts {
			t.Run(tt.name+"/"+lo.name, func(t *testing.T) {
				reg := &registry{}
				reg.Register(http.MethodGet, "/v1.41/images/get", bodyResponse(200, "application/x-tar", lo.save(t, tt.layers...)))
				e := newTestEngine(t, reg, "unix:///var/run/docker.sock")

				got, err := e.ImageFiles(context.Background(), "grade-lab5:3f1c2a9b")
				require.NoError(t, err)
				assert.Equal(t, tt.want, got)
				reqs := reg.Requests(http.MethodGet, "/v1.41/images/get")
				require.Len(t, reqs, 1)
				assert.Equal(t, []string{"grade-lab5:3f1c2a9b"}, reqs[0].Query["names"])
				reg.Verify(t)
			})
		}
	}
}

func TestImageFilesErrors(t *testing.T) {
	tests := []struct {
		name    string
		body    []byte
		wantErr string
	}{
		{name: "no manifest", body: saveArchive(member{name: "x/layer.tar", body: layer(file("a", "a"))}), wantErr: "no manifest.json"},
		{name: "broken manifest", body: saveArchive(member{name: "manifest.json", body: []byte("[{")}), wantErr: "image save: archive: manifest.json"},
		{name: "not a tar", body: []byte("this is not a tar archive, and it is long enough to be read as one header............................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................"), wantErr: "image save"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg := &registry{}
			reg.Register(http.MethodGet, "/v1.41/images/get", bodyResponse(200, "application/x-tar", tt.body))
			e := newTestEngine(t, reg, "unix:///var/run/docker.sock")
			_, err := e.ImageFiles(context.Background(), "x")
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.wantErr)
			reg.Verify(t)
		})
	}
}
