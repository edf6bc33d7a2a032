package lab

import (
	"io/fs"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestStarterLaysSharedFoldersIn(t *testing.T) {
	files := map[string]string{
		"catalog.yaml":                        testCatalog,
		"lab1/_starter/kit/kit.go":            "package kit",
		"lab3/_starter/api/main.go":           "package main",
		"lab3.yaml":                           validSpec + "shared:\n  api/internal/kit: lab1/_starter/kit\n",
		"lab3/_starter/api/internal/kit/x.go": "own",
	}
	cat, err := Load(testFS(files))
	require.NoError(t, err)
	st, err := cat.Starter("lab3")
	require.NoError(t, err)
	for name, want := range map[string]string{"api/internal/kit/kit.go": "package kit", "api/main.go": "package main", "api/internal/kit/x.go": "own"} {
		b, err := fs.ReadFile(st, name)
		require.NoError(t, err, name)
		require.Equal(t, want, string(b))
	}

	for _, bad := range []string{"api/kit: lab1/nothing", "../up: lab1/_starter/kit", "api/kit: lab1/_starter/kit/kit.go"} {
		files["lab3.yaml"] = validSpec + "shared:\n  " + bad + "\n"
		_, err = Load(testFS(files))
		require.ErrorContains(t, err, "is not a folder of the labs", bad)
	}
}
