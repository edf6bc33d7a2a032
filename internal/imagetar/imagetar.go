// Package imagetar reads the archives `docker save` writes (legacy and OCI layouts): what
// images they hold, the digests of their configs, and each layer's entries. It is the one
// place that walks layer tars: the engine adapter lists an image's final filesystem with it
// ([Flatten]), graders read layers one by one (a file deleted by a later layer is still in
// the earlier one) or check an archive a student exported.
package imagetar

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// Bounds on what an image archive may make the grader hold: a hostile archive (the student's
// out/site.tar, or an image their Dockerfile made) must not exhaust memory.
const (
	// DefaultMaxEntries is a bound for the files listed across all layers of one archive.
	DefaultMaxEntries = 200_000
	maxMetaFile       = 4 << 20 // manifest.json, index.json, configs
)

// Archive is what a `docker save` tar holds, legacy layout (<id>/layer.tar, <id>.json) or
// OCI layout (blobs/sha256/<hex>, index.json), the two that engines write.
type Archive struct {
	Manifest []Image
	// Digests of the small non-tar files, by name: the config of an image is one of them,
	// and its digest is the image ID.
	Digests map[string]string
	// Layers lists each layer tar's entries, by name (only when layers were read).
	Layers map[string][]Entry
	// Names that `docker load` would tag: `repositories` (legacy) and index.json annotations.
	OtherNames []string
}

// Image is one entry of manifest.json.
type Image struct {
	Config   string
	RepoTags []string
	Layers   []string
}

// Entry is one path of a layer tar.
type Entry struct {
	Path     string // absolute, cleaned
	Mode     int64
	Size     int64
	Dir      bool
	Link     string // a symbolic link's target
	Whiteout bool   // an OCI whiteout marker (.wh.<name> or .wh..wh..opq)
	Layer    int    // the index of its layer, base first (set by [Archive.ImageLayers])
}

// Layer is one layer of an image.
type Layer struct {
	DiffID  string
	Entries []Entry
}

// Read reads a `docker save` stream. With maxEntries > 0 it lists every layer's entries
// (gzip-compressed layers too), at most maxEntries across the archive: a hostile archive must
// not exhaust memory. With 0, layers are skipped unread.
func Read(r io.Reader, maxEntries int) (*Archive, error) {
	withLayers := maxEntries > 0
	a := &Archive{Digests: map[string]string{}, Layers: map[string][]Entry{}}
	links := map[string]string{} // the legacy layout links a repeated layer to its first copy
	total := 0
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("archive: %w", err)
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		switch h.Typeflag {
		case tar.TypeSymlink:
			links[name] = path.Join(path.Dir(name), h.Linkname)
			continue
		case tar.TypeReg:
		default:
			continue
		}
		br := bufio.NewReaderSize(tr, 1024)
		kind := sniff(br)
		switch {
		case kind == "tar" || kind == "gzip":
			if !withLayers {
				continue
			}
			entries, err := readLayer(br, kind == "gzip", maxEntries, total)
			if err != nil {
				return nil, fmt.Errorf("archive: layer %s: %w", name, err)
			}
			total += len(entries)
			a.Layers[name] = entries
		case h.Size <= maxMetaFile:
			b, err := io.ReadAll(io.LimitReader(br, maxMetaFile+1))
			if err != nil {
				return nil, fmt.Errorf("archive: %s: %w", name, err)
			}
			sum := sha256.Sum256(b)
			a.Digests[name] = "sha256:" + hex.EncodeToString(sum[:])
			if err := a.readMeta(name, b); err != nil {
				return nil, err
			}
		}
	}
	for name, target := range links {
		if _, ok := a.Layers[name]; !ok {
			if e, ok := a.Layers[target]; ok {
				a.Layers[name] = e
			}
		}
	}
	return a, nil
}

