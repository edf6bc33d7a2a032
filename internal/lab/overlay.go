package lab

import (
	"io/fs"
	"path"
	"testing/fstest"
)

// overlay copies own and every shared folder (destination → source folder of all) into one
// in-memory tree. Starters are small; a copy is simpler than a merged fs.FS that must invent
// the parent folders of each destination.
func overlay(own, all fs.FS, shared map[string]string) (fs.FS, error) {
	out := fstest.MapFS{}
	add := func(fsys fs.FS, prefix string) error {
		return fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := fs.ReadFile(fsys, p)
			if err != nil {
				return err
			}
			out[path.Join(prefix, p)] = &fstest.MapFile{Data: b, Mode: 0o644}
			return nil
		})
	}
	if err := add(own, "."); err != nil {
		return nil, err
	}
	for dst, src := range shared {
		sub, err := fs.Sub(all, src)
		if err != nil {
			return nil, err
		}
		if err := add(sub, dst); err != nil {
			return nil, err
		}
	}
	return out, nil
}
