package lab

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ddlab/grade/internal/check"
)

// Entry is one lab of the course as `grade list` shows it.
type Entry struct {
	Lab     string     `yaml:"lab"`
	Chapter int        `yaml:"chapter"`
	Title   check.Text `yaml:"title"`
	Spec    *Spec      `yaml:"-"` // nil while the lab has no grader yet
}

// Catalog is the course: 14 labs, some of them gradable.
type Catalog struct {
	Labs []Entry
	fsys fs.FS
}

// Load reads catalog.yaml and every labN.yaml of fsys, strictly.
func Load(fsys fs.FS) (*Catalog, error) {
	data, err := fs.ReadFile(fsys, "catalog.yaml")
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc struct {
		SchemaVersion int     `yaml:"schemaVersion"`
		Labs          []Entry `yaml:"labs"`
	}
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("catalog.yaml: %w", err)
	}
	if doc.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("catalog.yaml: schemaVersion %d, want %d", doc.SchemaVersion, SchemaVersion)
	}
	c := &Catalog{Labs: doc.Labs, fsys: fsys}
	names, err := fs.Glob(fsys, "lab*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	for _, name := range names {
		b, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		spec, err := Parse(name, b)
		if err != nil {
			return nil, err
		}
		e := c.entry(spec.Lab)
		if e == nil {
			return nil, fmt.Errorf("%s: %s is not in catalog.yaml", name, spec.Lab)
		}
		if name != spec.Lab+".yaml" {
			return nil, fmt.Errorf("%s: holds %s; name it %s.yaml", name, spec.Lab, spec.Lab)
		}
		e.Spec = spec
		for dst, src := range spec.Shared {
			if fi, err := fs.Stat(fsys, src); err != nil || !fi.IsDir() || !fs.ValidPath(dst) || dst == "." {
				return nil, fmt.Errorf("%s: shared %s: %q is not a folder of the labs", name, dst, src)
			}
		}
	}
	return c, nil
}

func (c *Catalog) entry(lab string) *Entry {
	for i := range c.Labs {
		if c.Labs[i].Lab == lab {
			return &c.Labs[i]
		}
	}
	return nil
}

// ErrUnknownLab is returned for a lab name that is not in the course.
var ErrUnknownLab = errors.New("unknown lab")

// ErrNotReady is returned for a lab of the course that has no grader yet.
var ErrNotReady = errors.New("lab not gradable yet")

// Spec returns the spec of lab ("lab5", "5" or "LAB5").
func (c *Catalog) Spec(lab string) (*Spec, error) {
	e := c.entry(Normalize(lab))
	if e == nil {
		return nil, fmt.Errorf("%w: %q (lab1 … lab14)", ErrUnknownLab, lab)
	}
	if e.Spec == nil {
		return nil, fmt.Errorf("%w: %s", ErrNotReady, e.Lab)
	}
	return e.Spec, nil
}

// Normalize turns "5", "Lab5" or "lab05" into "lab5".
func Normalize(lab string) string {
	l := strings.TrimPrefix(strings.ToLower(strings.TrimSpace(lab)), "lab")
	l = strings.TrimLeft(l, "0")
	return "lab" + l
}

// Starter returns the starter files of lab, rooted at the folder's top, with the folders its
// spec shares from other labs laid in.
func (c *Catalog) Starter(lab string) (fs.FS, error) {
	own, err := fs.Sub(c.fsys, path.Join(lab, "_starter"))
	if err != nil {
		return nil, err
	}
	e := c.entry(lab)
	if e == nil || e.Spec == nil || len(e.Spec.Shared) == 0 {
		return own, nil
	}
	return overlay(own, c.fsys, e.Spec.Shared)
}

// ErrNoSolution is returned by Solution when the catalog does not hold the reference solution:
// the student build ships none.
var ErrNoSolution = errors.New("no reference solution in this build")

// Solution returns the reference solution's files, to lay over the starter.
func (c *Catalog) Solution(lab string) (fs.FS, error) {
	dir := path.Join(lab, "_solution")
	if fi, err := fs.Stat(c.fsys, dir); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s: %w", lab, ErrNoSolution)
	}
	return fs.Sub(c.fsys, dir)
}
