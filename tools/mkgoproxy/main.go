// Command mkgoproxy writes the file-based Go module proxy that the lab
// starters carry in third_party/goproxy/ (used as
// GOPROXY=file:///src/third_party/goproxy), from the module sources kept in
// src/.
//
// Usage, from this directory:
//
//	go run . -out ../../labs/lab5/_starter/third_party/goproxy
//
// For every module version in the table below it writes, under
// <out>/<escaped module path>/@v/:
//
//	list            the known versions, one per line
//	<v>.info        {"Version":"<v>","Time":"<fixed time>"}
//	<v>.mod         the module's go.mod
//	<v>.zip         the module zip, made with golang.org/x/mod/zip
//
// and prints the matching go.sum lines (also written to -gosum when given).
// The output depends only on the sources and the table: the times in .info
// are fixed and zip entries carry no timestamps, so re-running it is a no-op.
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
	"golang.org/x/mod/semver"
	"golang.org/x/mod/sumdb/dirhash"
	modzip "golang.org/x/mod/zip"
)

// release is one module version served by the proxy.
type release struct {
	Dir     string    // source directory, relative to -src; its go.mod names the module
	Version string    // canonical semantic version, e.g. v1.2.0
	Time    time.Time // published time written to the .info file
}

// releases is the content of the proxy. Add a row (and its source under
// src/) to serve another module or version.
var releases = []release{
	{Dir: "greet", Version: "v1.2.0", Time: time.Date(2024, time.January, 15, 10, 0, 0, 0, time.UTC)},
}

func main() {
	out := flag.String("out", "", "proxy directory to write, e.g. ../../labs/lab5/_starter/third_party/goproxy (required)")
	src := flag.String("src", "src", "directory holding the module sources")
	gosum := flag.String("gosum", "", "also write the go.sum lines to this file")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: mkgoproxy -out DIR [-src DIR] [-gosum FILE]")
		os.Exit(2)
	}
	sum, err := run(*src, *out, releases)
	if err != nil {
		fmt.Fprintln(os.Stderr, "mkgoproxy:", err)
		os.Exit(1)
	}
	fmt.Print(sum)
	if *gosum != "" {
		if err := writeFile(*gosum, []byte(sum)); err != nil {
			fmt.Fprintln(os.Stderr, "mkgoproxy:", err)
			os.Exit(1)
		}
	}
}

// run writes the proxy for rels into out and returns the go.sum lines.
func run(src, out string, rels []release) (string, error) {
	versions := map[string][]string{} // module path -> versions
	var sumLines []string
	for _, r := range rels {
		if semver.Canonical(r.Version) != r.Version {
			return "", fmt.Errorf("%s: version %q is not canonical", r.Dir, r.Version)
		}
		dir := filepath.Join(src, r.Dir)
		modData, err := os.ReadFile(filepath.Join(dir, "go.mod"))
		if err != nil {
			return "", err
		}
		modPath := modfile.ModulePath(modData)
		if modPath == "" {
			return "", fmt.Errorf("%s: go.mod has no module line", dir)
		}
		mv := module.Version{Path: modPath, Version: r.Version}
		if err := module.Check(mv.Path, mv.Version); err != nil {
			return "", err
		}
		escPath, err := module.EscapePath(mv.Path)
		if err != nil {
			return "", err
		}
		escVers, err := module.EscapeVersion(mv.Version)
		if err != nil {
			return "", err
		}
		vdir := filepath.Join(out, filepath.FromSlash(escPath), "@v")
		if err := os.MkdirAll(vdir, 0o755); err != nil {
			return "", err
		}

		var zbuf bytes.Buffer
		if err := modzip.CreateFromDir(&zbuf, mv, dir); err != nil {
			return "", err
		}
		zipFile := filepath.Join(vdir, escVers+".zip")
		if err := writeFile(zipFile, zbuf.Bytes()); err != nil {
			return "", err
		}
		if _, err := modzip.CheckZip(mv, zipFile); err != nil {
			return "", err
		}
		if err := writeFile(filepath.Join(vdir, escVers+".mod"), modData); err != nil {
			return "", err
		}
		info, err := json.Marshal(struct {
			Version string
			Time    string
		}{mv.Version, r.Time.UTC().Format(time.RFC3339)})
		if err != nil {
			return "", err
		}
		if err := writeFile(filepath.Join(vdir, escVers+".info"), append(info, '\n')); err != nil {
			return "", err
		}

		zipHash, err := dirhash.HashZip(zipFile, dirhash.Hash1)
		if err != nil {
			return "", err
		}
		modHash, err := dirhash.Hash1([]string{"go.mod"}, func(string) (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(modData)), nil
		})
		if err != nil {
			return "", err
		}
		sumLines = append(sumLines,
			fmt.Sprintf("%s %s %s", mv.Path, mv.Version, zipHash),
			fmt.Sprintf("%s %s/go.mod %s", mv.Path, mv.Version, modHash))
		versions[mv.Path] = append(versions[mv.Path], mv.Version)
	}

	for path, vs := range versions {
		semver.Sort(vs)
		for i := 1; i < len(vs); i++ {
			if vs[i] == vs[i-1] {
				return "", fmt.Errorf("%s@%s is listed twice", path, vs[i])
			}
		}
		escPath, _ := module.EscapePath(path)
		list := strings.Join(vs, "\n") + "\n"
		if err := writeFile(filepath.Join(out, filepath.FromSlash(escPath), "@v", "list"), []byte(list)); err != nil {
			return "", err
		}
	}
	sort.Strings(sumLines)
	return strings.Join(sumLines, "\n") + "\n", nil
}

// writeFile replaces name with data, leaving it untouched (mtime included)
// when the content is already the same.
func writeFile(name string, data []byte) error {
	old, err := os.ReadFile(name)
	if err == nil && bytes.Equal(old, data) {
		return nil
	}
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	tmp := name + ".tmp"
	if err := os.WriteFile(tmp, data, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, name)
}
