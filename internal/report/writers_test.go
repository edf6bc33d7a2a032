package report

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
)

// sgr matches the colour sequences Text{Color: true} writes itself.
var sgr = regexp.MustCompile(`\x1b\[[0-9;]*m`)

// TestWritersSafeOutput checks, for every writer and fixture, what must hold whatever the
// student did: valid UTF-8, no control character but LF and TAB (and Text's own colours),
// and no line that a CI runner would read as a workflow command.
func TestWritersSafeOutput(t *testing.T) {
	for _, fx := range fixtures {
		for _, wr := range writers {
			t.Run(fx.name+"."+wr.ext, func(t *testing.T) {
				var buf bytes.Buffer
				require.NoError(t, wr.writer.Write(&buf, fx.report()))
				out := buf.String()
				if text, ok := wr.writer.(Text); ok && text.Color {
					assert.Contains(t, out, "\x1b[", "Color: true must colour")
					out = sgr.ReplaceAllString(out, "")
				}

				require.True(t, utf8.ValidString(out), "output must be valid UTF-8")
				assert.NotContains(t, out, "\uFFFD", "a replacement character means something escaped sanitising")
				for i, r := range out {
					if unicode.IsControl(r) && r != '\n' && r != '\t' {
						t.Fatalf("control character %U at byte %d in:\n%s", r, i, out)
					}
				}
				for n, line := range strings.Split(out, "\n") {
					rest := strings.TrimLeftFunc(line, unicode.IsSpace)
					assert.False(t, strings.HasPrefix(rest, "::"), "line %d is a workflow command: %q", n+1, line)
					assert.NotContains(t, line, "##[", "line %d holds a legacy workflow command", n+1)
				}
			})
		}
	}
}

func TestWritersNilReport(t *testing.T) {
	for _, wr := range writers {
		err := wr.writer.Write(&bytes.Buffer{}, nil)
		assert.ErrorIs(t, err, errNilReport, wr.ext)
	}
}

func TestWritersDoNotModifyReport(t *testing.T) {
	for _, wr := range writers {
		r, want := reportMixed(), reportMixed()
		require.NoError(t, wr.writer.Write(&bytes.Buffer{}, r))
		assert.Equal(t, want, r, wr.ext)
	}
}

type failingWriter struct{}

var errDiskFull = errors.New("disk full")

func (failingWriter) Write([]byte) (int, error) { return 0, errDiskFull }

func TestWritersReturnWriteErrors(t *testing.T) {
	for _, wr := range writers {
		assert.ErrorIs(t, wr.writer.Write(failingWriter{}, reportAllPass()), errDiskFull, wr.ext)
	}
}

// TestInvalidStatus checks that a result with no valid status (a runner bug) is shown as an
// error everywhere, so the counts still add up.
func TestInvalidStatus(t *testing.T) {
	r := reportAllPass()
	r.Results[1].Status = 0

	var text, js, junit bytes.Buffer
	require.NoError(t, Text{}.Write(&text, r))
	require.NoError(t, JSON{}.Write(&js, r))
	require.NoError(t, JUnit{}.Write(&junit, r))

	assert.Contains(t, text.String(), "! erreur  lab3.base-image")
	assert.Contains(t, text.String(), "erreurs\u00a0: 1)")
	assert.Contains(t, js.String(), `"status": "error"`)
	assert.Contains(t, js.String(), `"errors": 1`)
	assert.Contains(t, junit.String(), `errors="1"`)
	assert.Contains(t, junit.String(), `type="GraderError"`)
}

