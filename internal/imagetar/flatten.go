package imagetar

import (
	"context"
	"path"
	"sort"
	"strings"
)

// Flatten is the final filesystem of layers stacked base first, sorted by path, each entry
// from the layer that last wrote it. Whiteouts hide what lower layers wrote, never a file of
// their own layer, wherever the marker sits in the tar (OCI image spec, "Whiteouts"); a file
// replacing a lower folder takes its content away too. A long flatten stops when ctx ends.
func Flatten(ctx context.Context, layers []Layer) ([]Entry, error) {
	final := map[string]Entry{}
	for i, l := range layers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		// Collect what the layer hides, then filter once: a hostile image with many
		// whiteouts must not cost a scan of the whole tree each.
		gone, under := map[string]bool{}, map[string]bool{}
		for _, f := range l.Entries {
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
		for _, f := range l.Entries {
			if f.Whiteout {
				continue
			}
			f.Layer = i
			final[f.Path] = f
		}
	}
	out := make([]Entry, 0, len(final))
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
