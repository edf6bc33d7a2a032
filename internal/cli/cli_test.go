package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/graders"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/images"
	"github.com/ddlab/grade/internal/iostreams"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/labs"
)

// engineFunc is what a test's factory answers for f.Engine.
type engineFunc func() (engine.Engine, error)

// noEngine is a factory engine that fails the test when called: commands that need no
// engine must not ask for one.
func noEngine(t *testing.T) engineFunc {
	return func() (engine.Engine, error) {
		t.Error("the command asked for an engine")
		return nil, engine.ErrUnavailable
	}
}

func unavailable() (engine.Engine, error) { return nil, engine.ErrUnavailable }

// comingLab is a lab of the course that has no grader yet, found rather than named so that
// adding a lab touches no test here; "" once every lab is graded (skipComing then skips the case).
func comingLab(t *testing.T) string {
	t.Helper()
	cat, err := lab.Load(labs.FS)
	require.NoError(t, err)
	reg, err := grader.NewRegistry(graders.All()...)
	require.NoError(t, err)
	for _, e := range cat.Labs {
		if _, ok := reg.Get(e.Lab); !ok {
			return e.Lab
		}
	}
	return ""
}

// skipComing skips a case about a lab not gradable yet when the course has none left.
func skipComing(t *testing.T, args []string) {
	if slices.Contains(args, "") {
		t.Skip("every lab of the course has a grader")
	}
}

// newFactory wires the real catalog and graders with test streams, a fixed clock and a
// fixed environment (no LANG: French).
func newFactory(t *testing.T, eng engineFunc) (*cliutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, _, stdout, stderr := iostreams.Test()
	now := time.Date(2024, 3, 5, 10, 14, 0, 0, time.UTC)
	return &cliutil.Factory{
		IO:       ios,
		Catalog:  func() (*lab.Catalog, error) { return lab.Load(labs.FS) },
		Graders:  func() (*grader.Registry, error) { return grader.NewRegistry(graders.All()...) },
		Engine:   eng,
		Now:      func() time.Time { return now },
		Version:  "1.0.0-test",
		Getenv:   func(string) string { return "" },
		Hostname: func() (string, error) { return "ci-runner", nil },
	}, stdout, stderr
}

// solution writes lab 5's reference solution into a new folder, as `grade init --solution`
// does: the solution first, then the starter around it.
func solution(t *testing.T) string {
	t.Helper()
	cat, err := lab.Load(labs.Source())
	require.NoError(t, err)
	dir := filepath.Join(t.TempDir(), "lab5")
	require.NoError(t, os.MkdirAll(dir, 0o755))
	sol, err := cat.Solution("lab5")
	require.NoError(t, err)
	_, _, err = lab.WriteFiles(sol, dir)
	require.NoError(t, err)
	starter, err := cat.Starter("lab5")
	require.NoError(t, err)
	_, _, err = lab.WriteFiles(starter, dir)
	require.NoError(t, err)
	return dir
}

