package lab01

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseKeyValues(t *testing.T) {
	known := []string{"a", "b_c"}
	tests := []struct {
		name     string
		in       string
		want     map[string]string
		problems []int    // lines
		why      []string // French reasons, same order
	}{
		{name: "empty", in: "", want: map[string]string{}},
		{name: "plain", in: "a=1\nb_c=deux mots\n", want: map[string]string{"a": "1", "b_c": "deux mots"}},
		{name: "spaces and CRLF trimmed", in: "  a = 1 \r\n\n\tb_c=x\r\n", want: map[string]string{"a": "1", "b_c": "x"}},
		{name: "value keeps later equals", in: "a=x=y", want: map[string]string{"a": "x=y"}},
		{name: "empty value kept", in: "a=", want: map[string]string{"a": ""}},
		{name: "unknown keys ignored, even twice", in: "z=1\nz=2\na=3", want: map[string]string{"a": "3"}},
		{name: "garbage line", in: "a=1\nbonjour\n", want: map[string]string{"a": "1"}, problems: []int{2}, why: []string{"pas de la forme"}},
		{name: "comment is garbage", in: "# a=1", want: map[string]string{}, problems: []int{1}, why: []string{"n'est pas un nom"}},
		{name: "key with space", in: "noyau hote=1", want: map[string]string{}, problems: []int{1}, why: []string{"n'est pas un nom"}},
		{name: "empty key", in: "=1", want: map[string]string{}, problems: []int{1}, why: []string{"n'est pas un nom"}},
		{name: "duplicate known key", in: "a=1\nb_c=2\na=3", want: map[string]string{"a": "1", "b_c": "2"}, problems: []int{3}, why: []string{"déjà donnée ligne 1"}},
		{name: "binary", in: "a=1\n\x00\xff=2", want: map[string]string{"a": "1"}, problems: []int{2}, why: []string{"binaires"}},
		{name: "case matters", in: "A=1", want: map[string]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, problems := parseKeyValues(tt.in, known)
			assert.Equal(t, tt.want, got)
			require.Len(t, problems, len(tt.problems))
			for i, p := range problems {
				assert.Equal(t, tt.problems[i], p.Line)
				assert.Contains(t, p.Why.FR, tt.why[i])
				assert.NotEmpty(t, p.Why.EN)
			}
		})
	}
}

// FuzzParseKeyValues: whatever a script prints, the parser neither panics nor returns a key
// it was not asked for, every problem names a real line, and a clean result reads back the
// same once printed again.
func FuzzParseKeyValues(f *testing.F) {
	for _, s := range []string{"", "noyau_hote=6.1\npid_hote=42\n", "a\nb=c\n=\n", "pid_hote=1\npid_hote=2",
		"\x00\xff\r\n", strings.Repeat("x=y\n", 50), "hostname_conteneur = abc \r\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		values, problems := parseKeyValues(in, observeKeys)
		lines := strings.Count(in, "\n") + 1
		for k, v := range values {
			assert.Contains(t, observeKeys, k)
			assert.NotContains(t, v, "\n")
			assert.True(t, utf8.ValidString(v))
		}
		for _, p := range problems {
			assert.True(t, p.Line >= 1 && p.Line <= lines, "line %d of %d", p.Line, lines)
			assert.NotEmpty(t, p.Why.FR)
			assert.LessOrEqual(t, utf8.RuneCountInString(p.Text), 81)
		}
		if len(problems) == 0 {
			var b strings.Builder
			for k, v := range values {
				b.WriteString(k + "=" + v + "\n")
			}
			again, p2 := parseKeyValues(b.String(), observeKeys)
			assert.Empty(t, p2)
			assert.Equal(t, values, again)
		}
	})
}
