package graders_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"

	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
)

// repo is where a lab's pieces live: the lab files (the labs folder: labN.yaml and labN/) and
// the module's root folder (graders/labNN/ and the shared packages' fuzz targets).
type repo struct {
	labs fs.FS
	root string
}

// packageDir is a lab's grader package, "graders/lab05" for lab5.
func packageDir(labName string) string {
	n := strings.TrimPrefix(labName, "lab")
	if len(n) == 1 {
		n = "0" + n
	}
	return path.Join("graders", "lab"+n)
}

// missingPieces lists what lab g lacks among the pieces docs/add-a-lab.md asks for, each as
// a sentence naming the file or folder; none when the lab is complete.
func (r repo) missingPieces(g grader.Grader) []string {
	labName := g.Lab()
	var miss []string
	say := func(format string, args ...any) { miss = append(miss, fmt.Sprintf(format, args...)) }

	// The spec, strict and matching the grader's checks and params.
	data, err := fs.ReadFile(r.labs, labName+".yaml")
	if err != nil {
		say("labs/%s.yaml: the spec is missing", labName)
		return miss
	}
	spec, err := lab.Parse(labName+".yaml", data)
	if err != nil {
		say("labs/%s.yaml: %v", labName, err)
		return miss
	}
	if err := grader.CrossCheck(spec, g); err != nil {
		say("labs/%s.yaml: %v", labName, err)
	}

	// French instructions, starter and solution.
	if b, err := fs.ReadFile(r.labs, path.Join(labName, "_starter", "README.md")); err != nil || len(strings.TrimSpace(string(b))) == 0 {
		say("labs/%s/_starter/README.md: the French instructions are missing", labName)
	}
	for _, part := range []string{"_starter", "_solution"} {
		if n := countFiles(r.labs, path.Join(labName, part)); n == 0 {
			say("labs/%s/%s: no files", labName, part)
		}
	}

	// Fixtures: the reference solution passes everything, and every check has a fixture
	// where it fails; each fixture states the verdict of every check.
	pkg := filepath.Join(r.root, filepath.FromSlash(packageDir(labName)))
	ids := grader.CheckIDs(g)
	cases, _ := filepath.Glob(filepath.Join(pkg, "testdata", "*", "want.json"))
	failing := map[string]bool{}
	solution := false
	for _, w := range cases {
		dir := filepath.Dir(w)
		name := filepath.Base(dir)
		var want struct {
			Status map[string]string `json:"status"`
		}
		b, _ := os.ReadFile(w)
		if err := json.Unmarshal(b, &want); err != nil {
			say("%s: %v", rel(r.root, w), err)
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, "case.json")); err != nil {
			say("%s: case.json is missing", rel(r.root, dir))
		}
		if got := slices.Sorted(maps.Keys(want.Status)); !slices.Equal(got, slices.Sorted(slices.Values(ids))) {
			say("%s: want.json names %v, the lab's checks are %v", rel(r.root, w), got, ids)
		}
		allPass := len(want.Status) > 0
		for id, st := range want.Status {
			if st == "fail" {
				failing[id] = true
			}
			allPass = allPass && st == "pass"
		}
		if name == "solution" {
			solution = true
			if !allPass {
				say("%s: the reference solution must pass every check", rel(r.root, w))
			}
		}
		if b, err := os.ReadFile(filepath.Join(dir, "spec.yaml")); err == nil {
			if s, err := lab.Parse("spec.yaml", b); err != nil {
				say("%s/spec.yaml: %v", rel(r.root, dir), err)
			} else if err := grader.CrossCheck(s, g); err != nil {
				say("%s/spec.yaml: %v", rel(r.root, dir), err)
			}
		}
	}
	if !solution {
		say("%s/testdata/solution: the reference solution's fixture is missing", packageDir(labName))
	}
	for _, id := range ids {
		if !failing[id] {
			say("%s/testdata: no fixture fails %s", packageDir(labName), id)
		}
	}
	if _, err := os.Stat(filepath.Join(pkg, "integration_test.go")); err != nil {
		say("%s/integration_test.go: nothing grades the fixtures", packageDir(labName))
	}

	// Fuzz targets: every lab reads student input, so it names at least one; each named target
	// exists, and each target of the grader's package is named.
	m := g.Meta()
	if len(m.Fuzz) == 0 {
		say("%s: Meta.Fuzz names no fuzz target of a parser of student input", packageDir(labName))
	}
	own := fuzzTargets(pkg)
	for _, f := range m.Fuzz {
		dir, name := pkg, f
		if i := strings.LastIndex(f, "."); i >= 0 {
			dir, name = filepath.Join(r.root, filepath.FromSlash(f[:i])), f[i+1:]
		}
		if !fuzzTargets(dir)[name] {
			say("%s: Meta.Fuzz names %s, which does not exist", packageDir(labName), f)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(own)) {
		if !slices.Contains(m.Fuzz, name) {
			say("%s: %s is not listed in Meta.Fuzz", packageDir(labName), name)
		}
	}
	return miss
}

var fuzzFunc = regexp.MustCompile(`(?m)^func (Fuzz\w*)\(`)

// fuzzTargets lists the fuzz targets of the test files of a package folder.
func fuzzTargets(dir string) map[string]bool {
	out := map[string]bool{}
	files, _ := filepath.Glob(filepath.Join(dir, "*_test.go"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, m := range fuzzFunc.FindAllStringSubmatch(string(b), -1) {
			out[m[1]] = true
		}
	}
	return out
}

func countFiles(fsys fs.FS, dir string) int {
	n := 0
	err := fs.WalkDir(fsys, dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if errors.Is(err, fs.ErrNotExist) {
		return 0
	}
	return n
}

func rel(root, p string) string {
	if r, err := filepath.Rel(root, p); err == nil {
		return filepath.ToSlash(r)
	}
	return p
}