// jsonReport is the part of the JSON report the tests read.
type jsonReport struct {
	Lab     string `json:"lab"`
	Passed  bool   `json:"passed"`
	Results []struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"tests"`
}

// statuses reads the status of each check from a JSON report.
func statuses(t *testing.T, b []byte) map[string]string {
	t.Helper()
	var r jsonReport
	require.NoError(t, json.Unmarshal(b, &r), string(b))
	out := map[string]string{}
	for _, res := range r.Results {
		out[res.ID] = res.Status
	}
	return out
}

// assertNoStack fails if out looks like a Go panic or stack trace.
func assertNoStack(t *testing.T, out string) {
	t.Helper()
	for _, s := range []string{"goroutine ", "panic:", "[running]", "runtime/debug", "runtime.gopanic"} {
		assert.NotContains(t, out, s)
	}
}

var staticChecks = []string{"lab5.files", "lab5.offline-syntax", "lab5.lint", "lab5.cache-mount"}

func Test_runGrade(t *testing.T) {
	coming := comingLab(t)
	withInfo := func() (engine.Engine, error) {
		return &enginefake.Fake{
			InfoFn: func(context.Context) (engine.Info, error) {
				return engine.Info{Version: "20.10.24+dfsg1", APIVersion: "1.41", OS: "linux", Arch: "amd64", BuildKit: true}, nil
			},
			ListFn: func(context.Context, string) ([]engine.Ref, error) { return nil, nil },
		}, nil
	}
	tests := []struct {
		name       string
		args       func(dir string) []string
		setup      func(t *testing.T, dir string)
		engine     func(t *testing.T) engineFunc
		wantExit   int
		wantOut    []string
		wantNotOut []string
		wantErrOut []string
		check      func(t *testing.T, dir, stdout string)
	}{
		{
			name:     "no engine",
			args:     func(dir string) []string { return []string{"lab5", dir} },
			engine:   func(*testing.T) engineFunc { return unavailable },
			wantExit: cliutil.ExitEngine,
			check: func(t *testing.T, _ string, stdout string) {
				sentence := check.Typeset("Le moteur Docker est injoignable : démarrez Docker (ou vérifiez DOCKER_HOST), puis relancez.")
				assert.Equal(t, 1, strings.Count(stdout, sentence), stdout)
				assertNoStack(t, stdout)
			},
		},
		{
			name:     "no engine, in English",
			args:     func(dir string) []string { return []string{"lab5", dir, "--lang", "en"} },
			engine:   func(*testing.T) engineFunc { return unavailable },
			wantExit: cliutil.ExitEngine,
			wantOut:  []string{"The Docker engine is unreachable: start Docker (or check DOCKER_HOST), then run again."},
		},
		{
			name: "engine whose Info fails",
			args: func(dir string) []string { return []string{"lab5", dir, "--lang", "en"} },
			engine: func(*testing.T) engineFunc {
				return func() (engine.Engine, error) {
					return &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) {
						return engine.Info{}, errors.New("permission denied while trying to connect to the Docker daemon socket")
					}}, nil
				}
			},
			wantExit: cliutil.ExitEngine,
			wantOut:  []string{"The Docker engine is unreachable", "permission denied"},
		},
		{
			name:       "missing Dockerfile",
			args:       func(dir string) []string { return []string{"lab5", dir} },
			setup:      func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, "Dockerfile"))) },
			engine:     func(*testing.T) engineFunc { return withInfo },
			wantExit:   cliutil.ExitFailed,
			wantOut:    []string{"Il n'y a pas de fichier Dockerfile dans le dossier du lab (le nom est sensible à la casse)."},
			wantNotOut: []string{"There is no Dockerfile"},
		},
		{
			name:     "missing Dockerfile, static",
			args:     func(dir string) []string { return []string{"lab5", dir, "--static"} },
			setup:    func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, "Dockerfile"))) },
			engine:   noEngine,
			wantExit: cliutil.ExitFailed,
			wantOut:  []string{"Il n'y a pas de fichier Dockerfile"},
		},
		{
			name: "json and junit files",
			args: func(dir string) []string {
				return []string{"lab5", dir, "--static", "--json", filepath.Join(dir, "out.json"), "--junit", filepath.Join(dir, "reports", "out.xml")}
			},
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, "Dockerfile")))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "out.json"), []byte("an older report, to be replaced"), 0o644))
			},
			engine:   noEngine,
			wantExit: cliutil.ExitFailed,
			wantOut:  []string{"grade lab5", "lab5.files", "Il n'y a pas de fichier Dockerfile"},
			check: func(t *testing.T, dir, stdout string) {
				b, err := os.ReadFile(filepath.Join(dir, "out.json"))
				require.NoError(t, err)
				var r jsonReport
				require.NoError(t, json.Unmarshal(b, &r), "a complete JSON document")
				assert.Equal(t, "lab5", r.Lab)
				assert.False(t, r.Passed)
				st := statuses(t, b)
				assert.Len(t, st, 15)
				assert.Equal(t, "fail", st["lab5.files"])

				x, err := os.ReadFile(filepath.Join(dir, "reports", "out.xml"))
				require.NoError(t, err)
				var doc struct {
					XMLName xml.Name
				}
				require.NoError(t, xml.Unmarshal(x, &doc), "a complete XML document")
				assert.Contains(t, []string{"testsuites", "testsuite"}, doc.XMLName.Local)
				assert.Contains(t, string(x), "lab5.files")
				assert.Contains(t, string(x), `hostname="ci-runner"`)

				assert.NotContains(t, stdout, `"tests"`, "stdout gets the text report only")
				assert.NotContains(t, stdout, "<?xml", "stdout gets the text report only")
				require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
					require.NoError(t, err)
					assert.False(t, strings.HasSuffix(d.Name(), ".tmp"), "leftover %s", p)
					return nil
				}))
			},
		},
		{
			name:       "two reports on stdout",
			args:       func(dir string) []string { return []string{"lab5", dir, "--json", "-", "--junit", "-"} },
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"grade\u00a0: un seul rapport peut aller sur la sortie standard (-)\nVoir\u00a0: grade lab5 --help\n"},
		},
		{
			name:       "junit on stdout",
			args:       func(dir string) []string { return []string{"lab5", dir, "--static", "--junit", "-"} },
			setup:      func(t *testing.T, dir string) { require.NoError(t, os.Remove(filepath.Join(dir, "Dockerfile"))) },
			engine:     noEngine,
			wantExit:   cliutil.ExitFailed,
			wantOut:    []string{"<?xml", "<testsuite", `hostname="ci-runner"`},
			wantNotOut: []string{"Score"},
		},
		{
			name:       "bad format",
			args:       func(dir string) []string { return []string{"lab5", dir, "--format", "xml"} },
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"--format\u00a0: «\u00a0xml\u00a0» n'est pas un format de grade (text, json, junit, github, classroom"},
		},
		{
			name:       "bad format, in English",
			args:       func(dir string) []string { return []string{"lab5", dir, "--format", "xml", "--lang", "en"} },
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"grade: --format: \"xml\" is not one of text, json, junit, github, classroom", "\nSee: grade lab5 --help\n"},
		},
		{
			name:       "bad lang",
			args:       func(dir string) []string { return []string{"lab5", dir, "--lang", "de"} },
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"grade\u00a0: valeur «\u00a0de\u00a0» invalide pour --lang\u00a0: il faut fr ou en\nVoir\u00a0: grade lab5 --help\n"},
		},
		{
			name:       "too many arguments",
			args:       func(dir string) []string { return []string{"lab5", dir, dir} },
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"grade\u00a0: grade lab5 attend au plus 1 argument (2 donnés)\nVoir\u00a0: grade lab5 --help\n"},
		},
		{
			name:       "not a folder",
			args:       func(dir string) []string { return []string{"lab5", filepath.Join(dir, "Dockerfile"), "--static"} },
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"n'est pas un dossier\u00a0: donnez le dossier du lab (`grade lab5 DOSSIER`)"},
		},
		{
			name: "not a folder, in English",
			args: func(dir string) []string {
				return []string{"lab5", filepath.Join(dir, "Dockerfile"), "--static", "--lang=en"}
			},
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"is not a folder: give the lab folder (`grade lab5 DIR`)"},
		},
		{
			name: "an unwritable report path: usage, not the engine",
			args: func(dir string) []string {
				return []string{"lab5", dir, "--static", "--json", filepath.Join(dir, "Dockerfile", "r.json")}
			},
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"impossible d'écrire le rapport"},
		},
		{
			name:       "a folder that does not exist: grade init or cd",
			args:       func(dir string) []string { return []string{"lab5", filepath.Join(dir, "nowhere"), "--static"} },
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"n'existe pas\u00a0: créez le dossier du lab avec `grade init lab5 ", "(`cd lab5`)"},
		},
		{
			name:       "unknown lab",
			args:       func(string) []string { return []string{"lab42"} },
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"commande inconnue «\u00a0lab42\u00a0»\u00a0: vouliez-vous dire ", "lab4", "Voir\u00a0: grade --help"},
		},
		{
			name:       "lab not gradable yet",
			args:       func(dir string) []string { return []string{coming, dir} },
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{coming},
		},
		{
			name: "spec for another lab",
			args: func(dir string) []string {
				return []string{"lab5", dir, "--static", "--spec", filepath.Join(dir, "spec.yaml")}
			},
			setup: func(t *testing.T, dir string) {
				b, err := labs.FS.ReadFile("lab5.yaml")
				require.NoError(t, err)
				b = bytes.Replace(b, []byte("lab: lab5"), []byte("lab: lab6"), 1)
				b = bytes.ReplaceAll(b, []byte("id: lab5."), []byte("id: lab6."))
				require.NoError(t, os.WriteFile(filepath.Join(dir, "spec.yaml"), b, 0o644))
			},
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"grade\u00a0: spécification de lab invalide\u00a0: ", "spec.yaml décrit lab6, pas lab5"},
		},
		{
			name: "spec with a bad context limit",
			args: func(dir string) []string {
				return []string{"lab5", dir, "--static", "--spec", filepath.Join(dir, "spec.yaml")}
			},
			setup: func(t *testing.T, dir string) {
				b, err := labs.FS.ReadFile("lab5.yaml")
				require.NoError(t, err)
				b = bytes.Replace(b, []byte(`context-max: "50MB"`), []byte(`context-max: "lots"`), 1)
				require.NoError(t, os.WriteFile(filepath.Join(dir, "spec.yaml"), b, 0o644))
			},
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"params.context-max"},
		},
		{
			name: "spec that changes a hint",
			args: func(dir string) []string {
				return []string{"lab5", dir, "--static", "--spec", filepath.Join(dir, "..", "spec.yaml")}
			},
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.Remove(filepath.Join(dir, "Dockerfile")))
				b, err := labs.FS.ReadFile("lab5.yaml")
				require.NoError(t, err)
				b = bytes.Replace(b, []byte("Placez un Dockerfile texte à la racine du dossier du lab"), []byte("Indice de l'enseignant : relisez la consigne"), 1)
				require.NoError(t, os.WriteFile(filepath.Join(dir, "..", "spec.yaml"), b, 0o644))
			},
			engine:     noEngine,
			wantExit:   cliutil.ExitFailed,
			wantOut:    []string{"Indice de l'enseignant\u00a0: relisez la consigne"},
			wantNotOut: []string{"Placez un Dockerfile texte"},
		},
		{
			name: "spec that does not parse",
			args: func(dir string) []string {
				return []string{"lab5", dir, "--spec", filepath.Join(dir, "..", "spec.yaml")}
			},
			setup: func(t *testing.T, dir string) {
				require.NoError(t, os.WriteFile(filepath.Join(dir, "..", "spec.yaml"), []byte("schemaVersion: 1\nlab: lab5\nbogus: 1\n"), 0o644))
			},
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"spec.yaml"},
		},
		{
			name:       "missing spec file",
			args:       func(dir string) []string { return []string{"lab5", dir, "--spec", filepath.Join(dir, "nope.yaml")} },
			engine:     noEngine,
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"--spec\u00a0: impossible de lire ", "nope.yaml (introuvable)"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := solution(t)
			skipComing(t, tt.args(dir))
			if tt.setup != nil {
				tt.setup(t, dir)
			}
			f, stdout, stderr := newFactory(t, tt.engine(t))
			code := Run(context.Background(), f, tt.args(dir))
			assert.Equal(t, tt.wantExit, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			for _, s := range tt.wantOut {
				assert.Contains(t, stdout.String(), s)
			}
			for _, s := range tt.wantNotOut {
				assert.NotContains(t, stdout.String(), s)
			}
			for _, s := range tt.wantErrOut {
				assert.Contains(t, stderr.String(), s)
			}
			assertNoStack(t, stderr.String())
			if tt.check != nil {
				tt.check(t, dir, stdout.String())
			}
		})
	}
}

