package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/mod/sumdb/dirhash"
)

// committed is the proxy checked in with the lab 5 starter.
const committed = "../../labs/lab5/_starter/third_party/goproxy"

// TestDeterministic writes the proxy twice and expects identical bytes.
func TestDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	sumA, err := run("src", a, releases)
	if err != nil {
		t.Fatal(err)
	}
	sumB, err := run("src", b, releases)
	if err != nil {
		t.Fatal(err)
	}
	if sumA != sumB {
		t.Fatalf("go.sum lines differ:\n%s\n%s", sumA, sumB)
	}
	for _, name := range files(t, a) {
		da, _ := os.ReadFile(filepath.Join(a, name))
		db, err := os.ReadFile(filepath.Join(b, name))
		if err != nil || !bytes.Equal(da, db) {
			t.Errorf("%s differs between two runs (err=%v)", name, err)
		}
	}
}

// TestCommittedUpToDate fails when src/ or the table changed without
// re-running the generator. Zips are compared by their go.sum hash, which
// does not depend on the compressor's exact output.
func TestCommittedUpToDate(t *testing.T) {
	fresh := t.TempDir()
	sum, err := run("src", fresh, releases)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := os.ReadFile("../../labs/lab5/_starter/go.sum"); err != nil || string(got) != sum {
		t.Errorf("lab5 starter go.sum is stale (err=%v):\ngot:\n%s\nwant:\n%s", err, got, sum)
	}
	want := files(t, fresh)
	got := files(t, committed)
	if len(got) != len(want) {
		t.Fatalf("committed proxy has %v, want %v; run: go run . -out %s", got, want, committed)
	}
	for _, name := range want {
		if filepath.Ext(name) == ".zip" {
			h1, err1 := dirhash.HashZip(filepath.Join(fresh, name), dirhash.Hash1)
			h2, err2 := dirhash.HashZip(filepath.Join(committed, name), dirhash.Hash1)
			if err1 != nil || err2 != nil || h1 != h2 {
				t.Errorf("%s: hash %s, want %s (%v %v); run: go run . -out %s", name, h2, h1, err1, err2, committed)
			}
			continue
		}
		w, _ := os.ReadFile(filepath.Join(fresh, name))
		g, err := os.ReadFile(filepath.Join(committed, name))
		if err != nil || !bytes.Equal(w, g) {
			t.Errorf("%s is stale (err=%v); run: go run . -out %s", name, err, committed)
		}
	}
}

func files(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, p)
		out = append(out, filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}
