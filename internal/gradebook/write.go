package gradebook

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// WriteAll renders the Canvas and Moodle gradebooks and the class report of the results
// folder dir into dir, and returns the book.
func WriteAll(dir string) (*Book, error) {
	meta, err := ReadMeta(dir)
	if err != nil {
		return nil, err
	}
	entries, err := Load(dir)
	if err != nil {
		return nil, err
	}
	b := Build(*meta, entries)
	for _, out := range []struct {
		name string
		fn   func(io.Writer, *Book) error
	}{{CanvasFile, Canvas}, {MoodleFile, Moodle}, {HTMLFile, HTML}} {
		var buf bytes.Buffer
		if err := out.fn(&buf, b); err != nil {
			return nil, fmt.Errorf("%s: %w", out.name, err)
		}
		if err := WriteFile(filepath.Join(dir, out.name), buf.Bytes()); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// Merge gathers the results folders of shards into out: their settings must agree, each
// submission may come from one shard only; then the gradebooks are written as for one run.
func Merge(out string, shards []string) (*Book, error) {
	if len(shards) == 0 {
		return nil, errors.New("no results folder to merge")
	}
	var meta *Meta
	for _, dir := range shards {
		m, err := ReadMeta(dir)
		if err != nil {
			return nil, fmt.Errorf("%s is not a batch results folder: %w", dir, err)
		}
		if meta != nil && !sameMeta(meta, m) {
			return nil, fmt.Errorf("%s was graded with other settings than %s (lab, assignment, deadline)", dir, shards[0])
		}
		meta = m
	}
	if err := os.MkdirAll(filepath.Join(out, SubDir), 0o755); err != nil {
		return nil, err
	}
	if err := WriteJSON(filepath.Join(out, MetaFile), meta); err != nil {
		return nil, err
	}
	from := map[string]string{}
	for _, dir := range shards {
		if same, _ := sameDir(dir, out); same {
			continue // merging into one of the shards: its submissions are in place
		}
		des, err := os.ReadDir(filepath.Join(dir, SubDir))
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
		for _, de := range des {
			id := de.Name()
			if !de.IsDir() || !ValidID(id) {
				continue
			}
			if _, err := ReadRecord(dir, id); err != nil {
				continue // unfinished in that shard
			}
			if prev, dup := from[id]; dup {
				return nil, fmt.Errorf("submission %s is in both %s and %s", id, prev, dir)
			}
			from[id] = dir
			if err := copyDir(filepath.Join(dir, SubDir, id), filepath.Join(out, SubDir, id)); err != nil {
				return nil, err
			}
		}
	}
	return WriteAll(out)
}

func sameMeta(a, b *Meta) bool {
	if a.Lab != b.Lab || a.Title != b.Title || a.Assignment != b.Assignment || a.Lang != b.Lang {
		return false
	}
	if (a.Deadline == nil) != (b.Deadline == nil) {
		return false
	}
	return a.Deadline == nil || (a.Deadline.Due.Equal(b.Deadline.Due) && a.Deadline.Grace == b.Deadline.Grace &&
		a.Deadline.PenaltyPerDay == b.Deadline.PenaltyPerDay && a.Deadline.MaxLateDays == b.Deadline.MaxLateDays)
}

func sameDir(a, b string) (bool, error) {
	sa, err := os.Stat(a)
	if err != nil {
		return false, err
	}
	sb, err := os.Stat(b)
	if err != nil {
		return false, err
	}
	return os.SameFile(sa, sb), nil
}

// copyDir copies the regular files of one submission's results (no links, no subfolders:
// the batch writes none).
func copyDir(from, to string) error {
	if err := os.MkdirAll(to, 0o755); err != nil {
		return err
	}
	des, err := os.ReadDir(from)
	if err != nil {
		return err
	}
	for _, de := range des {
		if !de.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(from, de.Name()))
		if err != nil {
			return err
		}
		if err := WriteFile(filepath.Join(to, de.Name()), b); err != nil {
			return err
		}
	}
	return nil
}