func TestTextLanguage(t *testing.T) {
	tests := []struct {
		name    string
		report  func() *Report
		want    []string
		notWant []string
	}{
		{
			name:   "french typography",
			report: reportMixed,
			want: []string{
				"✘ échoué  lab5.healthcheck ", "attendu\u00a0: HEALTHCHECK", "obtenu\u00a0: (aucune)",
				"indice\u00a0: Ajoutez", "fichier\u00a0: rendus/élève-1/Dockerfile:3", "Score\u00a0: 2,5/10 (25\u00a0%)",
				"(0/2,5)", "(+0/1)", "– ignoré  lab5.volume-data", "! erreur  lab5.persist",
				"    obtenu\u00a0:\n      #5 [2/3] RUN apt-get install -y curl\n",
			},
			notWant: []string{"expected", "Cet indice ne doit pas apparaître", "\x1b"},
		},
		{
			name:    "english",
			report:  reportEnglish,
			want:    []string{"✔ passed ", "✘ failed ", "– skipped", "expected: no ports", "actual:\n", "hint: Remove", "file: compose.yaml:14", "Score: 3/6 (50%)", "(+0/1)"},
			notWant: []string{"attendu", "/home/alice/lab6/compose.yaml"},
		},
		{
			name:    "gates have no points, excluded checks are not scored",
			report:  reportStatic,
			want:    []string{"(non évaluée, 2 pts)", "Score\u00a0: 3/3 (100\u00a0%)\u00a0; 2 points non évalués", "◐ Les vérifications évaluées sont réussies, mais 1 vérification obligatoire n'a pas été évaluée"},
			notWant: []string{"Toutes les vérifications obligatoires sont réussies"},
		},
		{
			name:   "grading error",
			report: reportGradeError,
			want:   []string{"! Erreur\u00a0:\n    moteur Docker injoignable", "Score\u00a0: 0/12 (0\u00a0%)", "✘ Des vérifications"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, Text{}.Write(&buf, tt.report()))
			for _, s := range tt.want {
				assert.Contains(t, buf.String(), s)
			}
			for _, s := range tt.notWant {
				assert.NotContains(t, buf.String(), s)
			}
		})
	}
}

func TestTextGateHasNoPoints(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, Text{}.Write(&buf, reportAllPass()))
	assert.Contains(t, buf.String(), "L'image se construit\n", "a gate shows no points")
	assert.Contains(t, buf.String(), "Image de moins de 150 Mo (+1/1)")
}

func TestTextBuildLogShownOnce(t *testing.T) {
	r := reportMixed()
	var buf bytes.Buffer
	require.NoError(t, Text{}.Write(&buf, r))
	assert.Equal(t, 1, strings.Count(buf.String(), "annotation forgée"), "the build check's actual is the log tail")

	r.Results[1].Actual = ""
	buf.Reset()
	require.NoError(t, Text{}.Write(&buf, r))
	assert.Contains(t, buf.String(), "Fin du journal de construction\u00a0:\n    #5 [2/3]")
	assert.Equal(t, 1, strings.Count(buf.String(), "annotation forgée"))
}

func TestPoints(t *testing.T) {
	tests := []struct {
		x      float64
		fr, en string
	}{
		{0, "0", "0"},
		{-0.0001, "0", "0"},
		{2.5, "2,5", "2.5"},
		{0.1 + 0.2, "0,3", "0.3"},
		{10, "10", "10"},
		{1.0 / 3, "0,33", "0.33"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.fr, french.num(tt.x))
		assert.Equal(t, tt.en, english.num(tt.x))
	}
	assert.Equal(t, "+1/1", french.pointsOf(check.Result{Kind: "bonus", Points: 1, MaxPoints: 1}))
	assert.Equal(t, "", french.pointsOf(check.Result{Kind: "gate"}))
	assert.Equal(t, "not evaluated, 2 pts", english.pointsOf(check.Result{Kind: "required", Excluded: true, MaxPoints: 2}))
	assert.Equal(t, "hors barème", french.pointsOf(check.Result{Kind: "bonus", Excluded: true}))
}

