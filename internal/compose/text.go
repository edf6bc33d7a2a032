package compose

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"github.com/ddlab/grade/internal/check"
)

// The package's sentences are built in both languages at once. Values the student wrote, and
// the words of compose-go or go-yaml that no sentence here rewords, are quoted: « … » in
// French, "…" in English.

// sayf formats fr and en with the same arguments, each check.Text argument said in the
// sentence's own language.
func sayf(fr, en string, args ...any) check.Text {
	in := func(lang string) []any {
		out := make([]any, len(args))
		for i, a := range args {
			if t, ok := a.(check.Text); ok {
				a = t.In(lang)
			}
			out[i] = a
		}
		return out
	}
	return check.Text{FR: fmt.Sprintf(fr, in("fr")...), EN: fmt.Sprintf(en, in("en")...)}
}

// quote is a value or a foreign message quoted for each language, on one line and with its
// control characters escaped.
func quote(s string) check.Text {
	s = printable(s)
	return check.Text{FR: "« " + s + " »", EN: `"` + s + `"`}
}

// quoteAll quotes each value and joins them with commas.
func quoteAll(vs []string) check.Text {
	qs := make([]check.Text, len(vs))
	for i, v := range vs {
		qs[i] = quote(v)
	}
	return check.Join(qs, ", ", ", ")
}

// printable puts s on one line and escapes what a terminal would not show.
func printable(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return s
	}
	q := strconv.Quote(s)
	return strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`)
}

// count is n and its noun, singular or plural as each language wants (check.Count).
func count(n int, frOne, frMany, enOne, enMany string) check.Text {
	return check.Count(n, "%d "+frOne, "%d "+frMany, "%d "+enOne, "%d "+enMany)
}

// or joins alternatives: « a, b ou c », "a, b or c".
func or(xs []check.Text) check.Text {
	fr := make([]string, len(xs))
	en := make([]string, len(xs))
	for i, x := range xs {
		fr[i], en[i] = x.FR, x.EN
	}
	join := func(xs []string, last string) string {
		if len(xs) <= 1 {
			return strings.Join(xs, "")
		}
		return strings.Join(xs[:len(xs)-1], ", ") + last + xs[len(xs)-1]
	}
	return check.Text{FR: join(fr, " ou "), EN: join(en, " or ")}
}

// wantType names a JSON type a value must have, with its article: « une liste », "a list".
// One word per concept, in the words of the other messages: a YAML sequence is a list, a
// mapping is an « objet » in French.
func wantType(t string) check.Text {
	switch t {
	case "object":
		return check.Lit("un objet", "a mapping")
	case "array":
		return check.Lit("une liste", "a list")
	case "string":
		return check.Lit("une chaîne", "a string")
	case "number":
		return check.Lit("un nombre", "a number")
	case "integer":
		return check.Lit("un entier", "an integer")
	case "boolean":
		return check.Lit("un booléen", "a boolean")
	case "null":
		return check.Lit("une valeur vide", "an empty value")
	}
	return check.Text{FR: t, EN: t}
}

// gotType names the JSON type a value has, without article: « (reçu : liste) ».
func gotType(t string) check.Text {
	switch t {
	case "object":
		return check.Lit("objet", "mapping")
	case "array":
		return check.Lit("liste", "list")
	case "string":
		return check.Lit("chaîne", "string")
	case "number":
		return check.Lit("nombre", "number")
	case "integer":
		return check.Lit("entier", "integer")
	case "boolean":
		return check.Lit("booléen", "boolean")
	case "null":
		return check.Lit("valeur vide", "empty value")
	}
	return check.Text{FR: t, EN: t}
}
