package lab01

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/buildctx"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/quizkey"
	"github.com/ddlab/grade/labs"
)

// digests is a key of letters turned into the digests a spec holds.
func digests(salt string, letters map[string]string) map[string]string {
	out := map[string]string{}
	for q, a := range letters {
		out[q] = quizkey.Digest(salt, q, a)
	}
	return out
}

func keyLine(salt string, letters map[string]string) string {
	var fs []string
	for q, d := range digests(salt, letters) {
		fs = append(fs, q+"="+d)
	}
	return strings.Join(fs, "  ")
}

func TestParseKey(t *testing.T) {
	letters := map[string]string{"q1": "b", "q2": "c", "q10": "a"}
	k, err := parseKey(keyLine("s", letters))
	require.NoError(t, err)
	assert.Equal(t, digests("s", letters), k)
	d := quizkey.Digest("s", "q1", "b")
	// Plain letters are refused: the key must never be readable in the spec.
	for _, bad := range []string{"", "q1=b", "q1=b q2=c", "q1=" + d + " q1=" + d, "x1=" + d, "q1:" + d, "q1=" + strings.ToUpper(d)} {
		_, err := parseKey(bad)
		assert.Error(t, err, bad)
	}
}

func TestParseAnswers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want map[string]string
		line int
		why  string
	}{
		{name: "starter shape", in: "# q1. ?\nq1: \"?\"\nq2: b\n", want: map[string]string{"q1": "?", "q2": "b"}},
		{name: "trimmed and lowered", in: "q1: ' B '\nq2: c # commentaire\n", want: map[string]string{"q1": "b", "q2": "c"}},
		{name: "empty value", in: "q1:\n", want: map[string]string{"q1": ""}},
		{name: "number", in: "q1: 3\n", want: map[string]string{"q1": "3"}},
		{name: "other keys ignored", in: "nom: [Ada]\nq1: a\n", want: map[string]string{"q1": "a"}},
		{name: "duplicate", in: "q1: a\nq2: b\nq1: c\n", line: 3, why: "déjà donnée ligne 1"},
		{name: "list value", in: "q1: [a, b]\n", line: 1, why: "pas une liste"},
		{name: "alias never expanded", in: "x: &a [1]\nq1: *a\n", line: 2, why: "pas une liste"},
		{name: "not a mapping", in: "- q1: a\n", line: 1, why: "qN: lettre"},
		{name: "empty file", in: "", why: "qN: lettre"},
		{name: "two documents", in: "q1: a\n---\nq2: b\n", line: 2, why: "plusieurs documents"},
		{name: "invalid yaml", in: "q1: a\n  q2: [\n", line: 2, why: "YAML invalide"},
		{name: "binary", in: "q1: a\x00", why: "UTF-8"},
		{name: "too big", in: "q1: a\n" + strings.Repeat("#", maxAnswersBytes), why: "dépasse"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, lines, err := parseAnswers([]byte(tt.in))
			if tt.why == "" {
				require.Nil(t, err)
				assert.Equal(t, tt.want, got)
				for k := range got {
					assert.Positive(t, lines[k])
				}
				return
			}
			require.NotNil(t, err)
			assert.Contains(t, err.Why.FR, tt.why)
			assert.NotEmpty(t, err.Why.EN)
			if tt.line != 0 {
				assert.Equal(t, tt.line, err.Line)
			}
		})
	}
}

func TestJudgeQuiz(t *testing.T) {
	key := digests("salt", map[string]string{"q1": "b", "q2": "c", "q3": "a", "q4": "d", "q10": "a"})
	lines := map[string]int{"q1": 3, "q2": 5, "q3": 7, "q4": 9, "q10": 11}
	all := map[string]string{"q1": "b", "q2": "c", "q3": "a", "q4": "d", "q10": "a"}
	o := judgeQuiz(key, "salt", all, lines)
	assert.Equal(t, check.Pass, o.Status)

	some := map[string]string{"q1": "b", "q2": "?", "q3": "b", "q4": "d", "q10": "b"}
	o = judgeQuiz(key, "salt", some, lines)
	assert.Equal(t, check.Fail, o.Status)
	assert.Equal(t, "2/5 bonnes réponses ; sans réponse valide (une lettre a, b, c ou d) : q2 ; à revoir : q3, q10.", o.Message.FR)
	assert.Equal(t, "2/5 right answers; without a valid answer (one letter a, b, c or d): q2; to revisit: q3, q10.", o.Message.EN)
	assert.Equal(t, 5, o.Line, "points at the first question to fix")
	assert.NotContains(t, o.Message.FR+o.Actual.FR+o.Expected.FR, "c,", "never gives the right letters")
}

