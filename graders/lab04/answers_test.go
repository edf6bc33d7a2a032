package lab04

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
)

func TestParseAnswers(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want answers // checked when msg is ""
		line int
		msg  string // French error substring
	}{
		{"reference", "code_sortie: 3\nvariable_manquante: DATABASE_URL\netat: exited\n",
			answers{ExitCode: 3, Variable: "DATABASE_URL", State: "exited"}, 0, ""},
		{"comments, quotes and another order", "# diag\netat: \"exited\"\ncode_sortie: '3'  # le code\nvariable_manquante: DATABASE_URL\n",
			answers{ExitCode: 3, Variable: "DATABASE_URL", State: "exited"}, 0, ""},
		{"CRLF line ends", "code_sortie: 3\r\nvariable_manquante: DATABASE_URL\r\netat: exited\r\n",
			answers{ExitCode: 3, Variable: "DATABASE_URL", State: "exited"}, 0, ""},
		{"starter: empty keys", "code_sortie:\nvariable_manquante:\netat:\n", answers{}, 1, "code_sortie est vide"},
		{"one empty key", "code_sortie: 3\nvariable_manquante: ''\netat: exited\n", answers{}, 2, "variable_manquante est vide"},
		{"missing key", "code_sortie: 3\netat: exited\n", answers{}, 0, "clé absente : variable_manquante"},
		{"unknown key", "code_sortie: 3\nvariable_manquante: X\netat: exited\nstatus: exited\n", answers{}, 4, "clé inconnue « status »"},
		{"duplicate key", "code_sortie: 3\ncode_sortie: 4\nvariable_manquante: X\netat: exited\n", answers{}, 2, "deux fois"},
		{"not a number", "code_sortie: trois\nvariable_manquante: X\netat: exited\n", answers{}, 1, "nombre entier"},
		{"a float", "code_sortie: 3.0\nvariable_manquante: X\netat: exited\n", answers{}, 1, "nombre entier"},
		{"a list", "code_sortie: [3]\nvariable_manquante: X\netat: exited\n", answers{}, 1, "valeur simple"},
		{"a nested mapping", "code_sortie: 3\nvariable_manquante:\n  nom: X\netat: exited\n", answers{}, 3, "valeur simple"},
		{"syntax error names its line", "code_sortie: 3\nvariable_manquante: X\netat exited\nfin: [\n", answers{}, 0, "YAML invalide"},
		{"tab indentation", "code_sortie: 3\n\tvariable_manquante: X\n", answers{}, 2, "YAML invalide"},
		{"a sequence at the top", "- code_sortie: 3\n", answers{}, 1, "clé: valeur"},
		{"plain text", "le code est 3", answers{}, 1, "clé: valeur"},
		{"empty", "", answers{}, 0, "vide"},
		{"only comments", "# rien\n", answers{}, 0, "vide"},
		{"two documents", "code_sortie: 3\nvariable_manquante: X\netat: exited\n---\nautre: 1\n", answers{}, 4, "un seul document"},
		{"binary", "code_sortie: 3\x00\xff", answers{}, 0, "pas un fichier texte"},
		{"huge", "code_sortie: 3\n" + strings.Repeat("# x\n", maxAnswerBytes/4), answers{}, 0, "octets"},
		{"alias as a value", "a: &x 3\ncode_sortie: *x\n", answers{}, 1, "clé inconnue « a »"},
		{"key that is a mapping", "? {a: 1}\n: 3\n", answers{}, 1, "simple nom"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseAnswers([]byte(tt.in))
			if tt.msg == "" {
				require.Nil(t, err)
				assert.Equal(t, tt.want.ExitCode, got.ExitCode)
				assert.Equal(t, tt.want.Variable, got.Variable)
				assert.Equal(t, tt.want.State, got.State)
				return
			}
			require.NotNil(t, err)
			assert.Contains(t, err.FR, tt.msg)
			assert.NotEmpty(t, err.EN)
			if tt.line > 0 {
				assert.Equal(t, tt.line, err.Line, err.FR)
			}
		})
	}
}

func TestParseAnswersLineOfYAMLError(t *testing.T) {
	_, err := parseAnswers([]byte("code_sortie: 3\nvariable_manquante: X\netat: [exited\n"))
	require.NotNil(t, err)
	assert.Positive(t, err.Line, "a syntax error names its line: %s", err.FR)
}

func TestJudgeAnswers(t *testing.T) {
	truthSeen := truth{ExitCode: 3, Variable: "DATABASE_URL", State: "exited"}
	lines := map[string]int{keyExitCode: 1, keyVariable: 2, keyState: 3}
	tests := []struct {
		name    string
		a       answers
		want    check.Status
		msg     string
		leakNot string // the right value must not appear in a failure
	}{
		{"right", answers{3, "DATABASE_URL", "exited", lines}, check.Pass, "Diagnostic exact", ""},
		{"$ before the name and Exited (3) as docker ps says it", answers{3, "$DATABASE_URL", "Exited (3) 2 seconds ago", lines}, check.Pass, "", ""},
		{"wrong code", answers{1, "DATABASE_URL", "exited", lines}, check.Fail, "code_sortie", ""},
		{"wrong variable", answers{3, "DB_URL", "exited", lines}, check.Fail, "variable_manquante", "DATABASE_URL"},
		{"lowercase variable is another variable", answers{3, "database_url", "exited", lines}, check.Fail, "variable_manquante", ""},
		{"wrong state", answers{3, "DATABASE_URL", "running", lines}, check.Fail, "etat", ""},
		{"everything wrong", answers{0, "X", "dead", lines}, check.Fail, "code_sortie, variable_manquante, etat", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeAnswers(tt.a, truthSeen, "ddlab/broken:1")
			assert.Equal(t, tt.want, o.Status, o.Message.FR)
			assert.Contains(t, o.Message.FR, tt.msg)
			if tt.want == check.Fail {
				assert.Equal(t, answerFile, o.File)
				assert.Positive(t, o.Line)
				assert.Contains(t, o.Actual.FR, "ligne ")
				if tt.leakNot != "" {
					assert.NotContains(t, o.Message.FR+o.Expected.FR+o.Actual.FR, tt.leakNot, "the answer is not given away")
				}
			}
		})
	}
}

