package check

import (
	"regexp"
	"strings"
	"unicode"
)

// Foreign returns the words of s that belong to the other language of the course: French
// words in an English text (lang "en"), English words in a French one. A report is wholly
// in one language; this is how tests tell. Quoted spans ("…", «…», `…`), Dockerfile
// instructions (all capitals) and tokens that look like code (paths, key=value, names with
// dots or underscores) are data and are not judged.
func Foreign(lang, s string) []string {
	s = quoted.ReplaceAllString(s, " ")
	var bad []string
	for _, f := range strings.Fields(s) {
		if strings.HasPrefix(f, "-") {
			continue // a flag: --check, -p
		}
		f = strings.TrimFunc(f, func(r rune) bool { return !unicode.IsLetter(r) })
		if f == "" || strings.ContainsAny(f, "/=_.@$%{}[]<>:|\\#*+0123456789") {
			continue
		}
		if lang == "en" && strings.ContainsAny(f, "éèêëàâçùûôîïœÉÈÀÇ") {
			bad = append(bad, f)
			continue
		}
		for _, w := range strings.FieldsFunc(f, func(r rune) bool { return r == '\'' || r == '’' }) {
			if w == strings.ToUpper(w) && len(w) > 1 {
				continue // ENTRYPOINT, CMD, HTTP: the same in both languages
			}
			lw := strings.ToLower(w)
			if (lang == "en" && frenchWords[lw]) || (lang != "en" && englishWords[lw]) {
				bad = append(bad, w)
			}
		}
	}
	return bad
}

var quoted = regexp.MustCompile("\"[^\"\n]*\"|«[^»]*»|`[^`]*`|“[^”]*”")

// The words are those that cannot be the other language's: function words and the few
// content words the graders write as values (absent, aucun, vide…).
var frenchWords = set(`le la les des du un une est sont pas aucun aucune avec dans pour puis
	sans mais doit ne qui que cette ces été après avant ou et sur au aux ce son sa ses leur
	vous votre vos il elle rien vide absent absente introuvable démarré arrêté ligne fichier
	dossier conteneur conteneurs réseau réseaux état non oui moteur requête réponse répond
	seul seule entre chaque tous toutes même mêmes lancez placez ajoutez retirez corrigez
	vérifiez relancez lisez donne affiche manque manquant erreur échec réussi réussie`)

var englishWords = set(`the is are was were does did not with has have and of from which but this
	that should must cannot into only none missing nothing empty found it its they there their
	than then been when where while be prints answers
	reachable unreachable container containers network networks file folder line no yes`)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Typeset applies French typography to a sentence: a non-breaking space before « : ; ? ! »
// and "%", and inside « guillemets ». Code spans (`…`) are left alone, so a command the
// student copies stays exactly what they must type.
func Typeset(s string) string {
	if !strings.ContainsAny(s, ":;?!%«»") {
		return s
	}
	var b strings.Builder
	code := false
	rs := []rune(s)
	for i, r := range rs {
		if r == '`' {
			code = !code
		}
		if !code && r == ' ' {
			next, prev := rune(0), rune(0)
			if i+1 < len(rs) {
				next = rs[i+1]
			}
			if i > 0 {
				prev = rs[i-1]
			}
			after := rune(0)
			if i+2 < len(rs) {
				after = rs[i+2]
			}
			switch {
			case prev == '«', next == '»',
				strings.ContainsRune(":;?!", next) && (after == 0 || after == ' ' || after == '\n' || after == ')'),
				next == '%' && unicode.IsDigit(prev):
				b.WriteRune('\u00a0')
				continue
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}
