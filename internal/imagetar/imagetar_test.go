package imagetar

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// tarOf builds a tar holding files (name → content); a nil content makes a folder.
func tarOf(t testing.TB, files [][2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		h := &tar.Header{Name: f[0], Mode: 0o644, Size: int64(len(f[1])), Typeflag: tar.TypeReg}
		if f[1] == "/" {
			h.Typeflag, h.Size, h.Mode = tar.TypeDir, 0, 0o755
		}
		require.NoError(t, tw.WriteHeader(h))
		if h.Typeflag == tar.TypeReg {
			_, err := tw.Write([]byte(f[1]))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	return buf.Bytes()
}

func gz(t testing.TB, b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, err := zw.Write(b)
	require.NoError(t, err)
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}

// saveTar is a legacy-layout `docker save` archive of a two-layer image: the base, then a
// layer that copies big.bin and a layer that deletes it (a whiteout).
func saveTar(t testing.TB, compressed bool) ([]byte, string) {
	config := []byte(`{"rootfs":{"type":"layers"}}`)
	base := tarOf(t, [][2]string{{"bin/", "/"}, {"bin/busybox", "elf"}})
	copyLayer := tarOf(t, [][2]string{{"www/", "/"}, {"www/index.html", "<h1>Docker Deep Dive</h1>"}, {"www/big.bin", "xxxx"}, {"www/.git/HEAD", "ref"}})
	rmLayer := tarOf(t, [][2]string{{"www/.wh.big.bin", ""}})
	if compressed {
		copyLayer = gz(t, copyLayer)
	}
	manifest, _ := json.Marshal([]map[string]any{{"Config": "abc.json", "RepoTags": []string{"lab3/site:build"},
		"Layers": []string{"l0/layer.tar", "l1/layer.tar", "l2/layer.tar", "l3/layer.tar"}}})
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	add := func(name string, b []byte) {
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(b)), Typeflag: tar.TypeReg}))
		_, err := tw.Write(b)
		require.NoError(t, err)
	}
	add("abc.json", config)
	add("l0/layer.tar", base)
	add("l1/layer.tar", copyLayer)
	add("l2/layer.tar", rmLayer)
	// An empty layer (a RUN that changed nothing) is two zero blocks.
	add("l3/layer.tar", make([]byte, 1024))
	require.NoError(t, tw.WriteHeader(&tar.Header{Name: "l4/layer.tar", Typeflag: tar.TypeSymlink, Linkname: "../l1/layer.tar"}))
	add("manifest.json", manifest)
	require.NoError(t, tw.Close())
	return buf.Bytes(), sha(config)
}

func TestReadArchive(t *testing.T) {
	for _, compressed := range []bool{false, true} {
		b, configID := saveTar(t, compressed)
		a, err := Read(bytes.NewReader(b), DefaultMaxEntries)
		require.NoError(t, err)
		id, err := a.ConfigDigest()
		require.NoError(t, err)
		assert.Equal(t, configID, id)
		layers, err := a.ImageLayers([]string{"sha256:base", "sha256:copy", "sha256:rm", "sha256:empty"})
		require.NoError(t, err)
		require.Len(t, layers, 4)
		assert.Empty(t, layers[3].Entries)
		assert.Equal(t, a.Layers["l1/layer.tar"], a.Layers["l4/layer.tar"], "a linked layer is its target's")
		assert.Equal(t, "sha256:copy", layers[1].DiffID)
		require.Len(t, layers[1].Entries, 4)
		assert.Equal(t, Entry{Path: "/www/index.html", Mode: 0o644, Size: 25, Layer: 1}, layers[1].Entries[1])
		assert.Equal(t, Entry{Path: "/www/.wh.big.bin", Mode: 0o644, Whiteout: true, Layer: 2}, layers[2].Entries[0])

		files, err := Flatten(context.Background(), layers)
		require.NoError(t, err)
		var paths []string
		for _, f := range files {
			paths = append(paths, f.Path)
		}
		assert.Equal(t, []string{"/bin", "/bin/busybox", "/www", "/www/.git/HEAD", "/www/index.html"}, paths, "big.bin is whited out")

		_, err = a.ImageLayers([]string{"sha256:one"})
		assert.ErrorContains(t, err, "4 layers, the image has 1")
	}
	// Without layers, only the metadata is read.
	b, configID := saveTar(t, false)
	a, err := Read(bytes.NewReader(b), 0)
	require.NoError(t, err)
	assert.Empty(t, a.Layers)
	id, err := a.ConfigDigest()
	require.NoError(t, err)
	assert.Equal(t, configID, id)
	assert.Equal(t, []string{"lab3/site:build"}, a.Manifest[0].RepoTags)
}

func TestReadArchiveRefuses(t *testing.T) {
	a, err := Read(bytes.NewReader(tarOf(t, [][2]string{{"hello.txt", "hi"}})), DefaultMaxEntries)
	require.NoError(t, err)
	_, err = a.ConfigDigest()
	assert.ErrorContains(t, err, "no manifest.json")
	_, err = a.ImageLayers(nil)
	assert.ErrorContains(t, err, "no manifest.json")

	_, err = Read(bytes.NewReader([]byte("not a tar at all, not even close............")), DefaultMaxEntries)
	assert.Error(t, err)

	bad := tarOf(t, [][2]string{{"manifest.json", "{not json"}})
	_, err = Read(bytes.NewReader(bad), 0)
	assert.ErrorContains(t, err, "manifest.json")

	missing := tarOf(t, [][2]string{{"manifest.json", `[{"Config":"nope.json","Layers":["x/layer.tar"]}]`}})
	a, err = Read(bytes.NewReader(missing), DefaultMaxEntries)
	require.NoError(t, err)
	_, err = a.ConfigDigest()
	assert.ErrorContains(t, err, "config nope.json missing")
	_, err = a.ImageLayers(nil)
	assert.ErrorContains(t, err, "layer x/layer.tar missing")
}

func FuzzReadArchive(f *testing.F) {
	b, _ := saveTar(f, false)
	f.Add(b)
	c, _ := saveTar(f, true)
	f.Add(c)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := Read(bytes.NewReader(data), DefaultMaxEntries)
		if err != nil {
			return
		}
		_, _ = a.ConfigDigest()
		_, _ = a.ImageLayers(nil)
	})
}

func TestReadBound(t *testing.T) {
	b, _ := saveTar(t, false)
	_, err := Read(bytes.NewReader(b), 3)
	assert.ErrorContains(t, err, "more than 3 files")
}

func TestFlatten(t *testing.T) {
	layers := []Layer{
		{Entries: []Entry{{Path: "/a", Dir: true}, {Path: "/a/x"}, {Path: "/a/y"}, {Path: "/b", Dir: true}, {Path: "/b/z"}, {Path: "/c"}}},
		{Entries: []Entry{{Path: "/a/.wh.x", Whiteout: true}, {Path: "/b/.wh..wh..opq", Whiteout: true}, {Path: "/b/new"}, {Path: "/c", Size: 2}}},
	}
	got, err := Flatten(context.Background(), layers)
	require.NoError(t, err)
	assert.Equal(t, []Entry{
		{Path: "/a", Dir: true}, {Path: "/a/y"},
		{Path: "/b", Dir: true}, {Path: "/b/new", Layer: 1},
		{Path: "/c", Size: 2, Layer: 1},
	}, got)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = Flatten(ctx, layers)
	assert.ErrorIs(t, err, context.Canceled)
}
