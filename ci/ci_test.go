// Package ci holds the files that run grade on CI platforms and grading services, and the
// test that runs their commands here with the environment each platform sets.
package ci

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"
)

// bin is the folder of the grade binary built once for the whole package.
var bin string

func TestMain(m *testing.M) {
	code := func() int {
		dir, err := os.MkdirTemp("", "grade-ci-")
		if err != nil {
			panic(err)
		}
		defer os.RemoveAll(dir)
		bin = filepath.Join(dir, "bin")
		// -short runs no CI file: building the binary is most of this package's time.
		flag.Parse()
		if !testing.Short() {
			// The static build CI runners get (make build-static, the image's binary), and
			// grade-instructor with the same flags so the build cache serves both: grade for
			// the CI files and the image, grade-instructor for the reference solution.
			for _, args := range [][]string{
				{"build", "-trimpath", "-ldflags", "-s -w", "-o", filepath.Join(bin, "grade"), "../cmd/grade"},
				{"build", "-trimpath", "-ldflags", "-s -w", "-tags", "instructor", "-o", filepath.Join(bin, "grade-instructor"), "../cmd/grade"},
			} {
				cmd := exec.Command("go", args...)
				cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
				if out, err := cmd.CombinedOutput(); err != nil {
					os.Stderr.Write(out)
					panic(err)
				}
			}
		}
		return m.Run()
	}()
	os.Exit(code)
}

func needBinary(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the CI files with a grade binary built for the test; skipped with -short")
	}
}

// solution writes the reference solution of lab5 into a new folder, the way a student's
// repository holds it, and applies edits (old → new in the Dockerfile).
func solution(t *testing.T, edits ...string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	out, err := exec.Command(filepath.Join(bin, "grade-instructor"), "init", "lab5", dir, "--solution").CombinedOutput()
	require.NoError(t, err, "%s", out)
	for i := 0; i+1 < len(edits); i += 2 {
		p := filepath.Join(dir, "Dockerfile")
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.Contains(t, string(b), edits[i])
		require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(b), edits[i], edits[i+1], 1)), 0o644))
	}
	return dir
}

// baseEnv is the environment of a CI job here: grade on PATH, and no Docker engine
// settings inherited from the machine (the CI files grade statically in these tests).
func baseEnv() []string {
	return []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME"), "LANG=C.UTF-8"}
}

// run runs a shell script as the platform would and returns stdout and the exit code.
func run(t *testing.T, dir string, env []string, shell []string, script string) (string, int) {
	t.Helper()
	cmd := exec.Command(shell[0], append(shell[1:], script)...)
	cmd.Dir, cmd.Env = dir, env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else {
		require.NoError(t, err)
	}
	t.Logf("$ %s\n%s%s(exit %d)", script, stdout.String(), stderr.String(), code)
	return stdout.String(), code
}