// TestGradeStaticReferenceSolution grades lab 5's reference solution with --static: every
// static check passes, no check that needs the engine is evaluated, and the run exits 0.
func TestGradeStaticReferenceSolution(t *testing.T) {
	dir := solution(t)
	f, stdout, stderr := newFactory(t, noEngine(t))
	code := Run(context.Background(), f, []string{"lab5", dir, "--static", "--format", "json"})

	var rep struct {
		Passed bool `json:"passed"`
		Tests  []struct {
			ID       string `json:"id"`
			Status   string `json:"status"`
			Excluded bool   `json:"excluded"`
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep), "stdout:\n%s\nstderr:\n%s", stdout, stderr)
	require.Len(t, rep.Tests, 15)
	var evaluated []string
	for _, r := range rep.Tests {
		if contains(staticChecks, r.ID) {
			assert.Equal(t, "pass", r.Status, r.ID)
		} else {
			assert.Equal(t, "skip", r.Status, "%s needs the engine", r.ID)
		}
		if r.Status != "skip" {
			evaluated = append(evaluated, r.ID)
		}
	}
	assert.ElementsMatch(t, staticChecks, evaluated, "only static checks are evaluated")
	assert.Empty(t, stderr.String())

	// Checks left out by --static leave the denominator, and so must those that only wait
	// for them (lab5.multistage needs lab5.build): the reference solution passes.
	for _, r := range rep.Tests {
		if !contains(staticChecks, r.ID) {
			assert.True(t, r.Excluded, "%s is not evaluated with --static and must be excluded", r.ID)
		}
	}
	assert.True(t, rep.Passed)
	assert.Equal(t, cliutil.ExitOK, code)
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestRunCommands(t *testing.T) {
	coming := comingLab(t)
	tests := []struct {
		name       string
		args       []string
		wantExit   int
		wantOut    []string
		wantNotOut []string
		wantErrOut []string
	}{
		{
			name:       "list",
			args:       []string{"list"},
			wantOut:    []string{"LAB", "TITRE", "ÉTAT", "lab1 ", "lab14", "Écrire un bon Dockerfile", "corrigeable", "à venir"},
			wantNotOut: []string{"gradable", "coming"},
		},
		{
			name:       "list in English",
			args:       []string{"list", "--lang", "en"},
			wantOut:    []string{"TITLE", "STATUS", "Writing a good Dockerfile: multi-stage, cache, signals", "gradable", "coming"},
			wantNotOut: []string{"corrigeable", "à venir"},
		},
		{
			name:       "an unknown command, with a suggestion",
			args:       []string{"lab55"},
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"grade\u00a0: commande inconnue «\u00a0lab55\u00a0»\u00a0: vouliez-vous dire lab5\u00a0?\nVoir\u00a0: grade --help\n"},
		},
		{
			name:       "an unknown flag, pointing at the command's help",
			args:       []string{"lab5", "--colour"},
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"grade\u00a0: grade lab5 ne connaît pas l'option --colour\nVoir\u00a0: grade lab5 --help\n"},
		},
		{
			name:       "list with extra arguments",
			args:       []string{"list", "lab5"},
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"grade list n'attend aucun argument (1 donné)"},
		},
		{
			name:    "describe",
			args:    []string{"describe", "lab5"},
			wantOut: []string{"lab5 — Écrire un bon Dockerfile", "lab5.files", "préalable", "lab5.build", "obligatoire", "lab5.tiny", "bonus", "Total\u00a0:"},
		},
		{
			name:    "describe, lab given as a number",
			args:    []string{"describe", "5", "--lang", "en"},
			wantOut: []string{"lab5 — Writing a good Dockerfile", "required", "gate"},
		},
		{
			name:       "describe an unknown lab",
			args:       []string{"describe", "lab42"},
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"«\u00a0lab42\u00a0» n'est pas un lab du cours"},
		},
		{
			name:       "describe a lab not gradable yet",
			args:       []string{"describe", coming},
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{coming},
		},
		{
			name:    "validate",
			args:    []string{"validate"},
			wantOut: []string{"✔ lab5\u00a0: 15 vérifications"},
		},
		{
			name:       "validate a missing file",
			args:       []string{"validate", "/nonexistent/lab5.yaml"},
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"impossible de lire /nonexistent/lab5.yaml (introuvable)"},
		},
		{
			name: "help lists the exit codes",
			args: []string{"--help"},
			wantOut: []string{
				"Codes de sortie\u00a0:",
				"0    toutes les vérifications obligatoires réussissent",
				"1    corrigé, avec des échecs",
				"2    erreur d'utilisation",
				"3    correction impossible",
				"130  interrompu",
				"lab5", "list", "describe", "init", "doctor", "validate",
			},
		},
		{
			name:    "version",
			args:    []string{"--version"},
			wantOut: []string{"1.0.0-test"},
		},
		{
			name:       "unknown flag",
			args:       []string{"--frobnicate"},
			wantExit:   cliutil.ExitUsage,
			wantErrOut: []string{"grade ne connaît pas l'option --frobnicate"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skipComing(t, tt.args)
			f, stdout, stderr := newFactory(t, noEngine(t))
			code := Run(context.Background(), f, tt.args)
			assert.Equal(t, tt.wantExit, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			for _, s := range tt.wantOut {
				assert.Contains(t, stdout.String(), s)
			}
			for _, s := range tt.wantNotOut {
				assert.NotContains(t, stdout.String(), s)
			}
			for _, s := range tt.wantErrOut {
				assert.Contains(t, stderr.String(), s)
			}
			assertNoStack(t, stderr.String())
		})
	}
}

func TestInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "my lab5")
	f, stdout, stderr := newFactory(t, noEngine(t))
	require.Equal(t, cliutil.ExitOK, Run(context.Background(), f, []string{"init", "lab5", dir}), stderr.String())
	assert.Contains(t, stdout.String(), "lab5\u00a0: ")
	assert.Contains(t, stdout.String(), "Ensuite\u00a0: cd "+dir+" && grade lab5")
	assert.NotContains(t, stdout.String(), "conservé")

	for _, name := range []string{"go.mod", "go.sum", "Dockerfile", ".dockerignore", "README.md", "cmd/server/main.go"} {
		assert.FileExists(t, filepath.Join(dir, filepath.FromSlash(name)))
	}
	assert.NoFileExists(t, filepath.Join(dir, "go.mod.tmpl"))
	gomod, err := os.ReadFile(filepath.Join(dir, "go.mod"))
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(string(gomod), "module "), string(gomod))
	starter, err := labs.FS.ReadFile("lab5/_starter/Dockerfile")
	require.NoError(t, err)
	df, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	require.NoError(t, err)
	assert.Equal(t, string(starter), string(df), "init writes the starter, not the solution")

	// The student edits, then runs init again: nothing is overwritten.
	mine := []byte("FROM scratch\n# my work\n")
	require.NoError(t, os.WriteFile(filepath.Join(dir, "Dockerfile"), mine, 0o644))
	require.NoError(t, os.Remove(filepath.Join(dir, "README.md")))
	f, stdout, stderr = newFactory(t, noEngine(t))
	require.Equal(t, cliutil.ExitOK, Run(context.Background(), f, []string{"init", "lab5", dir}), stderr.String())
	assert.Contains(t, stdout.String(), "lab5\u00a0: 1 fichier écrit")
	assert.Contains(t, stdout.String(), "conservé (existait déjà)\u00a0: Dockerfile")
	assert.Contains(t, stdout.String(), "conservé (existait déjà)\u00a0: go.mod")
	got, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	require.NoError(t, err)
	assert.Equal(t, mine, got)
	assert.FileExists(t, filepath.Join(dir, "README.md"), "a deleted file comes back")
}

