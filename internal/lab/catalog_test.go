package lab

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testCatalog = `schemaVersion: 1
labs:
  - {lab: lab1, chapter: 1, title: {fr: "Un", en: "One"}}
  - {lab: lab2, chapter: 2, title: {fr: "Deux", en: "Two"}}
  - {lab: lab3, chapter: 3, title: {fr: "Trois", en: "Three"}}
`

func testFS(files map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
	}
	return fsys
}

func TestLoad(t *testing.T) {
	fsys := testFS(map[string]string{
		"catalog.yaml":                 testCatalog,
		"lab3.yaml":                    validSpec,
		"lab3/_starter/README.md":      "starter",
		"lab3/_starter/go.mod.tmpl":    "module x\n",
		"lab3/_solution/Dockerfile":    "FROM scratch\n",
		"notes.txt":                    "not a spec",
		"lab2/_starter/placeholder.md": "coming",
	})
	c, err := Load(fsys)
	require.NoError(t, err)
	require.Len(t, c.Labs, 3)
	assert.Equal(t, "lab1", c.Labs[0].Lab)
	assert.Equal(t, "Three", c.Labs[2].Title.EN)
	assert.Nil(t, c.Labs[0].Spec)
	require.NotNil(t, c.Labs[2].Spec)

	tests := []struct {
		name    string
		lab     string
		wantErr error
		want    string // in the error
	}{
		{"gradable", "lab3", nil, ""},
		{"number", "3", nil, ""},
		{"upper case with spaces", " LAB03 ", nil, ""},
		{"listed, no spec yet", "lab1", ErrNotReady, "lab1"},
		{"listed, no spec yet, by number", "2", ErrNotReady, "lab2"},
		{"not in the course", "lab15", ErrUnknownLab, `"lab15"`},
		{"in the course but not in this catalog", "lab9", ErrUnknownLab, "lab9"},
		{"empty", "", ErrUnknownLab, `""`},
		{"garbage", "../etc", ErrUnknownLab, "../etc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := c.Spec(tt.lab)
			if tt.wantErr == nil {
				require.NoError(t, err)
				assert.Equal(t, "lab3", s.Lab)
				assert.Same(t, c.Labs[2].Spec, s)
				return
			}
			require.ErrorIs(t, err, tt.wantErr)
			assert.Contains(t, err.Error(), tt.want)
			assert.Nil(t, s)
		})
	}

	starter, err := c.Starter("lab3")
	require.NoError(t, err)
	b, err := fs.ReadFile(starter, "README.md")
	require.NoError(t, err)
	assert.Equal(t, "starter", string(b))
	sol, err := c.Solution("lab3")
	require.NoError(t, err)
	b, err = fs.ReadFile(sol, "Dockerfile")
	require.NoError(t, err)
	assert.Equal(t, "FROM scratch\n", string(b))

	_, err = c.Solution("lab2")
	assert.ErrorIs(t, err, ErrNoSolution, "a catalog without the solution tree (the student build) says so")
}

func TestLoadErrors(t *testing.T) {
	other := strings.Replace(validSpec, "lab3", "lab2", -1)
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"no catalog", map[string]string{"lab3.yaml": validSpec}, "catalog.yaml"},
		{"catalog with wrong schemaVersion", map[string]string{
			"catalog.yaml": strings.Replace(testCatalog, "schemaVersion: 1", "schemaVersion: 2", 1),
		}, "catalog.yaml: schemaVersion 2, want 1"},
		{"catalog with an unknown key", map[string]string{
			"catalog.yaml": testCatalog + "  - {lab: lab4, chapter: 4, title: {fr: a, en: b}, points: 3}\n",
		}, "field points not found"},
		{"catalog entry with a spec key", map[string]string{
			"catalog.yaml": testCatalog + "  - {lab: lab4, chapter: 4, title: {fr: a, en: b}, spec: x}\n",
		}, "field spec not found"},
		{"spec file named after another lab", map[string]string{
			"catalog.yaml": testCatalog,
			"lab2.yaml":    validSpec,
		}, "lab2.yaml: holds lab3; name it lab3.yaml"},
		{"spec file with a leading zero", map[string]string{
			"catalog.yaml": testCatalog,
			"lab03.yaml":   validSpec,
		}, "lab03.yaml: holds lab3; name it lab3.yaml"},
		{"spec of a lab not in the catalog", map[string]string{
			"catalog.yaml": strings.Replace(testCatalog, "  - {lab: lab3, chapter: 3, title: {fr: \"Trois\", en: \"Three\"}}\n", "", 1),
			"lab3.yaml":    validSpec,
		}, "lab3.yaml: lab3 is not in catalog.yaml"},
		{"invalid spec", map[string]string{
			"catalog.yaml": testCatalog,
			"lab2.yaml":    other,
			"lab3.yaml":    strings.Replace(validSpec, "points: 40", "points: 10", 1),
		}, "lab3.yaml: required points add up to 70"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := Load(testFS(tt.files))
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Nil(t, c)
		})
	}
}

func TestLoadTwoSpecs(t *testing.T) {
	c, err := Load(testFS(map[string]string{
		"catalog.yaml": testCatalog,
		"lab2.yaml":    strings.Replace(validSpec, "lab3", "lab2", -1),
		"lab3.yaml":    validSpec,
	}))
	require.NoError(t, err)
	for _, lab := range []string{"lab2", "lab3"} {
		s, err := c.Spec(lab)
		require.NoError(t, err)
		assert.Equal(t, lab, s.Lab)
	}
	_, err = c.Spec("lab1")
	assert.ErrorIs(t, err, ErrNotReady)
}