// workflow is the part of a GitHub Actions workflow these tests read.
type workflow struct {
	Env  map[string]string `yaml:"env"`
	Jobs map[string]struct {
		Env   map[string]string `yaml:"env"`
		Steps []struct {
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			If   string            `yaml:"if"`
			Env  map[string]string `yaml:"env"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

// skippedSteps are the workflow steps the tests do not run, and why.
var skippedSteps = map[string]string{
	"install": "installs grade from the network; the binary built by the test is on PATH instead",
	"images":  "pulls or builds the course images on an engine; static grading needs none",
}

// runWorkflow runs every "run:" step of file's only job as GitHub's runner does (bash -e,
// in the workspace, with GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files), with GRADE_FLAGS set
// to --static. It returns the stdout and exit code of the step named grade, and the
// runner's files.
func runWorkflow(t *testing.T, file, workspace string) (stdout string, code int, output, summary string) {
	t.Helper()
	b, err := os.ReadFile(file)
	require.NoError(t, err)
	var wf workflow
	dec := yaml.NewDecoder(bytes.NewReader(b))
	require.NoError(t, dec.Decode(&wf))
	require.Len(t, wf.Jobs, 1)
	tmp := t.TempDir()
	output, summary = filepath.Join(tmp, "output"), filepath.Join(tmp, "summary")
	ran := false
	for _, job := range wf.Jobs {
		for _, step := range job.Steps {
			if step.Run == "" {
				continue
			}
			if why, ok := skippedSteps[step.ID]; ok {
				t.Logf("step %s not run: %s", step.ID, why)
				continue
			}
			env := baseEnv()
			for _, m := range []map[string]string{wf.Env, job.Env, step.Env} {
				for k, v := range m {
					env = append(env, k+"="+v)
				}
			}
			env = append(env, "GRADE_FLAGS=--static", "CI=true", "GITHUB_ACTIONS=true",
				"GITHUB_WORKSPACE="+workspace, "RUNNER_TEMP="+tmp,
				"GITHUB_OUTPUT="+output, "GITHUB_STEP_SUMMARY="+summary)
			out, c := run(t, workspace, env, []string{"bash", "--noprofile", "--norc", "-eo", "pipefail", "-c"}, step.Run)
			if step.ID == "grade" {
				stdout, code, ran = out, c, true
			}
		}
	}
	require.True(t, ran, "the workflow has a step with id grade")
	return stdout, code, readFile(output), readFile(summary)
}

func readFile(p string) string {
	b, _ := os.ReadFile(p)
	return string(b)
}

var annotation = regexp.MustCompile(`(?m)^::(error|warning|notice)( [^:]*)?::`)

func TestGitHubActions(t *testing.T) {
	needBinary(t)
	t.Run("solution", func(t *testing.T) {
		ws := solution(t)
		stdout, code, _, summary := runWorkflow(t, "github-actions.yml", ws)
		assert.Equal(t, 0, code)
		assert.Regexp(t, `(?m)^::notice title=grade lab5\x{a0}?( )?%3A [0-9]+/[0-9]+`, stdout)
		assert.NotRegexp(t, `(?m)^::error`, stdout)
		assert.Contains(t, summary, "## grade lab5")
		for _, f := range []string{"junit.xml", "grade.sarif", "grade.json"} {
			assert.FileExists(t, filepath.Join(ws, f))
		}
		var sarif map[string]any
		require.NoError(t, json.Unmarshal([]byte(readFile(filepath.Join(ws, "grade.sarif"))), &sarif))
		assert.Equal(t, "2.1.0", sarif["version"])
	})
	t.Run("lint failure annotated on the Dockerfile", func(t *testing.T) {
		ws := solution(t, "FROM ddlab/go:1 AS deps", "FROM ddlab/go:1 as deps")
		stdout, code, _, summary := runWorkflow(t, "github-actions.yml", ws)
		assert.Equal(t, 1, code, "a failed check fails the step")
		assert.Regexp(t, `(?m)^::error file=Dockerfile,line=[0-9]+,title=lab5\.lint`, stdout)
		assert.LessOrEqual(t, len(annotation.FindAllString(stdout, -1)), 21)
		assert.Contains(t, summary, "lab5.lint")
	})
}

func TestGitHubClassroom(t *testing.T) {
	needBinary(t)
	ws := solution(t, "FROM ddlab/go:1 AS deps", "FROM ddlab/go:1 as deps")
	_, code, output, _ := runWorkflow(t, "github-classroom/classroom.yml", ws)
	assert.Equal(t, 0, code, "--exit-zero: the reporter fails the job, not the grading step")

	// What autograding-grading-reporter does with GRADE_RESULTS (runner id "grade").
	var result string
	for _, line := range strings.Split(output, "\n") {
		if v, ok := strings.CutPrefix(line, "result="); ok {
			result = v
		}
	}
	require.NotEmpty(t, result, "the step sets the result output")
	raw, err := base64.StdEncoding.DecodeString(result)
	require.NoError(t, err)
	var doc struct {
		Status   string  `json:"status"`
		MaxScore float64 `json:"max_score"`
		Tests    []struct {
			Status string  `json:"status"`
			Score  float64 `json:"score"`
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	total := 0.0
	for _, tc := range doc.Tests {
		total += tc.Score
	}

	// The same submission's JSON report gives the grade the reporter must send.
	out, _ := run(t, ws, baseEnv(), []string{"sh", "-c"}, "grade lab5 --static --format json")
	var rep struct {
		Score    float64 `json:"score"`
		MaxScore float64 `json:"max_score"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, "fail", doc.Status, "the reporter fails the job")
	assert.InDelta(t, rep.Score, total, 0.001, "Points <total>")
	assert.Equal(t, rep.MaxScore, doc.MaxScore, "/<max>")
	assert.Less(t, total, doc.MaxScore)
}

// gitlabJob is the part of a GitLab CI job these tests read.
type gitlabJob struct {
	Variables map[string]string `yaml:"variables"`
	Script    []string          `yaml:"script"`
	Artifacts struct {
		When    string            `yaml:"when"`
		Reports map[string]string `yaml:"reports"`
	} `yaml:"artifacts"`
}

func TestGitLabCI(t *testing.T) {
	needBinary(t)
	b, err := os.ReadFile("gitlab-ci.yml")
	require.NoError(t, err)
	var jobs map[string]gitlabJob
	require.NoError(t, yaml.Unmarshal(b, &jobs))
	job, ok := jobs["grade"]
	require.True(t, ok)
	assert.Equal(t, "always", job.Artifacts.When, "reports upload even when the job fails")

	ws := solution(t, "FROM ddlab/go:1 AS deps", "FROM ddlab/go:1 as deps")
	env := baseEnv()
	for k, v := range job.Variables {
		env = append(env, k+"="+v)
	}
	env = append(env, "GRADE_FLAGS=--static", "CI=true", "GITLAB_CI=true", "CI_PROJECT_DIR="+ws, "CI_JOB_NAME=grade")
	var stdout string
	code := 0
	for _, line := range job.Script {
		// GitLab stops at the first command that fails.
		var out string
		out, code = run(t, ws, env, []string{"bash", "-c"}, line)
		stdout += out
		if code != 0 {
			break
		}
	}
	assert.Equal(t, 1, code, "a failed check fails the job")
	assert.Contains(t, stdout, "\x1b[0Ksection_start:")
	assert.Contains(t, stdout, "\x1b[0Ksection_end:")

	junit := readFile(filepath.Join(ws, job.Artifacts.Reports["junit"]))
	assert.Contains(t, junit, `classname="lab5" name="lab5.lint"`)
	var findings []struct {
		CheckName string `json:"check_name"`
		Location  struct {
			Path  string `json:"path"`
			Lines struct {
				Begin int `json:"begin"`
			} `json:"lines"`
		} `json:"location"`
	}
	cq := readFile(filepath.Join(ws, job.Artifacts.Reports["codequality"]))
	require.NoError(t, json.Unmarshal([]byte(cq), &findings))
	require.NotEmpty(t, findings)
	assert.Equal(t, "lab5.lint", findings[0].CheckName)
	assert.Equal(t, "Dockerfile", findings[0].Location.Path)
	assert.Greater(t, findings[0].Location.Lines.Begin, 0)
}

// gradescopeRoot lays out /autograder as Gradescope does, in a temporary folder: the
// uploaded zip in source/, the student's files in submission/.
func gradescopeRoot(t *testing.T, submission string) string {
	t.Helper()
	root := filepath.Join(t.TempDir(), "autograder")
	src := filepath.Join(root, "source")
	require.NoError(t, os.MkdirAll(src, 0o755))
	for _, f := range []string{"setup.sh", "run_autograder"} {
		b, err := os.ReadFile(filepath.Join("gradescope", f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(src, f), b, 0o755))
	}
	b, err := os.ReadFile(filepath.Join(bin, "grade"))
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(src, "grade"), b, 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(src, "lab"), []byte("lab5\n"), 0o644))
	require.NoError(t, os.Rename(submission, filepath.Join(root, "submission")))
	return root
}

