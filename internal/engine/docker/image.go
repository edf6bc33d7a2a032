package docker

import (
	"archive/tar"
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/jsonmessage"

	"github.com/ddlab/grade/internal/engine"
)

// maxImageFiles bounds the file list of one image, so a hostile image cannot exhaust memory.
const maxImageFiles = 500_000

// InspectImage reads an image's config and history.
func (e *Engine) InspectImage(ctx context.Context, ref string) (engine.Image, error) {
	ins, err := e.cli.ImageInspect(ctx, ref)
	if err != nil {
		return engine.Image{}, wrap(err)
	}
	img := engine.Image{ID: ins.ID, Size: ins.Size, Layers: len(ins.RootFS.Layers),
		LayerIDs: ins.RootFS.Layers, RepoTags: ins.RepoTags, RepoDigests: ins.RepoDigests}
	if c := ins.Config; c != nil {
		img.User, img.Env, img.Entrypoint, img.Cmd, img.Labels = c.User, c.Env, c.Entrypoint, c.Cmd, c.Labels
		for p := range c.ExposedPorts {
			img.ExposedPorts = append(img.ExposedPorts, p)
		}
		sort.Strings(img.ExposedPorts)
		if c.Healthcheck != nil {
			img.Healthcheck = c.Healthcheck.Test
		}
	}
	hist, err := e.cli.ImageHistory(ctx, ref)
	if err != nil {
		return engine.Image{}, wrap(err)
	}
	for i := len(hist) - 1; i >= 0; i-- {
		h := hist[i]
		img.History = append(img.History, engine.HistoryEntry{CreatedBy: h.CreatedBy, Size: h.Size, EmptyLayer: h.Size == 0})
	}
	return img, nil
}

// ImageFiles lists the final filesystem of an image by walking `docker save` output, without
// running anything. It reads both the legacy layout (<id>/layer.tar) and the OCI layout
// (blobs/sha256/…) that newer engines write.
func (e *Engine) ImageFiles(ctx context.Context, ref string) ([]engine.File, error) {
	rc, err := e.cli.ImageSave(ctx, []string{ref})
	if err != nil {
		return nil, wrap(err)
	}
	defer rc.Close()
	layers := map[string][]engine.File{}
	// The legacy layout stores a layer whose content an earlier layer has as a symbolic
	// link to that layer's layer.tar.
	links := map[string]string{}
	var manifest []struct{ Layers []string }
	total := 0
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("image save: %w", err)
		}
		if h.Typeflag == tar.TypeSymlink {
			links[h.Name] = path.Join(path.Dir(h.Name), h.Linkname)
			continue
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		if h.Name == "manifest.json" {
			if err := json.NewDecoder(io.LimitReader(tr, 1<<20)).Decode(&manifest); err != nil {
				return nil, fmt.Errorf("image save manifest: %w", err)
			}
			continue
		}
		br := bufio.NewReaderSize(tr, 1024)
		if !isTar(br) {
			continue
		}
		files, err := readLayer(br, maxImageFiles-total)
		if err != nil {
			return nil, fmt.Errorf("image layer %s: %w", h.Name, err)
		}
		total += len(files)
		layers[h.Name] = files
	}
	if len(manifest) == 0 {
		return nil, errors.New("image save: no manifest.json")
	}
	final := map[string]engine.File{}
	for i, name := range manifest[0].Layers {
		files, ok := layers[name]
		if !ok {
			files = layers[links[name]]
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Whiteouts hide what lower layers wrote, never a file of their own layer, wherever
		// the marker sits in the tar (OCI image spec, "Whiteouts"); a file replacing a lower
		// folder takes its content away too. Collect them, then filter once: a hostile image
		// with many whiteouts must not cost a scan of the whole tree each.
		gone, under := map[string]bool{}, map[string]bool{}
		for _, f := range files {
			dir, base := path.Split(f.Path)
			switch {
			case base == ".wh..wh..opq":
				d := strings.TrimSuffix(dir, "/")
				if d == "" {
					d = "/"
				}
				under[d] = true
			case strings.HasPrefix(base, ".wh."):
				p := dir + strings.TrimPrefix(base, ".wh.")
				gone[p], under[p] = true, true
			default:
				if old, ok := final[f.Path]; ok && old.Dir && !f.Dir {
					under[f.Path] = true
				}
			}
		}
		if len(gone)+len(under) > 0 {
			for p := range final {
				if gone[p] || hasAncestor(p, under) {
					delete(final, p)
				}
			}
		}
		for _, f := range files {
			if strings.HasPrefix(path.Base(f.Path), ".wh.") {
				continue
			}
			f.Layer = i
			final[f.Path] = f
		}
	}
	out := make([]engine.File, 0, len(final))
	for _, f := range final {
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// hasAncestor reports whether a folder above p is in dirs.
func hasAncestor(p string, dirs map[string]bool) bool {
	for d := path.Dir(p); ; d = path.Dir(d) {
		if dirs[d] {
			return true
		}
		if d == "/" || d == "." {
			return false
		}
	}
}

func isTar(br *bufio.Reader) bool {
	b, err := br.Peek(262)
	return err == nil && string(b[257:262]) == "ustar"
}

func readLayer(r io.Reader, budget int) ([]engine.File, error) {
	var files []engine.File
	tr := tar.NewReader(r)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		if len(files) >= budget {
			return nil, fmt.Errorf("more than %d files", maxImageFiles)
		}
		p := "/" + strings.TrimPrefix(path.Clean("/"+h.Name), "/")
		files = append(files, engine.File{Path: p, Mode: h.Mode, Size: h.Size, Dir: h.Typeflag == tar.TypeDir, Link: h.Linkname})
	}
}

// ImportImage makes an image from a root filesystem tar (`docker import`).
func (e *Engine) ImportImage(ctx context.Context, rootfs io.Reader, req engine.ImportRequest) (string, error) {
	rc, err := e.cli.ImageImport(ctx, image.ImportSource{Source: rootfs, SourceName: "-"}, req.Ref, image.ImportOptions{Changes: req.Changes})
	if err != nil {
		return "", wrap(err)
	}
	defer rc.Close()
	var msgErr error
	if err := decodeStream(rc, func(jm *jsonmessage.JSONMessage) error {
		if jm.Error != nil {
			msgErr = errors.New(jm.Error.Message)
		}
		return nil
	}); err != nil {
		return "", wrap(err)
	}
	if msgErr != nil {
		return "", fmt.Errorf("import %s: %w", req.Ref, msgErr)
	}
	ins, err := e.cli.ImageInspect(ctx, req.Ref)
	if err != nil {
		return "", wrap(err)
	}
	return ins.ID, nil
}

// ListImages lists the images that carry label ("key" or "key=value").
func (e *Engine) ListImages(ctx context.Context, label string) ([]engine.ImageSummary, error) {
	f := filters.NewArgs()
	if label != "" {
		f.Add("label", label)
	}
	list, err := e.cli.ImageList(ctx, image.ListOptions{All: true, Filters: f})
	if err != nil {
		return nil, wrap(err)
	}
	out := make([]engine.ImageSummary, 0, len(list))
	for _, s := range list {
		out = append(out, engine.ImageSummary{ID: s.ID, Tags: s.RepoTags, Labels: s.Labels, Size: s.Size})
	}
	return out, nil
}
