package dockerfile

import (
	"regexp"
	"strings"

	"github.com/ddlab/grade/internal/check"
)

// Explain says what is wrong in the student's words, in both languages: BuildKit's parse
// errors are English sentences about its own parser ("dockerfile parse error on line 2: COPY
// requires at least two arguments, but only one was provided. Destination could not be
// determined"); a student needs the instruction, what it lacks and how to write it. A message
// no rule knows is quoted as BuildKit wrote it.
func (p Problem) Explain() check.Text {
	msg := parseErrorPrefix.ReplaceAllString(p.Message, "")
	for _, r := range explanations {
		if m := r.re.FindStringSubmatch(msg); m != nil {
			args := make([]any, len(m)-1)
			for i, s := range m[1:] {
				args[i] = s
			}
			return check.T(r.fr, r.en, args...)
		}
	}
	msg = strings.TrimSpace(msg)
	return check.T("BuildKit refuse cette ligne : « %s ».", "BuildKit rejects this line: %q.", msg)
}

var parseErrorPrefix = regexp.MustCompile(`^dockerfile parse error (?:on )?line \d+: `)

type explanation struct {
	re     *regexp.Regexp
	fr, en string // formats over the submatches
}

// explanations hold BuildKit's messages (v0.25) and the grader's own, most specific first.
var explanations = []explanation{
	{regexp.MustCompile(`^unknown instruction: (\S+) \(did you mean (\S+)\?\)$`),
		"instruction inconnue `%s` : vouliez-vous écrire `%s` ?", "unknown instruction `%s`: did you mean `%s`?"},
	{regexp.MustCompile(`^unknown instruction: (\S+)`),
		"instruction inconnue `%s` : une ligne commence par une instruction (FROM, RUN, COPY, CMD…) ou une suite de ligne après « \\ ».",
		"unknown instruction `%s`: a line starts with an instruction (FROM, RUN, COPY, CMD…) or continues one after a \"\\\"."},
	{regexp.MustCompile(`^FROM requires either one or three arguments$`),
		"FROM s'écrit `FROM image` ou `FROM image AS nom` : ni plus, ni moins.", "FROM is written `FROM image` or `FROM image AS name`: no more, no less."},
	{regexp.MustCompile(`^(\w+) requires at least two arguments`),
		"%s demande au moins une source et une destination (`%[1]s source destination`).", "%s needs at least a source and a destination (`%[1]s source destination`)."},
	{regexp.MustCompile(`^(\w+) requires exactly one argument`),
		"%s demande exactement une valeur.", "%s takes exactly one value."},
	{regexp.MustCompile(`^(ARG|ENV) requires at least one argument`),
		"%s demande un nom (`%[1]s NOM=valeur`).", "%s needs a name (`%[1]s NAME=value`)."},
	{regexp.MustCompile(`^(\w+) requires at least one argument`),
		"%s demande au moins une valeur.", "%s needs at least one value."},
	{regexp.MustCompile(`^(\w+) must have two arguments`),
		"%s s'écrit `%[1]s clé=valeur`.", "%s is written `%[1]s key=value`."},
	{regexp.MustCompile(`^ENV names can not be blank`),
		"ENV sans nom de variable : écrivez `ENV NOM=valeur`.", "ENV without a variable name: write `ENV NAME=value`."},
	{regexp.MustCompile(`^Syntax error - can't find = in "(.*)"`),
		"« %s » n'a pas de = : écrivez `clé=valeur`.", "%q has no =: write `key=value`."},
	{regexp.MustCompile(`^unknown flag: (\S+)`),
		"option `%s` inconnue pour cette instruction : vérifiez son orthographe dans la documentation du Dockerfile.",
		"unknown option `%s` for this instruction: check its spelling in the Dockerfile reference."},
	{regexp.MustCompile(`^time: invalid duration "(.*)"`),
		"durée « %s » invalide : écrivez-la comme `30s`, `1m` ou `1m30s`.", "invalid duration %q: write it as `30s`, `1m` or `1m30s`."},
	{regexp.MustCompile(`^Missing command after HEALTHCHECK CMD`),
		"HEALTHCHECK CMD sans commande : écrivez `HEALTHCHECK CMD [\"/app\", \"healthcheck\"]`.", "HEALTHCHECK CMD without a command: write `HEALTHCHECK CMD [\"/app\", \"healthcheck\"]`."},
	{regexp.MustCompile(`^(\w+) isn't allowed as an ONBUILD trigger`),
		"%s n'est pas permis après ONBUILD.", "%s is not allowed after ONBUILD."},
	{regexp.MustCompile(`^no build stage in current context`),
		"une instruction précède le premier FROM : un Dockerfile commence par FROM (seuls ARG et les commentaires peuvent le précéder).",
		"an instruction comes before the first FROM: a Dockerfile starts with FROM (only ARG and comments may come before it)."},
	{regexp.MustCompile(`^(?:file with no instructions|dockerfile contains no stages to build)`),
		"aucune instruction FROM : le fichier ne décrit aucune image.", "no FROM instruction: the file describes no image."},
	{regexp.MustCompile(`^failed to parse stage name "(.*)": invalid reference format: repository name .* must be lowercase`),
		"nom d'image « %s » invalide : un nom d'image s'écrit en minuscules.", "invalid image name %q: image names are lowercase."},
	{regexp.MustCompile(`^failed to parse stage name "(.*)": invalid reference format`),
		"nom d'image « %s » invalide.", "invalid image name %q."},
	{regexp.MustCompile(`^base name \((.*)\) should not be blank`),
		"l'image de FROM (%s) est vide : l'ARG qu'elle utilise n'a pas de valeur par défaut avant le premier FROM.",
		"the FROM image (%s) is empty: the ARG it uses has no default before the first FROM."},
	{regexp.MustCompile(`^invalid containerPort: (.*)`),
		"port « %s » invalide dans EXPOSE : un numéro, éventuellement suivi de /tcp ou /udp.", "invalid port %q in EXPOSE: a number, optionally followed by /tcp or /udp."},
	{regexp.MustCompile(`^invalid chmod parameter: '(.*)'`),
		"--chmod=%s invalide : un mode octal entre 0 et 7777, comme `--chmod=755`.", "invalid --chmod=%s: an octal mode between 0 and 7777, such as `--chmod=755`."},
	{regexp.MustCompile(`^checksum requires HTTP\(S\) or Git sources`),
		"--checksum ne vaut que pour une source HTTP(S) ou Git.", "--checksum only applies to an HTTP(S) or Git source."},
	{regexp.MustCompile(`^the Dockerfile is too large: (\d+) bytes \(at most (\d+)\)`),
		"le Dockerfile est trop gros : %s octets (au plus %s).", "the Dockerfile is too large: %s bytes (at most %s)."},
	{regexp.MustCompile(`^the Dockerfile contains binary data \(NUL byte at line (\d+)\)`),
		"le Dockerfile contient des données binaires (octet nul, ligne %s) : enregistrez-le comme texte.", "the Dockerfile holds binary data (NUL byte, line %s): save it as text."},
	{regexp.MustCompile(`^the Dockerfile is not valid UTF-8 text \(invalid byte at line (\d+)\)`),
		"le Dockerfile n'est pas du texte UTF-8 (octet invalide, ligne %s) : enregistrez-le en UTF-8.", "the Dockerfile is not UTF-8 text (invalid byte, line %s): save it as UTF-8."},
	{regexp.MustCompile(`^the Dockerfile has too many instructions: (\d+) \(at most (\d+)\)`),
		"le Dockerfile a trop d'instructions : %s (au plus %s).", "the Dockerfile has too many instructions: %s (at most %s)."},
	{regexp.MustCompile(`^the Dockerfile's variables expand to too much text \(more than (\d+) bytes\)`),
		"les variables du Dockerfile se développent en trop de texte (plus de %s octets).", "the Dockerfile's variables expand to too much text (more than %s bytes)."},
	{regexp.MustCompile(`^the Dockerfile has too many arguments`),
		"le Dockerfile a trop d'arguments pour son nombre d'instructions.", "the Dockerfile has too many arguments for its number of instructions."},
	{regexp.MustCompile(`^EXPOSE port ranges are too large \(more than (\d+) ports\)`),
		"les plages de ports d'EXPOSE sont trop grandes (plus de %s ports).", "EXPOSE port ranges are too large (more than %s ports)."},
	{regexp.MustCompile(`^the Dockerfile defines too many variables and labels: more than (\d+)`),
		"le Dockerfile définit trop de variables et de labels : plus de %s clés ENV, ARG ou LABEL.", "the Dockerfile defines too many variables and labels: more than %s ENV, ARG or LABEL keys."},
	{regexp.MustCompile(`^the Dockerfile uses too many or too long variable names`),
		"le Dockerfile utilise trop de noms de variables, ou des noms trop longs.", "the Dockerfile uses too many variable names, or too long ones."},
	{regexp.MustCompile(`^the Dockerfile cannot be empty`),
		"le Dockerfile est vide.", "the Dockerfile is empty."},
	{regexp.MustCompile(`^analysis of the Dockerfile interrupted`),
		"l'analyse du Dockerfile a été interrompue.", "the analysis of the Dockerfile was interrupted."},
}