func TestGradescope(t *testing.T) {
	needBinary(t)
	root := gradescopeRoot(t, solution(t))
	binDir := filepath.Join(t.TempDir(), "usr-local-bin")
	require.NoError(t, os.MkdirAll(binDir, 0o755))
	// The image has no grade on PATH until setup.sh installs it.
	env := []string{"PATH=" + binDir + ":/usr/bin:/bin", "AUTOGRADER=" + root, "BIN_DIR=" + binDir}
	_, code := run(t, root, env, []string{"sh", "-c"}, filepath.Join(root, "source", "setup.sh"))
	require.Equal(t, 0, code)
	_, code = run(t, root, env, []string{"sh", "-c"}, filepath.Join(root, "source", "run_autograder"))
	assert.Equal(t, 0, code)

	var res struct {
		Score  float64 `json:"score"`
		Output string  `json:"output"`
		Tests  []struct {
			Score    *float64 `json:"score"`
			MaxScore *float64 `json:"max_score"`
			Status   string   `json:"status"`
		} `json:"tests"`
	}
	require.NoError(t, json.Unmarshal([]byte(readFile(filepath.Join(root, "results", "results.json"))), &res))
	assert.Contains(t, res.Output, "mode statique", "static mode is said")
	maxSum := 0.0
	for _, tc := range res.Tests {
		if tc.MaxScore != nil {
			maxSum += *tc.MaxScore
		}
	}
	assert.Greater(t, res.Score, 0.0)
	assert.InDelta(t, maxSum, res.Score, 0.001, "the solution gets every point it can statically")

	t.Run("grade missing", func(t *testing.T) {
		root := gradescopeRoot(t, solution(t))
		env := []string{"PATH=/usr/bin:/bin", "AUTOGRADER=" + root}
		_, code := run(t, root, env, []string{"sh", "-c"}, filepath.Join(root, "source", "run_autograder"))
		assert.Equal(t, 0, code)
		assert.True(t, json.Valid([]byte(readFile(filepath.Join(root, "results", "results.json")))),
			"Gradescope always gets a valid results.json")
	})
}