func TestInitSolution(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sol")
	f, stdout, stderr := newFactory(t, noEngine(t))
	// As the instructor build does: a catalog that holds the solutions.
	f.Catalog = func() (*lab.Catalog, error) { return lab.Load(labs.Source()) }
	require.Equal(t, cliutil.ExitOK, Run(context.Background(), f, []string{"init", "lab5", dir, "--solution"}), stderr.String())
	assert.NotContains(t, stdout.String(), "conservé", "the starter's own Dockerfile is not reported as kept")
	want, err := fs.ReadFile(labs.Source(), "lab5/_solution/Dockerfile")
	require.NoError(t, err)
	got, err := os.ReadFile(filepath.Join(dir, "Dockerfile"))
	require.NoError(t, err)
	assert.Equal(t, string(want), string(got))
}

func TestInitSolutionStudentBuild(t *testing.T) {
	if labs.Instructor {
		t.Skip("the instructor build holds the solutions")
	}
	dir := filepath.Join(t.TempDir(), "sol")
	f, _, stderr := newFactory(t, noEngine(t))
	assert.Equal(t, cliutil.ExitUsage, Run(context.Background(), f, []string{"init", "lab5", dir, "--solution"}))
	assert.Contains(t, stderr.String(), "version enseignant")
	assert.NoFileExists(t, filepath.Join(dir, "Dockerfile"), "nothing written")
}

