package graders_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/graders"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/labs"
)

// TestEveryLabHasEveryPiece fails when a registered lab lacks a piece of docs/add-a-lab.md:
// its spec, French instructions, starter, solution, a fixture where each check fails, the
// reference solution's fixture, and the fuzz targets of its parsers of student input.
func TestEveryLabHasEveryPiece(t *testing.T) {
	// The source tree: the student build embeds no solution.
	src := labs.Source()
	require.NotNil(t, src)
	r := repo{labs: src, root: ".."}
	for _, g := range graders.All() {
		t.Run(g.Lab(), func(t *testing.T) {
			assert.Empty(t, r.missingPieces(g))
		})
	}
}

// lab9 is a throw-away lab: what the next lab's grader package would hold.
type lab9 struct{}

func (lab9) Lab() string { return "lab9" }

func (lab9) Meta() grader.Meta {
	return grader.Meta{Kind: grader.Swarm, Params: []grader.Param{grader.PortParam("port")}, Fuzz: []string{"FuzzParseStack"}}
}

func (lab9) Checks(*grader.Run) []check.Check {
	pass := func(context.Context) (check.Outcome, error) { return check.Passf("ok", "ok"), nil }
	return []check.Check{{ID: "lab9.files", Mode: check.Static, Run: pass}, {ID: "lab9.deploy", Mode: check.Engine, Run: pass}}
}

// throwAway lays out every piece of lab9 in a fresh repository and returns its root. These
// are all the files a new lab adds; with its one line in graders.All() they are all it
// touches (catalog.yaml already lists the course's 14 labs; labs.FS's patterns and `make fuzz`
// find the new files by themselves).
func throwAway(t *testing.T) string {
	root := t.TempDir()
	files := map[string]string{
		"labs/lab9.yaml": `schemaVersion: 1
lab: lab9
chapter: 9
title: {fr: "Swarm", en: "Swarm"}
timeout: 5m
params:
  port: "8089"
checks:
  - {id: lab9.files, kind: gate, points: 0, title: {fr: "Fichiers", en: "Files"}, hint: {fr: "h", en: "h"}}
  - {id: lab9.deploy, kind: required, points: 100, title: {fr: "Déployé", en: "Deployed"}, hint: {fr: "h", en: "h"}}
`,
		"labs/lab9/_starter/README.md":                 "# Lab 9 : orchestrer avec Docker Swarm\n",
		"labs/lab9/_starter/stack.yaml":                "# TODO\n",
		"labs/lab9/_solution/stack.yaml":               "services: {}\n",
		"graders/lab09/grader.go":                      "package lab09\n",
		"graders/lab09/fuzz_test.go":                   "package lab09\n\nfunc FuzzParseStack(f *testing.F) {}\n",
		"graders/lab09/integration_test.go":            "package lab09_test\n",
		"graders/lab09/testdata/solution/case.json":    `{"solution": true, "exit": 0}`,
		"graders/lab09/testdata/solution/want.json":    `{"status": {"lab9.files": "pass", "lab9.deploy": "pass"}}`,
		"graders/lab09/testdata/starter/case.json":     `{"exit": 1}`,
		"graders/lab09/testdata/starter/want.json":     `{"status": {"lab9.files": "fail", "lab9.deploy": "skip"}}`,
		"graders/lab09/testdata/fail-deploy/case.json": `{"solution": true, "exit": 1}`,
		"graders/lab09/testdata/fail-deploy/want.json": `{"status": {"lab9.files": "pass", "lab9.deploy": "fail"}}`,
	}
	for name, data := range files {
		p := filepath.Join(root, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(data), 0o644))
	}
	return root
}

// The throw-away lab is complete; taking away any one of its pieces is reported, naming it.
func TestMissingPieces(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, root string)
		want   string // "" when complete
	}{
		{"complete", func(*testing.T, string) {}, ""},
		{"no spec", remove("labs/lab9.yaml"), "labs/lab9.yaml: the spec is missing"},
		{"spec without a check", edit("labs/lab9.yaml", "  - {id: lab9.deploy", "  - {id: lab9.deplo"), "check lab9.deploy has no entry in the spec"},
		{"spec with a bad param", edit("labs/lab9.yaml", `port: "8089"`, `port: "x"`), "params.port : « x » n'est pas un nombre entier"},
		{"no French instructions", remove("labs/lab9/_starter/README.md"), "labs/lab9/_starter/README.md: the French instructions are missing"},
		{"no solution", remove("labs/lab9/_solution"), "labs/lab9/_solution: no files"},
		{"no fixture fails a check", remove("graders/lab09/testdata/fail-deploy"), "graders/lab09/testdata: no fixture fails lab9.deploy"},
		{"no solution fixture", remove("graders/lab09/testdata/solution"), "graders/lab09/testdata/solution: the reference solution's fixture is missing"},
		{"solution fixture that fails", edit("graders/lab09/testdata/solution/want.json", `"lab9.deploy": "pass"`, `"lab9.deploy": "fail"`),
			"the reference solution must pass every check"},
		{"fixture silent on a check", edit("graders/lab09/testdata/starter/want.json", `, "lab9.deploy": "skip"`, ""), "want.json names [lab9.files]"},
		{"fixture without case.json", remove("graders/lab09/testdata/starter/case.json"), "testdata/starter: case.json is missing"},
		{"no integration test", remove("graders/lab09/integration_test.go"), "nothing grades the fixtures"},
		{"declared fuzz target missing", remove("graders/lab09/fuzz_test.go"), "Meta.Fuzz names FuzzParseStack, which does not exist"},
		{"fuzz target not declared", edit("graders/lab09/fuzz_test.go", "func FuzzParseStack(", "func FuzzParseStack(f *testing.F) {}\n\nfunc FuzzOther("),
			"FuzzOther is not listed in Meta.Fuzz"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := throwAway(t)
			tt.change(t, root)
			got := repo{labs: os.DirFS(filepath.Join(root, "labs")), root: root}.missingPieces(lab9{})
			if tt.want == "" {
				assert.Empty(t, got)
				return
			}
			require.NotEmpty(t, got)
			assert.Contains(t, strings.Join(got, "\n"), tt.want)
		})
	}
}

func remove(name string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		require.NoError(t, os.RemoveAll(filepath.Join(root, filepath.FromSlash(name))))
	}
}

func edit(name, old, new string) func(*testing.T, string) {
	return func(t *testing.T, root string) {
		p := filepath.Join(root, filepath.FromSlash(name))
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.Equal(t, 1, strings.Count(string(b), old), "the edit must match once")
		require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(b), old, new, 1)), 0o644))
	}
}
