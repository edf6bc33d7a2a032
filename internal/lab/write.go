package lab

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// templateSuffix marks files stored under another name because Go's embed refuses them
// (a go.mod would make the starter a separate module).
const templateSuffix = ".tmpl"

// WriteFiles copies fsys into dst, creating folders as needed. It never overwrites: files
// that already exist, and folders that are symbolic links, are left alone and listed in kept.
func WriteFiles(fsys fs.FS, dst string) (written, kept []string, err error) {
	err = fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		name := targetName(p) // go.mod.tmpl, _git, name.gen: see generated.go
		target := filepath.Join(dst, filepath.FromSlash(name))
		if d.IsDir() {
			// MkdirAll would follow a symbolic link left in dst and write the folder's files
			// wherever it points: leave it alone, like an existing file.
			if fi, err := os.Lstat(target); p != "." && err == nil && fi.Mode()&fs.ModeSymlink != 0 {
				kept = append(kept, name)
				return fs.SkipDir
			}
			return os.MkdirAll(target, 0o755)
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		if data, err = content(p, data); err != nil {
			return err
		}
		// O_EXCL also refuses to write through a symbolic link left in dst.
		f, err := os.OpenFile(target, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if errors.Is(err, fs.ErrExist) {
			kept = append(kept, name)
			return nil
		}
		if err != nil {
			return err
		}
		if _, err := f.Write(data); err != nil {
			f.Close()
			return err
		}
		written = append(written, name)
		return f.Close()
	})
	return written, kept, err
}