func TestInitErrors(t *testing.T) {
	coming := comingLab(t)
	file := filepath.Join(t.TempDir(), "a-file")
	require.NoError(t, os.WriteFile(file, []byte("x"), 0o644))
	tests := []struct {
		name       string
		args       []string
		wantErrOut string
	}{
		{name: "no lab", args: []string{"init"}, wantErrOut: "grade init attend 1 ou 2 arguments (aucun donné)"},
		{name: "unknown lab", args: []string{"init", "lab99", "x"}, wantErrOut: "«\u00a0lab99\u00a0» n'est pas un lab du cours"},
		{name: "lab not ready", args: []string{"init", coming, "x"}, wantErrOut: coming},
		{name: "a file in the way: usage, not the engine", args: []string{"init", "lab5", file}, wantErrOut: "impossible de créer le dossier du lab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			skipComing(t, tt.args)
			f, _, stderr := newFactory(t, noEngine(t))
			assert.Equal(t, cliutil.ExitUsage, Run(context.Background(), f, tt.args))
			assert.Contains(t, stderr.String(), tt.wantErrOut)
		})
	}
}

type doctorCase struct {
	name     string
	engine   engineFunc
	wantExit int
	wantOut  []string
}

func TestDoctor(t *testing.T) {
	tests := []doctorCase{
		{
			name: "Info fails",
			engine: func() (engine.Engine, error) {
				return &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) {
					return engine.Info{}, engine.ErrUnavailable
				}}, nil
			},
			wantExit: cliutil.ExitEngine,
			wantOut:  []string{"✘ moteur Docker injoignable\u00a0: docker engine unavailable", "DOCKER_HOST"},
		},
		{
			name:     "no client",
			engine:   func() (engine.Engine, error) { return nil, errors.New(`docker context "gone": no such file`) },
			wantExit: cliutil.ExitEngine,
			wantOut:  []string{"✘ client Docker\u00a0: docker context \"gone\""},
		},
	}
	healthy := func(present func(ref string) (engine.ImageSummary, bool)) engineFunc {
		return func() (engine.Engine, error) {
			return &enginefake.Fake{
				InfoFn: func(context.Context) (engine.Info, error) {
					// Remote: doctor does not look at the local disk.
					return engine.Info{Version: "20.10.24+dfsg1", APIVersion: "1.41", OS: "linux", Arch: "amd64",
						BuildKit: true, SwarmState: "inactive", RootDir: "/var/lib/docker", Remote: true}, nil
				},
				ListImagesFn: func(_ context.Context, label string) ([]engine.ImageSummary, error) {
					var out []engine.ImageSummary
					for _, img := range images.All() {
						if s, ok := present(img.Ref); ok {
							out = append(out, s)
						}
					}
					return out, nil
				},
			}, nil
		}
	}
	current := func(ref string) (engine.ImageSummary, bool) {
		return engine.ImageSummary{ID: "sha256:" + ref, Tags: []string{ref}, Labels: map[string]string{"ddlab.assets": images.AssetsVersion}}, true
	}
	first := images.All()[0].Ref
	tests = append(tests,
		doctorCase{
			name:     "ready",
			engine:   healthy(current),
			wantExit: cliutil.ExitOK,
			wantOut:  []string{"✔ moteur Docker 20.10.24+dfsg1 (linux/amd64), API 1.41", "✔ BuildKit disponible\n", "• swarm\u00a0: inactive", "• moteur distant", "✔ " + first + " présente"},
		},
		doctorCase{
			name: "a base image is missing, another is stale",
			engine: healthy(func(ref string) (engine.ImageSummary, bool) {
				s, _ := current(ref)
				if ref == first {
					return s, false
				}
				s.Labels["ddlab.assets"] = "0"
				return s, true
			}),
			wantExit: cliutil.ExitEngine,
			wantOut:  []string{"✘ " + first + " absente → grade images", "présente mais périmée → grade images"},
		},
	)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, stderr := newFactory(t, tt.engine)
			code := Run(context.Background(), f, []string{"doctor"})
			assert.Equal(t, tt.wantExit, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			for _, s := range tt.wantOut {
				assert.Contains(t, stdout.String(), s)
			}
			assertNoStack(t, stdout.String()+stderr.String())
		})
	}
}

func TestRunInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	dir := solution(t)
	f, stdout, stderr := newFactory(t, noEngine(t))
	code := Run(ctx, f, []string{"lab5", dir, "--static"})
	assert.Equal(t, cliutil.ExitInterrupted, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
}

// TestReportProvenance: a report names the spec it was graded with, and says when an
// instructor's --spec or --timeout replaced the embedded ones.
func TestReportProvenance(t *testing.T) {
	type prov struct {
		SpecDigest        string  `json:"spec_digest"`
		SpecSource        string  `json:"spec_source"`
		SpecFile          string  `json:"spec_file"`
		TimeoutSeconds    float64 `json:"timeout_seconds"`
		TimeoutOverridden bool    `json:"timeout_overridden"`
	}
	embedded, err := labs.FS.ReadFile("lab5.yaml")
	require.NoError(t, err)
	mine := append(append([]byte{}, embedded...), []byte("\n# édité par l'enseignant\n")...)
	tests := []struct {
		name  string
		extra func(dir string) []string
		spec  []byte
		want  prov
	}{
		{"embedded", func(string) []string { return nil }, embedded, prov{SpecSource: "embedded", TimeoutSeconds: 600}},
		{"--spec and --timeout", func(dir string) []string {
			p := filepath.Join(dir, "..", "cours.yaml")
			require.NoError(t, os.WriteFile(p, mine, 0o644))
			return []string{"--spec", p, "--timeout", "90s"}
		}, mine, prov{SpecSource: "file", TimeoutSeconds: 90, TimeoutOverridden: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := solution(t)
			f, stdout, stderr := newFactory(t, noEngine(t))
			args := append([]string{"lab5", dir, "--static", "--format", "json"}, tt.extra(dir)...)
			Run(context.Background(), f, args)
			var rep struct {
				Provenance prov `json:"provenance"`
			}
			require.NoError(t, json.Unmarshal(stdout.Bytes(), &rep), "stderr:\n%s", stderr)
			want := tt.want
			want.SpecDigest = fmt.Sprintf("sha256:%x", sha256.Sum256(tt.spec))
			if want.SpecSource == "file" {
				want.SpecFile = filepath.Join(dir, "..", "cours.yaml")
			}
			if !want.TimeoutOverridden {
				spec, err := lab.Parse("lab5.yaml", embedded)
				require.NoError(t, err)
				want.TimeoutSeconds = time.Duration(spec.Timeout).Seconds()
			}
			assert.Equal(t, want, rep.Provenance)
		})
	}
}
