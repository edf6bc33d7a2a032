package report

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
)

// ghCommand matches the workflow commands [GitHub] may write itself.
var ghCommand = regexp.MustCompile(`^::(error|warning|notice)( (file|line|title)=[^:,]*(,(file|line|title)=[^:,]*)*)?::[^\r\n]*$|^::group::[^\r\n]*$|^::endgroup::$|^::stop-commands::` + testToken + `$`)

// ghLines checks GitHub output: every line the runner reads as a command is one GitHub writes
// on purpose, and nothing between ::stop-commands:: and the token is one. It returns the
// number of annotations of each kind.
func ghLines(t *testing.T, out string) map[string]int {
	t.Helper()
	kinds := map[string]int{}
	stopped := false
	for n, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		assert.NotContains(t, line, "##[", "line %d holds a legacy command", n+1)
		rest := strings.TrimLeftFunc(line, unicode.IsSpace)
		if stopped {
			if line == "::"+testToken+"::" {
				stopped = false
				continue
			}
			assert.False(t, strings.HasPrefix(rest, "::"), "line %d in the stopped log is a command: %q", n+1, line)
			continue
		}
		require.True(t, ghCommand.MatchString(line), "line %d is not a command GitHub writes: %q", n+1, line)
		if strings.HasPrefix(line, "::stop-commands::") {
			stopped = true
		}
		for _, k := range []string{"error", "warning", "notice"} {
			if strings.HasPrefix(line, "::"+k) {
				kinds[k]++
			}
		}
	}
	assert.False(t, stopped, "the log must resume commands")
	return kinds
}

func TestGitHubCommandsOnly(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, GitHub{Token: testToken}.Write(&buf, fx.report()))
			kinds := ghLines(t, buf.String())
			assert.Equal(t, 1, kinds["notice"], "one notice with the score")
		})
	}
}

// manyFailures is a report with n failed required checks, n failed bonuses and n errors.
func manyFailures(n int) *Report {
	r := &Report{Lab: "lab9", Title: "Beaucoup", Submission: ".", MaxScore: float64(n), StartedAt: startedAt}
	for i := range n {
		r.Results = append(r.Results,
			check.Result{ID: fmt.Sprintf("lab9.req-%02d", i), Kind: "required", Status: check.Fail, MaxPoints: 1, File: "Dockerfile", Line: i + 1},
			check.Result{ID: fmt.Sprintf("lab9.bonus-%02d", i), Kind: "bonus", Status: check.Fail, MaxPoints: 1},
			check.Result{ID: fmt.Sprintf("lab9.err-%02d", i), Kind: "required", Status: check.Error, MaxPoints: 1})
	}
	return r
}

func TestGitHubAnnotationLimits(t *testing.T) {
	for _, tc := range []struct {
		n              int
		errors, warns  int
		summarisedFrom string
	}{
		{n: 3, errors: 3, warns: 6},
		{n: 5, errors: 5, warns: 10},
		{n: 10, errors: 10, warns: 10, summarisedFrom: "lab9.bonus-04"},
		{n: 15, errors: 10, warns: 10, summarisedFrom: "lab9.req-09"},
	} {
		t.Run(fmt.Sprint(tc.n), func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, GitHub{Token: testToken}.Write(&buf, manyFailures(tc.n)))
			out := buf.String()
			kinds := ghLines(t, out)
			assert.Equal(t, tc.errors, kinds["error"])
			assert.Equal(t, tc.warns, kinds["warning"])
			if tc.summarisedFrom != "" {
				assert.Contains(t, out, "autres vérifications non réussies")
				assert.Contains(t, out, tc.summarisedFrom, "the last annotation names the checks left out")
			} else {
				assert.NotContains(t, out, "autres vérifications")
			}
		})
	}
}

func TestGitHubEscaping(t *testing.T) {
	assert.Equal(t, "50%25 a%0Db%0Ac: d, e", ghData("50% a\rb\nc: d, e"))
	assert.Equal(t, "50%25 a%0Db%0Ac%3A d%2C e", ghProperty("50% a\rb\nc: d, e"))
	assert.False(t, validToken("short"))
	assert.False(t, validToken("gradetoken0123456789::"))
	assert.True(t, validToken(testToken))
}

