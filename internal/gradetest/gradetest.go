// Package gradetest runs the real `grade` command in-process over fixture submissions and
// compares each check's status with the fixture's expected verdicts (want.json).
package gradetest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/cli"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/iostreams"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/labs"
)

// Case is one fixture folder: files laid over the lab's starter, plus case.json and want.json.
type Case struct {
	// Solution lays the reference solution over the starter before the fixture's own files.
	Solution bool `json:"solution"`
	// Edits change the laid-out files, so a fixture states only how it differs from the
	// solution. Each Old must occur exactly once: a fixture cannot go stale silently.
	Edits []Edit `json:"edits"`
	// Remove lists files deleted after the overlay.
	Remove []string `json:"remove"`
	// Symlinks creates links (path → target), which git cannot carry safely.
	Symlinks map[string]string `json:"symlinks"`
	// Garbage writes N pseudo-random bytes to each path.
	Garbage map[string]int `json:"garbage"`
	// Args are extra command-line arguments, e.g. ["--static"] or ["--spec", "spec.yaml"].
	Args []string `json:"args"`
	// Exit is the expected exit code.
	Exit int `json:"exit"`
}

// Edit replaces the one occurrence of Old in File with New.
type Edit struct {
	File string `json:"file"`
	Old  string `json:"old"`
	New  string `json:"new"`
}

// Want is want.json: the status of every check, and optionally a text each message holds.
type Want struct {
	Status   map[string]string `json:"status"`
	Contains map[string]string `json:"contains"`
}

// Report is the part of the JSON report the comparison reads.
type Report struct {
	RunID string `json:"run_id"`
	Tests []struct {
		ID      string `json:"id"`
		Status  string `json:"status"`
		Message string `json:"message"`
		Actual  string `json:"actual"`
		Hint    string `json:"hint"`
		Section string `json:"section"`
	} `json:"tests"`
	Score float64 `json:"score"`
}

// Prepare lays out a fixture in a fresh folder and returns it.
func Prepare(t testing.TB, labName, caseDir string, c Case) string {
	t.Helper()
	// The source tree, not the embedded labs: the student build embeds no solution.
	src := labs.Source()
	require.NotNil(t, src, "the labs folder of the source tree")
	cat, err := lab.Load(src)
	require.NoError(t, err)
	dir := t.TempDir()
	if c.Solution {
		sol, err := cat.Solution(labName)
		require.NoError(t, err)
		_, _, err = lab.WriteFiles(sol, dir)
		require.NoError(t, err)
	}
	starter, err := cat.Starter(labName)
	require.NoError(t, err)
	_, _, err = lab.WriteFiles(starter, dir)
	require.NoError(t, err)
	// The fixture's own files replace the starter's.
	require.NoError(t, filepath.WalkDir(caseDir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(caseDir, p)
		switch rel {
		case "case.json", "want.json", "spec.yaml":
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	}))
	for _, e := range c.Edits {
		p := filepath.Join(dir, filepath.FromSlash(e.File))
		b, err := os.ReadFile(p)
		require.NoError(t, err)
		require.Equal(t, 1, strings.Count(string(b), e.Old), "edit of %s: %q must occur exactly once", e.File, e.Old)
		require.NoError(t, os.WriteFile(p, []byte(strings.Replace(string(b), e.Old, e.New, 1)), 0o644))
	}
	for _, p := range c.Remove {
		require.NoError(t, os.RemoveAll(filepath.Join(dir, p)))
	}
	for p, target := range c.Symlinks {
		_ = os.Remove(filepath.Join(dir, p))
		require.NoError(t, os.Symlink(target, filepath.Join(dir, p)))
	}
	for p, n := range c.Garbage {
		b := make([]byte, n)
		x := uint32(2463534242)
		for i := range b {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			b[i] = byte(x)
		}
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, p), b, 0o644))
	}
	return dir
}

// Grade runs `grade <lab> <dir> --format json args...` in-process with the real engine and
// returns the exit code, the parsed report and stderr.
func Grade(t testing.TB, labName, dir string, args ...string) (int, Report, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	return GradeContext(ctx, t, labName, dir, args...)
}