func TestMissingVariable(t *testing.T) {
	tests := map[string]string{
		"legacy : lecture de la configuration…\nERREUR: variable DATABASE_URL manquante\n": "DATABASE_URL",
		"ERREUR: variable $API_KEY manquante":                                              "API_KEY",
		"error: missing environment variable REDIS_URL":                                    "REDIS_URL",
		"tout va bien": "",
		"":             "",
	}
	for logs, want := range tests {
		assert.Equal(t, want, missingVariable(logs), logs)
	}
}

// FuzzParseAnswers: whatever the student writes, the parser returns answers or an error with
// a sentence in both languages and a line inside the file, and never panics.
func FuzzParseAnswers(f *testing.F) {
	for _, s := range []string{
		"code_sortie: 3\nvariable_manquante: DATABASE_URL\netat: exited\n",
		"code_sortie:\nvariable_manquante:\netat:\n",
		"- a\n- b\n", "a: &x [1]\nb: *x\n", "{code_sortie: 3, etat: exited}", "---\n---\n",
		"code_sortie: !!binary aGVsbG8=\n", "? [a]\n: b\n", "\xff\xfe", "code_sortie: 99999999999999999999\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := parseAnswers(data)
		if err != nil {
			if err.FR == "" || err.EN == "" {
				t.Fatalf("error without a sentence: %#v", err)
			}
			if err.Line < 0 || err.Line > strings.Count(string(data), "\n")+strings.Count(string(data), "\r")+2 {
				t.Fatalf("line %d outside the file: %q", err.Line, err.FR)
			}
			return
		}
		for _, k := range answerKeys {
			if _, ok := a.Line[k]; !ok {
				t.Fatalf("answers without %s", k)
			}
		}
		if a.Variable == "" || a.State == "" {
			t.Fatalf("empty answer accepted: %#v", a)
		}
	})
}

func TestJudgeDiagnostic(t *testing.T) {
	const solution = "# Diagnostic de ddlab/broken:1, lancé sans variable d'environnement :\n" +
		"#   docker run --name diag ddlab/broken:1 ; docker logs diag\n" +
		"#   docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' diag\n" +
		"code_sortie: 3\nvariable_manquante: DATABASE_URL\netat: exited\n"
	const starter = "# Code de sortie du conteneur (un nombre).\ncode_sortie:\n# Nom de la variable.\nvariable_manquante:\n# État.\netat:\n"
	seen := &truth{ExitCode: 3, Variable: "DATABASE_URL", State: "exited"}
	file := func(s string) answerFileObs { return answerFileObs{Data: []byte(s)} }
	refused := check.T("diagnostic.yaml est refusé : lien hors du dossier", "diagnostic.yaml is refused: link outside the folder")
	tests := []struct {
		name     string
		o        diagnosticObs
		wantDone bool
		want     check.Status
		msg      string
		actual   string
	}{
		{"fixture solution", diagnosticObs{File: file(solution), Truth: seen}, true, check.Pass, "Diagnostic exact", ""},
		{"fixture starter: empty keys", diagnosticObs{File: file(starter)}, true, check.Fail, "code_sortie est vide", ""},
		{"fixture fail-answers: code_sortie 1", diagnosticObs{File: file(strings.Replace(solution, "code_sortie: 3", "code_sortie: 1", 1)), Truth: seen},
			true, check.Fail, "code_sortie ne correspond pas", "ligne 4 : code_sortie: 1"},
		{"fixture fail-restart-none: a YAML error", diagnosticObs{File: file(strings.Replace(solution, "etat: exited", "etat exited\nvariable_manquante: [DATABASE_URL", 1))},
			true, check.Fail, "diagnostic.yaml : ", "ligne 6 : etat exited"},
		{"readable, truth not seen yet", diagnosticObs{File: file(solution)}, false, 0, "", ""},
		{"missing", diagnosticObs{File: answerFileObs{Missing: true}}, true, check.Fail, "diagnostic.yaml est absent", "absent"},
		{"refused by the copy", diagnosticObs{File: answerFileObs{Missing: true, Refused: &refused}}, true, check.Fail, "est refusé", "absent"},
		{"unreadable", diagnosticObs{File: answerFileObs{ReadErr: errors.New("permission denied")}}, true, check.Fail, "est illisible : permission denied", ""},
	}
	for _, tt := range tests {
		tt.o.Image = "ddlab/broken:1"
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeDiagnostic(tt.o)
			checktest.Staged(t, o, done, tt.wantDone, tt.want, tt.msg)
			assert.Contains(t, o.Actual.FR, tt.actual)
		})
	}
}