func TestPrairieLearn(t *testing.T) {
	needBinary(t)
	var info struct {
		ExternalGradingOptions struct {
			Image       string            `json:"image"`
			Entrypoint  string            `json:"entrypoint"`
			Timeout     int               `json:"timeout"`
			Environment map[string]string `json:"environment"`
		} `json:"externalGradingOptions"`
	}
	require.NoError(t, json.Unmarshal([]byte(readFile("prairielearn/info.json")), &info))
	opts := info.ExternalGradingOptions
	assert.LessOrEqual(t, opts.Timeout, 600, "PrairieLearn's maximum")
	assert.Equal(t, "/usr/local/bin/grade-prairielearn", opts.Entrypoint)
	assert.Contains(t, readFile("prairielearn/Dockerfile"), "COPY ci/prairielearn/grade-prairielearn "+opts.Entrypoint)

	entry, err := filepath.Abs("prairielearn/grade-prairielearn")
	require.NoError(t, err)
	for _, tc := range []struct {
		name     string
		lab      string
		gradable bool
	}{
		{"solution", opts.Environment["LAB"], true},
		{"grade refuses", "lab99", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			root := filepath.Join(t.TempDir(), "grade")
			require.NoError(t, os.MkdirAll(root, 0o755))
			require.NoError(t, os.Rename(solution(t), filepath.Join(root, "student")))
			// /grade/results is not created by PrairieLearn: the entry point must.
			env := append(baseEnv(), "GRADE_ROOT="+root, "LAB="+tc.lab)
			_, code := run(t, root, env, []string{"sh", "-c"}, entry)
			assert.Equal(t, 0, code, "PrairieLearn reads results only after exit 0")
			b := readFile(filepath.Join(root, "results", "results.json"))
			assert.Less(t, len(b), 1<<20)
			var res struct {
				Gradable bool     `json:"gradable"`
				Score    float64  `json:"score"`
				Message  string   `json:"message"`
				Errors   []string `json:"format_errors"`
			}
			require.NoError(t, json.Unmarshal([]byte(b), &res))
			assert.Equal(t, tc.gradable, res.Gradable)
			if tc.gradable {
				assert.Equal(t, 1.0, res.Score)
				assert.Contains(t, res.Message, "mode statique")
			} else {
				assert.NotEmpty(t, res.Errors)
			}
		})
	}
}