// GradeContext is Grade under the caller's context, which can stand for a Ctrl-C.
func GradeContext(ctx context.Context, t testing.TB, labName, dir string, args ...string) (int, Report, string) {
	t.Helper()
	io, _, out, errOut := iostreams.Test()
	f := cli.NewFactory(io)
	// Reports in French whatever the machine's LANG, and stable across hosts. The fixtures are
	// trusted: their builds share one cache scope, so they stay as warm as before scoping.
	f.Getenv = func(k string) string {
		switch {
		case k == "GRADE_CACHE_SCOPE":
			return "ddlab-fixtures"
		case k == "GRADE_SANDBOX" && os.Getenv("GRADE_REQUIRE_DOCKER") == "1":
			// Where the engine is required, so is the sandbox every fixture's scripts run in.
			return "require"
		}
		return ""
	}
	f.Hostname = func() (string, error) { return "test", nil }
	var mixed []string
	f.Observe = func(id string, out check.Outcome) { mixed = append(mixed, MixedLanguages(id, out)...) }
	code := cli.Run(ctx, f, append([]string{labName, dir, "--format", "json"}, args...))
	// Every fixture's report, in either language, reads as one language.
	assert.Empty(t, mixed, "texts that mix French and English")
	var rep Report
	if out.Len() > 0 {
		require.NoError(t, json.Unmarshal(out.Bytes(), &rep), "stdout is not a JSON report:\n%s\nstderr:\n%s", out, errOut)
	}
	// With the course's own spec, a failure tells the student what to do and where to read
	// about it (an instructor's --spec may name no sections).
	if !slices.Contains(args, "--spec") {
		for _, r := range rep.Tests {
			if r.Status == "fail" {
				assert.NotEmpty(t, r.Hint, "%s failed without a hint", r.ID)
				assert.NotEmpty(t, r.Section, "%s failed without a section to reread", r.ID)
			}
		}
	}
	return code, rep, errOut.String()
}

// Check compares a report with want.
func Check(t testing.TB, rep Report, want Want) {
	t.Helper()
	got := map[string]string{}
	var detail bytes.Buffer
	for _, r := range rep.Tests {
		got[r.ID] = r.Status
		detail.WriteString(r.ID + " " + r.Status + ": " + r.Message + "\n")
		if r.Actual != "" && r.Status != "pass" {
			detail.WriteString("    actual: " + strings.ReplaceAll(firstLines(r.Actual, 6), "\n", "\n    ") + "\n")
		}
	}
	require.Equal(t, want.Status, got, "check statuses differ; report:\n%s", detail.String())
	for id, text := range want.Contains {
		for _, r := range rep.Tests {
			if r.ID == id {
				// want.json is written with plain spaces; French reports typeset « : » with U+00A0.
				plain := strings.ReplaceAll(r.Message+"\n"+r.Actual, "\u00a0", " ")
				require.Contains(t, plain, strings.ReplaceAll(text, "\u00a0", " "), "%s message", id)
			}
		}
	}
}

func firstLines(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[:n]
	}
	return strings.Join(lines, "\n")
}

// Leftovers lists the engine objects that the given runs left behind. It looks only at
// those runs, so other grade runs on the same engine (a developer's, another test's) cannot
// make it fail.
func Leftovers(t testing.TB, e engine.Engine, runIDs ...string) []engine.Ref {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var refs []engine.Ref
	for _, id := range runIDs {
		require.NotEmpty(t, id, "a report without run_id")
		r, err := e.List(ctx, "ddlab.run="+id)
		require.NoError(t, err)
		refs = append(refs, r...)
	}
	return refs
}

// Fixture is a fixture folder as read from disk: its case, its expected verdicts, and the
// arguments it is graded with (its own, plus --spec when it carries a spec.yaml).
type Fixture struct {
	Case Case
	Want Want
	Args []string
}

// LoadFixture reads caseDir's case.json, want.json and spec.yaml.
func LoadFixture(t testing.TB, caseDir string) Fixture {
	t.Helper()
	var fx Fixture
	readJSON(t, filepath.Join(caseDir, "case.json"), &fx.Case)
	readJSON(t, filepath.Join(caseDir, "want.json"), &fx.Want)
	fx.Args = fx.Case.Args
	if _, err := os.Stat(filepath.Join(caseDir, "spec.yaml")); err == nil {
		abs, err := filepath.Abs(filepath.Join(caseDir, "spec.yaml"))
		require.NoError(t, err)
		fx.Args = append(fx.Args, "--spec", abs)
	}
	return fx
}

func readJSON(t testing.TB, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	require.NoError(t, json.Unmarshal(b, v), path)
}

// MixedLanguages lists what in out is not wholly in its language: the message, expected and
// actual texts in French then in English. A value the same in both languages (check.Same) is
// data: an expected value may be English (a tool's words), never French, or it is a text that
// was not translated; an observed value (Actual) is what the submission printed, in whatever
// language its author wrote, and is not judged.
func MixedLanguages(id string, out check.Outcome) []string {
	var bad []string
	judge := func(what string, t check.Text) {
		if t.FR == t.EN && what == "actual" {
			return
		}
		if t.FR == t.EN {
			if w := check.Foreign("en", t.EN); len(w) > 0 {
				bad = append(bad, fmt.Sprintf("%s %s (same in both) has French %v: %q", id, what, w, t.EN))
			}
			return
		}
		for _, lang := range []string{"fr", "en"} {
			if w := check.Foreign(lang, t.In(lang)); len(w) > 0 {
				bad = append(bad, fmt.Sprintf("%s %s [%s] has %v: %q", id, what, lang, w, t.In(lang)))
			}
		}
	}
	judge("message", out.Message)
	judge("expected", out.Expected)
	judge("actual", out.Actual)
	return bad
}
