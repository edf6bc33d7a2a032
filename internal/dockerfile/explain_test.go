package dockerfile

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
)

// TestExplain: what BuildKit says about a broken Dockerfile reaches the student in their
// language, naming the instruction and how to write it; an unknown message is quoted.
func TestExplain(t *testing.T) {
	tests := []struct {
		src    string
		line   int
		fr, en string
	}{
		{"FORM scratch\n", 1, "instruction inconnue `FORM` : vouliez-vous écrire `FROM` ?", "unknown instruction `FORM`: did you mean `FROM`?"},
		{"FROM a b\n", 1, "FROM s'écrit", "FROM is written"},
		{"FROM scratch\nCOPY\n", 2, "COPY demande au moins une source et une destination", "COPY needs at least a source and a destination"},
		{"FROM scratch\nRUN --foo x\n", 2, "option `--foo` inconnue", "unknown option `--foo`"},
		{"FROM scratch\nENV =x\n", 2, "ENV sans nom de variable", "ENV without a variable name"},
		{"FROM scratch\nHEALTHCHECK --interval=x CMD a\n", 2, "durée « x » invalide", `invalid duration "x"`},
		{"FROM Scratch:UPPER\n", 1, "minuscules", "lowercase"},
		{"RUN x\n", 1, "une instruction précède le premier FROM", "an instruction comes before the first FROM"},
		{"# only comment\n", 1, "aucune instruction FROM", "no FROM instruction"},
		{"FROM scratch\nEXPOSE abc\n", 2, "port « abc » invalide dans EXPOSE", `invalid port "abc" in EXPOSE`},
		{"FROM scratch\nUSER\n", 2, "USER demande exactement une valeur.", "USER takes exactly one value."},
		{"FROM scratch\nLABEL a\n", 2, "LABEL s'écrit `LABEL clé=valeur`.", "LABEL is written `LABEL key=value`."},
		{"FROM scratch\nHEALTHCHECK CMD\n", 2, "HEALTHCHECK CMD sans commande", "HEALTHCHECK CMD without a command"},
		{"FROM $X\n", 1, "l'ARG qu'elle utilise n'a pas de valeur par défaut", "the ARG it uses has no default"},
		{"FROM scratch\nCOPY --chmod=999 a b\n", 2, "--chmod=999 invalide", "invalid --chmod=999"},
		{"", 0, "le Dockerfile est vide.", "the Dockerfile is empty."},
		{"FROM scratch\x00\n", 1, "données binaires", "binary data"},
	}
	for _, tt := range tests {
		t.Run(tt.en, func(t *testing.T) {
			a := Analyze(context.Background(), "Dockerfile", []byte(tt.src))
			require.NotNil(t, a.ParseError)
			assert.Equal(t, tt.line, a.ParseError.Line)
			got := a.ParseError.Explain()
			assert.Contains(t, got.FR, tt.fr)
			assert.Contains(t, got.EN, tt.en)
			assert.Empty(t, check.Foreign("fr", got.FR), got.FR)
			assert.Empty(t, check.Foreign("en", got.EN), got.EN)
			assert.NotContains(t, got.FR+got.EN, "dockerfile parse error", "the parser's own words stay out")
		})
	}
	unknown := Problem{Message: "dockerfile parse error on line 3: something new happened"}.Explain()
	assert.Equal(t, "BuildKit refuse cette ligne : « something new happened ».", unknown.FR)
	assert.True(t, strings.HasPrefix(unknown.EN, `BuildKit rejects this line: "something new happened"`))
}