// TestGitHubHostileStudent puts workflow commands everywhere a student reaches: file names,
// messages, the build log. None may come out as a command, and ::stop-commands:: in the
// log cannot end GitHub's own block early.
func TestGitHubHostileStudent(t *testing.T) {
	evil := "x\n::stop-commands::" + testToken + "\n::" + testToken + "::\n::add-mask::x\n::error::forged"
	r := &Report{
		Lab: "lab5", Submission: "::error::sub", StartedAt: startedAt, MaxScore: 1,
		Build: &Build{LogTail: evil},
		Results: []check.Result{{
			ID: "lab5.x", Title: evil, Kind: "required", Status: check.Fail, MaxPoints: 1,
			Message: evil, Actual: evil, Hint: evil, File: "a,b:c\n::error::f", Line: 2,
		}},
	}
	var buf bytes.Buffer
	require.NoError(t, GitHub{Token: testToken}.Write(&buf, r))
	kinds := ghLines(t, buf.String())
	assert.Equal(t, 1, kinds["error"])
	assert.Contains(t, buf.String(), "/a%2Cb%3Ac ", "the file property is escaped, not cut")
}

func TestClassroomConsistent(t *testing.T) {
	for _, fx := range append(fixtures, struct {
		name   string
		report func() *Report
	}{"many", func() *Report { return manyFailures(4) }}) {
		t.Run(fx.name, func(t *testing.T) {
			r := fx.report()
			var buf bytes.Buffer
			require.NoError(t, Classroom{}.Write(&buf, r))
			line := buf.String()
			require.True(t, strings.HasPrefix(line, "result="), "a $GITHUB_OUTPUT line")
			require.True(t, strings.HasSuffix(line, "\n"))
			require.Equal(t, 1, strings.Count(line, "\n"), "one line, or $GITHUB_OUTPUT breaks")
			raw, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(line, "result="), "\n"))
			require.NoError(t, err)
			var doc classroomResult
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&doc))

			assert.Equal(t, 1, doc.Version)
			assert.Equal(t, round(r.MaxScore, 100), doc.MaxScore)
			sum := 0.0
			for _, tc := range doc.Tests {
				sum += tc.Score
				assert.Contains(t, []string{"pass", "fail", "error"}, tc.Status)
				if tc.Filename == "" {
					assert.Zero(t, tc.LineNo, "line_no is 0 when unknown")
				}
			}
			if r.Error == "" {
				assert.InDelta(t, r.Score, sum, 0.001, "the reporter adds up tests[].score")
			}
			switch {
			case r.Error != "" || r.Count().Errors > 0:
				assert.Equal(t, "error", doc.Status)
			case r.Passed:
				assert.Equal(t, "pass", doc.Status)
			default:
				assert.Equal(t, "fail", doc.Status, "the reporter fails the job on fail")
			}
		})
	}
}

func TestAwardedCapsBonus(t *testing.T) {
	r := &Report{Score: 11.5, MaxScore: 10, Results: []check.Result{
		{Kind: "gate", Status: check.Pass},
		{Kind: "required", Status: check.Pass, Points: 10, MaxPoints: 10},
		{Kind: "bonus", Status: check.Pass, Points: 1, MaxPoints: 1},
		{Kind: "bonus", Status: check.Pass, Points: 1, MaxPoints: 1},
		{Kind: "required", Status: check.Skip, MaxPoints: 3, Excluded: true},
	}}
	assert.Equal(t, []float64{0, 10, 1, 0.5, 0}, awarded(r))
}

func TestCodeQualityFields(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, CodeQuality{}.Write(&buf, fx.report()))
			require.False(t, bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")), "no byte-order mark")
			var findings []map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &findings), "a JSON array")
			require.NotNil(t, findings, "[] rather than null")
			seen := map[string]bool{}
			for _, f := range findings {
				for _, k := range []string{"description", "check_name", "fingerprint", "severity", "location"} {
					assert.NotEmpty(t, f[k], k)
				}
				assert.Contains(t, []any{"info", "minor", "major", "critical", "blocker"}, f["severity"])
				loc := f["location"].(map[string]any)
				assert.NotEmpty(t, loc["path"])
				assert.GreaterOrEqual(t, loc["lines"].(map[string]any)["begin"], 1.0)
				fp := f["fingerprint"].(string)
				assert.False(t, seen[fp], "fingerprints are unique")
				seen[fp] = true
			}
		})
	}
}

func TestGradescopeFields(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			r := fx.report()
			var buf bytes.Buffer
			require.NoError(t, Gradescope{}.Write(&buf, r))
			var doc gsResults
			dec := json.NewDecoder(&buf)
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&doc))
			assert.Equal(t, round(r.Score, 100), doc.Score, "the top-level score overrides the tests")
			formats := []string{"text", "html", "simple_format", "md", "ansi"}
			assert.Contains(t, formats, doc.OutputFormat)
			assert.Contains(t, formats, doc.TestOutputFormat)
			vis := []string{"hidden", "after_due_date", "after_published", "visible"}
			assert.Contains(t, vis, doc.Visibility)
			assert.Contains(t, vis, doc.StdoutVisibility)
			for _, tc := range doc.Tests {
				assert.Contains(t, []string{"", "passed", "failed"}, tc.Status)
				assert.Equal(t, tc.Score == nil, tc.MaxScore == nil, "score and max_score go together")
			}
			if r.Engine == nil && r.Error == "" {
				assert.Contains(t, doc.Output, "mode statique", "static mode is said")
			}
		})
	}
}