// TestSpecKeyMatchesSolution: the answer key lives in the spec; the reference solution
// must agree with it, and the starter must leave every question open.
func TestSpecKeyMatchesSolution(t *testing.T) {
	cat, err := lab.Load(labs.FS)
	require.NoError(t, err)
	spec, err := cat.Spec("lab1")
	require.NoError(t, err)
	key, err := parseKey(spec.Params["quiz-answers"])
	require.NoError(t, err)
	assert.Len(t, key, 4)
	for tree, want := range map[string]check.Status{"_solution": check.Pass, "_starter": check.Fail} {
		data, err := fs.ReadFile(labs.Source(), "lab1/"+tree+"/answers.yaml")
		require.NoError(t, err)
		answers, lines, perr := parseAnswers(data)
		require.Nil(t, perr)
		assert.Equal(t, want, judgeQuiz(key, spec.Params["quiz-salt"], answers, lines).Status, tree)
	}
}

func TestCheckQuizFiles(t *testing.T) {
	spec := &lab.Spec{Lab: "lab1", Params: map[string]string{"quiz-salt": "x",
		"quiz-answers": keyLine("x", map[string]string{"q1": "b", "q2": "c", "q3": "a", "q4": "d"})}}
	run := func(t *testing.T, setup func(dir string), refused ...buildctx.Problem) check.Outcome {
		dir := t.TempDir()
		setup(dir)
		s := stateFor(&grader.Run{Spec: spec, Files: dir, Refused: refused})
		o, err := s.checkQuiz(t.Context())
		require.NoError(t, err)
		return o
	}
	write := func(content string) func(string) {
		return func(dir string) {
			require.NoError(t, os.WriteFile(filepath.Join(dir, answersFile), []byte(content), 0o644))
		}
	}
	o := run(t, write("q1: b\nq2: c\nq3: a\nq4: d\n"))
	assert.Equal(t, check.Pass, o.Status)
	o = run(t, func(string) {})
	assert.Contains(t, o.Message.FR, "absent")
	o = run(t, func(dir string) { require.NoError(t, os.Mkdir(filepath.Join(dir, answersFile), 0o755)) })
	assert.Contains(t, o.Message.FR, "pas un fichier ordinaire")
	o = run(t, write(strings.Repeat("#", maxAnswersBytes+1)))
	assert.Contains(t, o.Message.FR, "trop gros")
	o = run(t, write("q1: b\nq1: c\n"))
	assert.Equal(t, check.Fail, o.Status)
	assert.Equal(t, 2, o.Line)
	o = run(t, func(string) {}, buildctx.Problem{Path: answersFile, Message: check.T("lien vers l'extérieur", "link outside")})
	assert.Equal(t, "answers.yaml est refusé : lien vers l'extérieur", o.Message.FR)
	assert.Equal(t, "answers.yaml is refused: link outside", o.Message.EN)
}

// FuzzParseAnswers: any file gives either answers or a reason, never a panic, and every
// answer comes with the line it was read from.
func FuzzParseAnswers(f *testing.F) {
	for _, s := range []string{"q1: b\n", "q1: \"?\"\nq2: [a]\n", "&a x: *a", "q1: a\nq1: b", "- 1\n", "{q1: a, q2: b}", "\xff", "---\n---\n",
		"a: &x [1]\nb: [*x, *x, *x]\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		answers, lines, err := parseAnswers(data)
		if err != nil {
			assert.Nil(t, answers)
			assert.NotEmpty(t, err.Why.FR)
			assert.NotEmpty(t, err.Why.EN)
			return
		}
		for k, v := range answers {
			assert.Positive(t, lines[k])
			assert.Equal(t, strings.ToLower(strings.TrimSpace(v)), v)
		}
	})
}