// readMeta reads the archive's own description files.
func (a *Archive) readMeta(name string, b []byte) error {
	switch name {
	case "manifest.json":
		if err := json.Unmarshal(b, &a.Manifest); err != nil {
			return fmt.Errorf("archive: manifest.json: %w", err)
		}
	case "repositories":
		var repos map[string]map[string]string
		if json.Unmarshal(b, &repos) == nil {
			for repo, tags := range repos {
				for tag := range tags {
					a.OtherNames = append(a.OtherNames, repo+":"+tag)
				}
			}
		}
	case "index.json":
		var idx struct {
			Manifests []struct {
				Annotations map[string]string `json:"annotations"`
			} `json:"manifests"`
		}
		if json.Unmarshal(b, &idx) == nil {
			for _, m := range idx.Manifests {
				for _, k := range []string{"io.containerd.image.name", "org.opencontainers.image.ref.name"} {
					if v := m.Annotations[k]; v != "" {
						a.OtherNames = append(a.OtherNames, v)
					}
				}
			}
		}
	}
	return nil
}

// sniff tells a tar or a gzip stream from anything else without consuming it.
func sniff(br *bufio.Reader) string {
	if b, err := br.Peek(2); err == nil && b[0] == 0x1f && b[1] == 0x8b {
		return "gzip"
	}
	if b, err := br.Peek(262); err == nil && string(b[257:262]) == "ustar" {
		return "tar"
	}
	// A layer that changes nothing is an empty tar: only its zero end-of-archive blocks.
	if b, err := br.Peek(1024); err == nil && bytes.Count(b, []byte{0}) == len(b) {
		return "tar"
	}
	return ""
}

func readLayer(r io.Reader, gz bool, max, used int) ([]Entry, error) {
	if gz {
		zr, err := gzip.NewReader(r)
		if err != nil {
			return nil, err
		}
		defer zr.Close()
		r = zr
	}
	var out []Entry
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if used+len(out) >= max {
			return nil, fmt.Errorf("more than %d files", max)
		}
		p := path.Clean("/" + h.Name)
		out = append(out, Entry{Path: p, Mode: h.Mode, Size: h.Size, Dir: h.Typeflag == tar.TypeDir, Link: h.Linkname,
			Whiteout: strings.HasPrefix(path.Base(p), ".wh.")})
	}
}

// ImageLayers pairs the first image of the archive with its layers, base first; diffIDs (the
// image's RootFS layers, optional) must then match them in number.
func (a *Archive) ImageLayers(diffIDs []string) ([]Layer, error) {
	if len(a.Manifest) == 0 {
		return nil, errors.New("archive: no manifest.json")
	}
	names := a.Manifest[0].Layers
	if len(diffIDs) != 0 && len(diffIDs) != len(names) {
		return nil, fmt.Errorf("archive: %d layers, the image has %d", len(names), len(diffIDs))
	}
	out := make([]Layer, len(names))
	for i, n := range names {
		e, ok := a.Layers[path.Clean(n)]
		if !ok {
			return nil, fmt.Errorf("archive: layer %s missing", n)
		}
		out[i].Entries = make([]Entry, len(e))
		for j := range e {
			out[i].Entries[j] = e[j]
			out[i].Entries[j].Layer = i
		}
		if i < len(diffIDs) {
			out[i].DiffID = diffIDs[i]
		}
	}
	return out, nil
}

// ConfigDigest is the digest of the archive's only image config: its image ID.
func (a *Archive) ConfigDigest() (string, error) {
	if len(a.Manifest) == 0 {
		return "", errors.New("no manifest.json")
	}
	// docker load loads every image of the archive: one, the graded one, may reach the engine.
	if len(a.Manifest) > 1 {
		return "", fmt.Errorf("%d images in manifest.json, one expected", len(a.Manifest))
	}
	c := path.Clean(a.Manifest[0].Config)
	d, ok := a.Digests[c]
	if !ok {
		return "", fmt.Errorf("config %s missing", a.Manifest[0].Config)
	}
	return d, nil
}