func TestPrairieLearnFields(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			r := fx.report()
			var buf bytes.Buffer
			require.NoError(t, PrairieLearn{}.Write(&buf, r))
			var doc map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))
			if r.Error != "" {
				assert.Equal(t, false, doc["gradable"])
				assert.NotEmpty(t, doc["format_errors"])
				return
			}
			assert.Equal(t, true, doc["gradable"])
			score := doc["score"].(float64)
			assert.True(t, score >= 0 && score <= 1, "score is a fraction: %v", score)
			for _, tc := range doc["tests"].([]any) {
				m := tc.(map[string]any)
				assert.Contains(t, m, "points", "points on every test, or PrairieLearn shows none")
				assert.Contains(t, m, "max_points")
			}
		})
	}
}

// TestPrairieLearnSizeCap: a build log of several megabytes still gives a results.json
// PrairieLearn accepts (at most 1 MB).
func TestPrairieLearnSizeCap(t *testing.T) {
	big := strings.Repeat("ligne de journal très bavarde é\n", 10_000)
	r := &Report{Lab: "lab5", Submission: ".", StartedAt: startedAt, MaxScore: 1, Build: &Build{LogTail: big}}
	for i := range 20 {
		r.Results = append(r.Results, check.Result{ID: fmt.Sprintf("lab5.c%d", i), Kind: "required", Status: check.Fail, MaxPoints: 1, Actual: big})
	}
	var buf bytes.Buffer
	require.NoError(t, PrairieLearn{}.Write(&buf, r))
	assert.Less(t, buf.Len(), 1<<20)
	assert.True(t, json.Valid(buf.Bytes()))
	buf.Reset()
	require.NoError(t, GitHubSummary{}.Write(&buf, r))
	assert.Less(t, buf.Len(), 1<<20, "GitHub refuses a step summary over 1 MiB")
}

func TestGitHubSummaryEscapes(t *testing.T) {
	r := &Report{Lab: "lab5", Submission: ".", StartedAt: startedAt, MaxScore: 1, Results: []check.Result{{
		ID: "lab5.x|y", Title: "a | b <img src=x> [lien](http://x) **gras**", Kind: "required",
		Status: check.Fail, MaxPoints: 1, Actual: "```\n</details><script>",
	}}}
	var buf bytes.Buffer
	require.NoError(t, GitHubSummary{}.Write(&buf, r))
	out := buf.String()
	// Inside <details><summary>, an HTML block, Markdown is not read: only tags matter there.
	assert.NotContains(t, out, "<img")
	assert.NotContains(t, out, "<script>\n</details>")
	assert.Contains(t, out, "| a \\| b &lt;img src=x&gt; \\[lien\\]\\(http://x\\) \\*\\*gras\\*\\* |")
	assert.Contains(t, out, "````text\nobtenu\u00a0:\n  ```\n  </details><script>\n````", "a longer fence holds the backticks")
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "| ❌") {
			assert.Equal(t, 5, strings.Count(line, "|")-strings.Count(line, "\\|"), "the row keeps 4 cells: %q", line)
		}
	}
}

func TestGitLabSections(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, GitLab{}.Write(&buf, fx.report()))
			out := buf.String()
			starts := regexp.MustCompile(`\x1b\[0Ksection_start:\d+:([a-z0-9_.-]+)(\[collapsed=true\])?\r\x1b\[0K`).FindAllStringSubmatch(out, -1)
			ends := regexp.MustCompile(`\x1b\[0Ksection_end:\d+:([a-z0-9_.-]+)\r\x1b\[0K`).FindAllStringSubmatch(out, -1)
			require.Equal(t, len(starts), len(ends))
			for i := range starts {
				assert.Equal(t, starts[i][1], ends[i][1], "each section closes before the next opens")
			}
			rest := regexp.MustCompile(`\x1b\[0Ksection_(start|end):[^\r]*\r\x1b\[0K`).ReplaceAllString(out, "")
			assert.NotContains(t, rest, "\x1b", "no other escape: student text is sanitised")
			assert.NotContains(t, rest, "\r")
		})
	}
}
