package grade

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/iostreams"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/report"
)

func TestNewCmdGradeCIFlags(t *testing.T) {
	tests := []struct {
		cli  string
		want Options
	}{
		{"--format github", Options{Dir: ".", Format: "github"}},
		{"--format classroom", Options{Dir: ".", Format: "classroom"}},
		{"--format prairielearn --exit-zero", Options{Dir: ".", Format: "prairielearn", CI: CIOptions{ExitZero: true}}},
		{"--sarif a.sarif --codequality cq.json --gradescope r.json --prairielearn p.json", Options{Dir: ".", Format: "text",
			CI: CIOptions{SARIF: []string{"a.sarif"}, CodeQuality: []string{"cq.json"}, Gradescope: []string{"r.json"}, PrairieLearn: []string{"p.json"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.cli, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			var got *Options
			cmd := NewCmdGrade(&cliutil.Factory{IO: ios}, lab.Entry{Lab: "lab5", Chapter: 5, Title: check.Text{FR: "x", EN: "x"}},
				func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.cli))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			require.NoError(t, cmd.Execute())
			got.F, got.Lab = nil, ""
			assert.Equal(t, tt.want, *got)
		})
	}
}

func Test_planCI(t *testing.T) {
	got, err := plan(&Options{Format: "github", CI: CIOptions{SARIF: []string{"g.sarif"}, PrairieLearn: []string{"-"}}})
	require.NoError(t, err)
	assert.Equal(t, []output{{"sarif", "g.sarif"}, {"prairielearn", "-"}}, got, "a CI file on stdout replaces the format")
}

func ciReport() *report.Report {
	return &report.Report{
		SchemaVersion: report.SchemaVersion, Lab: "lab5", Title: "Volumes", Submission: ".", Lang: "fr",
		StartedAt: time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC), Score: 1, MaxScore: 3,
		Results: []check.Result{
			{ID: "lab5.a", Title: "A", Kind: "required", Status: check.Pass, Points: 1, MaxPoints: 1},
			{ID: "lab5.b", Title: "B", Kind: "required", Status: check.Fail, MaxPoints: 2, File: "Dockerfile", Line: 4},
		},
	}
}

// Test_writeCI runs write() with the environment each CI platform sets.
func Test_writeCI(t *testing.T) {
	dir := t.TempDir()
	summary := filepath.Join(dir, "summary.md")
	ghout := filepath.Join(dir, "output")
	require.NoError(t, os.WriteFile(ghout, []byte("other=1\n"), 0o644))
	env := map[string]string{}
	ios, _, out, _ := iostreams.Test()
	f := &cliutil.Factory{IO: ios, Getenv: func(k string) string { return env[k] }, Hostname: func() (string, error) { return "h", nil }}

	t.Run("github", func(t *testing.T) {
		out.Reset()
		env = map[string]string{"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": summary}
		require.NoError(t, write(f, ciReport(), []output{{"github", "-"}}))
		assert.Contains(t, out.String(), "::error file=Dockerfile,line=4,title=lab5.b (0/2)::B")
		require.NoError(t, write(f, ciReport(), []output{{"github", "-"}}))
		b, err := os.ReadFile(summary)
		require.NoError(t, err)
		assert.Equal(t, 2, strings.Count(string(b), "## grade lab5"), "the summary is appended, never replaced")
	})
	t.Run("classroom to GITHUB_OUTPUT", func(t *testing.T) {
		out.Reset()
		env = map[string]string{"GITHUB_OUTPUT": ghout}
		require.NoError(t, write(f, ciReport(), []output{{"classroom", "-"}}))
		assert.Empty(t, out.String(), "nothing on stdout")
		b, err := os.ReadFile(ghout)
		require.NoError(t, err)
		lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
		require.Len(t, lines, 2)
		assert.Equal(t, "other=1", lines[0], "other outputs are kept")
		raw, err := base64.StdEncoding.DecodeString(strings.TrimPrefix(lines[1], "result="))
		require.NoError(t, err)
		assert.Contains(t, string(raw), `"status":"fail","max_score":3`)
	})
	t.Run("classroom without GITHUB_OUTPUT", func(t *testing.T) {
		out.Reset()
		env = map[string]string{}
		require.NoError(t, write(f, ciReport(), []output{{"classroom", "-"}}))
		assert.True(t, strings.HasPrefix(out.String(), "result="))
	})
	t.Run("text in GitLab CI", func(t *testing.T) {
		out.Reset()
		env = map[string]string{"GITLAB_CI": "true"}
		require.NoError(t, write(f, ciReport(), []output{{"text", "-"}}))
		assert.Contains(t, out.String(), "\x1b[0Ksection_start:1740823200:grade_lab5\r\x1b[0Kgrade lab5\u00a0: 1/3\n")
		out.Reset()
		env = map[string]string{}
		require.NoError(t, write(f, ciReport(), []output{{"text", "-"}}))
		assert.NotContains(t, out.String(), "section_start")
	})
	t.Run("files", func(t *testing.T) {
		env = map[string]string{}
		for _, format := range []string{"sarif", "codequality", "gradescope", "prairielearn"} {
			p := filepath.Join(dir, "out", format+".json")
			require.NoError(t, write(f, ciReport(), []output{{format, p}}))
			b, err := os.ReadFile(p)
			require.NoError(t, err)
			assert.NotEmpty(t, b, format)
		}
	})
}

func TestStopTokenRandom(t *testing.T) {
	a, err := stopToken()
	require.NoError(t, err)
	b, err := stopToken()
	require.NoError(t, err)
	assert.NotEqual(t, a, b)
	assert.Len(t, a, len("grade")+32)
}

func TestExitZero(t *testing.T) {
	failed := &cliutil.ExitError{Code: cliutil.ExitFailed}
	interrupted := &cliutil.ExitError{Code: cliutil.ExitInterrupted}
	other := errors.New("engine down")
	assert.Same(t, failed, (&CIOptions{}).exit(failed))
	assert.NoError(t, (&CIOptions{ExitZero: true}).exit(failed))
	assert.NoError(t, (&CIOptions{ExitZero: true}).exit(other), "the report says the submission was not graded")
	assert.Same(t, interrupted, (&CIOptions{ExitZero: true}).exit(interrupted))
}
