package labs_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/labs"
)

// TestSpecTextsReadWell holds every lab's titles and hints to what a student can read at a
// glance: each language wholly itself, at most 20 words, no "(s)" plurals.
func TestSpecTextsReadWell(t *testing.T) {
	cat, err := lab.Load(labs.FS)
	require.NoError(t, err)
	for _, e := range cat.Labs {
		texts := map[string]check.Text{e.Lab + " title": e.Title}
		if e.Spec != nil {
			texts[e.Lab+" summary"] = e.Spec.Summary
		}
		for _, c := range specChecks(e) {
			texts[c.ID+" title"], texts[c.ID+" hint"], texts[c.ID+" section"] = c.Title, c.Hint, c.Section
			assert.NotEmpty(t, c.Section.FR, "%s names no section of chapter %d to reread", c.ID, e.Chapter)
			for cause, h := range c.Hints {
				texts[c.ID+" hint for "+cause] = h
			}
		}
		for what, text := range texts {
			for _, lang := range []string{"fr", "en"} {
				s := text.In(lang)
				assert.Empty(t, check.Foreign(lang, s), "%s [%s] mixes languages: %s", what, lang, s)
				if !strings.HasSuffix(what, " summary") { // a paragraph, not a line
					assert.LessOrEqual(t, words(s), 20, "%s [%s] is too long: %s", what, lang, s)
				}
				assert.NotContains(t, s, "(s)", "%s [%s]: write the plural", what, lang)
			}
		}
	}
}

func specChecks(e lab.Entry) []lab.CheckSpec {
	if e.Spec == nil {
		return nil
	}
	return e.Spec.Checks
}

// words counts what a reader reads as words: punctuation alone is not one.
func words(s string) int {
	n := 0
	for _, f := range strings.Fields(s) {
		if strings.IndexFunc(f, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0 {
			n++
		}
	}
	return n
}
