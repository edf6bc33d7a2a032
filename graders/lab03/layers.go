package lab03

import (
	"context"
	"fmt"
	"github.com/ddlab/grade/internal/check"
	"io"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/imagetar"
)

// maxSaveStream bounds the `docker save` stream the grader reads for one image.
const maxSaveStream = 1 << 30

// imageLayers lists the entries of every layer of the built image, once. The context and
// whiteout checks need each layer on its own (a file deleted by a later layer is still in the
// earlier one), which engine.ImageFiles, a view of the final filesystem, does not give.
func (s *state) imageLayers(ctx context.Context) ([]imagetar.Layer, error) {
	if s.layers != nil {
		return s.layers, nil
	}
	s.run.Progress(check.Lit("lecture des couches (docker save)…", "reading the layers (docker save)…"))
	a, err := saveArchive(ctx, s.run.Engine, s.imageID)
	if err != nil {
		return nil, err
	}
	layers, err := a.ImageLayers(s.image.LayerIDs)
	if err != nil {
		return nil, err
	}
	s.layers = layers
	return layers, nil
}

// saveArchive reads the `docker save` stream of ref.
func saveArchive(ctx context.Context, e engine.Engine, ref string) (*imagetar.Archive, error) {
	rc, err := e.SaveImage(ctx, ref)
	if err != nil {
		return nil, fmt.Errorf("image save: %w", err)
	}
	defer rc.Close()
	a, err := imagetar.Read(io.LimitReader(rc, maxSaveStream), imagetar.DefaultMaxEntries)
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return a, err
}