// TestFixFirst: a failed gate comes before a failed required check, which comes before
// nothing; bonuses and skips are never the first thing to fix.
func TestFixFirst(t *testing.T) {
	res := func(id, kind string, st check.Status) check.Result {
		return check.Result{ID: id, Kind: kind, Status: st}
	}
	tests := []struct {
		name    string
		results []check.Result
		want    string
	}{
		{"a gate first", []check.Result{res("a", "required", check.Fail), res("g", "gate", check.Fail)}, "g"},
		{"the first required", []check.Result{res("b", "bonus", check.Fail), res("a", "required", check.Fail), res("c", "required", check.Fail)}, "a"},
		{"skips and bonuses are not it", []check.Result{res("s", "required", check.Skip), res("b", "bonus", check.Fail)}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := (&Report{Results: tt.results}).FixFirst()
			if tt.want == "" {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			assert.Equal(t, tt.want, got.ID)
		})
	}
}

func TestPartialVerdictPlural(t *testing.T) {
	assert.Contains(t, french.partial(1), "mais 1 vérification obligatoire n'a pas été évaluée\u00a0:")
	assert.Contains(t, french.partial(10), "mais 10 vérifications obligatoires n'ont pas été évaluées\u00a0:")
	assert.Contains(t, english.partial(1), "but 1 required check was not evaluated:")
	assert.Contains(t, english.partial(10), "but 10 required checks were not evaluated:")
}

// TestTextWrapsToWidth: on a terminal, sentences fit its width and never break at a
// non-breaking space; data blocks (a build log) keep their lines.
func TestTextWrapsToWidth(t *testing.T) {
	for _, width := range []int{40, 60, 80} {
		var buf bytes.Buffer
		require.NoError(t, Text{Width: width}.Write(&buf, reportMixed()))
		var data bool
		for _, line := range strings.Split(buf.String(), "\n") {
			if strings.HasSuffix(line, "\u00a0:") && !strings.Contains(strings.TrimSpace(line), " ") {
				data = true // a label alone: the lines after it are data
				continue
			}
			if data && strings.HasPrefix(line, "      ") {
				continue
			}
			data = false
			if strings.Contains(line, "  lab5.") {
				continue // a check's heading line: its ID column and title
			}
			if strings.Count(strings.TrimSpace(line), " ") > 1 { // a word longer than a line stays whole
				assert.LessOrEqual(t, utf8.RuneCountInString(line), width, "width %d: %q", width, line)
			}
			assert.False(t, strings.HasPrefix(strings.TrimSpace(line), "\u00a0") || strings.HasPrefix(strings.TrimSpace(line), ":"), "broken at a non-breaking space: %q", line)
		}
		assert.Contains(t, buf.String(), "#5 ERROR: process \"/bin/sh -c apt-get install -y curl\" did not complete successfully: exit code: 100", "data keeps its lines")
	}
	var whole bytes.Buffer
	require.NoError(t, Text{}.Write(&whole, reportMixed()))
	assert.Contains(t, whole.String(), "→ À corriger d'abord\u00a0: lab5.builds — La construction a échoué à l'étape 2/3. Vérifiez le nom du paquet, et lancez apt-get update && apt-get install dans le même RUN.\n", "no width: no wrapping")
}

// TestRereadNamesTheSection: the summary sends the student to the part of the chapter that
// teaches what the first check to fix asserts, when the spec names it.
func TestRereadNamesTheSection(t *testing.T) {
	for _, tt := range []struct{ lang, section, want string }{
		{"fr", "Builds multi-étapes", "→ À relire\u00a0: chapitre 5, «\u00a0Builds multi-étapes\u00a0».\n"},
		{"en", "Multi-stage builds", "→ To reread: chapter 5, “Multi-stage builds”.\n"},
		{"fr", "", "→ À relire\u00a0: le chapitre 5 du cours.\n"},
	} {
		r := reportMixed()
		r.Lang = tt.lang
		for i := range r.Results {
			r.Results[i].Section = tt.section
		}
		var buf bytes.Buffer
		require.NoError(t, Text{}.Write(&buf, r))
		assert.True(t, strings.HasSuffix(buf.String(), tt.want), "%s", buf.String())
	}
}
