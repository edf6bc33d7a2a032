package docker

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sort"

	"github.com/docker/docker/api/types/filters"
	"github.com/docker/docker/api/types/image"
	"github.com/docker/docker/pkg/jsonmessage"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/imagetar"
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
// running anything. internal/imagetar reads both the legacy layout (<id>/layer.tar) and the
// OCI layout (blobs/sha256/…) that newer engines write.
func (e *Engine) ImageFiles(ctx context.Context, ref string) ([]engine.File, error) {
	rc, err := e.cli.ImageSave(ctx, []string{ref})
	if err != nil {
		return nil, wrap(err)
	}
	defer rc.Close()
	a, err := imagetar.Read(rc, maxImageFiles)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("image save: %w", err)
	}
	layers, err := a.ImageLayers(nil)
	if err != nil {
		return nil, fmt.Errorf("image save: %w", err)
	}
	entries, err := imagetar.Flatten(ctx, layers)
	if err != nil {
		return nil, err
	}
	out := make([]engine.File, len(entries))
	for i, f := range entries {
		out[i] = engine.File{Path: f.Path, Mode: f.Mode, Size: f.Size, Dir: f.Dir, Link: f.Link, Layer: f.Layer}
	}
	return out, nil
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
