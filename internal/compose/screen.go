package compose

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ddlab/grade/internal/check"
)

// Problem is one thing wrong in a student's file, placed as precisely as we can. Message is
// the French sentence and EN the same in English: students read it in the report's language.
type Problem struct {
	File         string
	Line, Column int
	Path         string // dotted path in the document (services.web.ports[0]), "" when unknown
	Message      string // in French
	EN           string // in English; "" only in problems made outside this package
	// Syntax marks a file that is not YAML at all (indentation, tabs, an unclosed quote),
	// whose fix differs from a well-formed file that says the wrong thing.
	Syntax bool
}

// String renders `compose.yaml:7:20 services.web.depends_on.db.condition : message`, the
// shape editors and terminals turn into links. It is the French rendering.
func (p Problem) String() string {
	if w := p.where(); w != "" {
		return w + " : " + p.Message
	}
	return p.Message
}

// Text is the message alone, in both languages (the French one when EN is empty).
func (p Problem) Text() check.Text {
	en := p.EN
	if en == "" {
		en = p.Message
	}
	return check.Text{FR: p.Message, EN: en}
}

// Say is String in both languages: the same place, then « : » (with a non-breaking space
// before it, as French typography wants) or ": ", then the message.
func (p Problem) Say() check.Text {
	t := p.Text()
	if w := p.where(); w != "" {
		return check.Text{FR: w + "\u00a0: " + t.FR, EN: w + ": " + t.EN}
	}
	return t
}

// where is the place of String: `compose.yaml:7:20 services.web.ports[0]`, "" when unknown.
func (p Problem) where() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
		if p.Column > 0 {
			fmt.Fprintf(&b, ":%d", p.Column)
		}
	}
	if p.Path != "" {
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(p.Path)
	}
	return b.String()
}

// problemAt makes a problem saying t.
func problemAt(file string, line, col int, path string, t check.Text) Problem {
	return Problem{File: file, Line: line, Column: col, Path: path, Message: t.FR, EN: t.EN}
}

// Limits of Screen. A real Compose file for a lab is a few kB, a few hundred nodes and less
// than ten levels deep; these bounds are far above that and far below what hurts.
const (
	maxFileBytes      = 1 << 20
	maxDepth          = 64    // nested mappings/sequences, aliases followed
	maxNodes          = 10000 // nodes written in the file
	maxAliasExpansion = 10000 // extra nodes that following the aliases would produce
	maxDollarsScalar  = 200   // `$` in one value
	maxDollarsFile    = 2000  // `$` in the whole file, aliases followed
	maxDependencyWalk = 10000 // paths compose-go's dependency-cycle search would walk
	maxPortRanges     = 2000  // ports named by the ranges of `ports:` strings ("8000-8010:8000-8010" is 22)
)

// Screen is the cheap guard run on each raw file before compose-go sees it. Measured on
// compose-go v2.9.1, none of which its context timeout stops:
//   - it follows aliases itself, with no bound, before its YAML decoder's own alias check runs
//     (loader.ResetProcessor): a billion-laughs file or a `<<: *self` cycle keeps it busy for
//     minutes and eats gigabytes;
//   - its interpolation is worse than quadratic in the `$` of one value: 5000 `${A:-x}` in one
//     string (35 kB) take 15 s, 10000 take a minute;
//   - its dependency-cycle search (graph.searchCycle) walks every path of the depends_on/links
//     graph: 25 services that each depend on all the previous ones take minutes;
//   - `extends` copies a service into another: a chain of 100 services extending a service of
//     3000 environment entries takes 11 s;
//   - it expands port ranges: `ports: ["1-65535:1-65535"]` alone takes 7 s (and would publish
//     65535 ports);
//   - its schema validator (jsonschema v6) panics on more than 20 `.nan` in a uniqueItems list.
//
// A file that passes triggers none of the above. Screen's own cost is linear in the file, at
// worst about a second and 200 MB of short-lived allocations (go-yaml's node tree of a 1 MiB
// flow mapping). Returns nil when the file may be loaded.
func Screen(name string, data []byte) (p *Problem) {
	defer func() {
		// go-yaml turns its own failures into errors; anything else escaping it is a bug we
		// would rather report as unreadable YAML than crash the grader with (compose-go, which
		// uses the same parser, would crash on it too).
		if r := recover(); r != nil {
			q := problemAt(name, 0, 0, "", unreadableYAML)
			p = &q
		}
	}()
	return screen(name, data)
}

var unreadableYAML = check.T("YAML illisible : l'analyseur YAML a échoué sur ce fichier ; vérifiez sa syntaxe (indentation, guillemets, crochets)",
	"unreadable YAML: the YAML parser failed on this file; check its syntax (indentation, quotes, brackets)")

// screen is Screen without the safety net, so that the fuzz tests see panics.
func screen(name string, data []byte) *Problem {
	if len(data) > maxFileBytes {
		p := problemAt(name, 0, 0, "", check.T(
			"fichier trop gros (%d octets) : un fichier Compose ne doit pas dépasser 1 Mio",
			"file too large (%d bytes): a Compose file must not exceed 1 MiB", len(data)))
		return &p
	}
	if p := checkEncoding(name, data); p != nil {
		return p
	}
	doc, p := parseSingle(name, data)
	if p != nil || doc == nil {
		return p
	}
	s := screener{name: name, memo: map[*yaml.Node]nodeStat{}, onPath: map[*yaml.Node]bool{}}
	if p := s.raw(doc, 0); p != nil {
		return p
	}
	if p := s.expanded(doc); p != nil {
		return p
	}
	return s.services(doc)
}

// checkEncoding refuses what the YAML reader would refuse with no position: bytes that are
// not UTF-8 (often a file saved as Latin-1 or UTF-16 by a Windows editor) and control
// characters.
func checkEncoding(name string, data []byte) *Problem {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		p := problemAt(name, 1, 1, "", check.T(
			"fichier encodé en UTF-16 : enregistrez-le en UTF-8 (sans BOM)",
			"file encoded in UTF-16: save it as UTF-8 (without a BOM)"))
		return &p
	}
	line, col := 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			p := problemAt(name, line, col, "", check.T(
				"octet 0x%02X invalide en UTF-8 : enregistrez le fichier en UTF-8 (pas en Latin-1/Windows-1252)",
				"byte 0x%02X is not valid UTF-8: save the file as UTF-8 (not as Latin-1/Windows-1252)", data[i]))
			return &p
		}
		if !yamlPrintable(r) {
			p := problemAt(name, line, col, "", check.T(
				"caractère de contrôle U+%04X interdit dans un fichier YAML : retirez-le",
				"control character U+%04X is not allowed in a YAML file: remove it", r))
			return &p
		}
		if isBreak(data, i) {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return nil
}

// yamlPrintable mirrors the YAML reader's own test (readerc.go).
func yamlPrintable(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || (r >= 0x20 && r <= 0x7E) || r == 0x85 ||
		(r >= 0xA0 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// parseSingle returns the only document of the stream, nil for an empty stream (compose-go
// then says "empty compose file" for the project, which is right for an empty override).
func parseSingle(name string, data []byte) (*yaml.Node, *Problem) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, syntaxProblem(name, data, err)
	}
	var next yaml.Node
	err := dec.Decode(&next)
	if errors.Is(err, io.EOF) {
		return &doc, nil
	}
	// compose-go would merge the documents of a stream; the course wants one document, and a
	// stray `---` is almost always a copy-paste accident.
	line := docMarkerAfter(data, firstLine(&doc))
	if line == 0 && err == nil {
		line = firstLine(&next)
	}
	p := problemAt(name, line, 1, "", check.T(
		"plusieurs documents YAML dans le fichier (séparateur « --- ») : un fichier Compose n'en contient qu'un seul, "+
			"retirez ce « --- »",
		`several YAML documents in the file ("---" separator): a Compose file holds only one, remove this "---"`))
	return nil, &p
}

func firstLine(doc *yaml.Node) int {
	if len(doc.Content) > 0 {
		return doc.Content[0].Line
	}
	return doc.Line
}

// docMarkerAfter finds the first `---` line after line `after`.
func docMarkerAfter(data []byte, after int) int {
	for i, span := range splitLines(data) {
		l := data[span.start:span.end]
		if i+1 > after && bytes.HasPrefix(l, []byte("---")) && (len(l) == 3 || l[3] == ' ' || l[3] == '\t' || breakLen(l, 3) > 0) {
			return i + 1
		}
	}
	return 0
}

var yamlErrLine = regexp.MustCompile(`^yaml: (?:line (\d+): )?(.*)$`)

// syntaxProblem turns a go-yaml syntax error into a problem for the student. go-yaml v3 reports the
// line where the enclosing block started (and 0-based at that), not the line at fault: for a
// key indented one space too little it names the parent mapping's line. So the faulty line is
// searched for: it is the first line whose prefix of the file already fails with the very same
// error. Prefixes of valid YAML cut at a line end stay valid YAML, so this is a binary search
// over a property that holds from the faulty line on (log2(lines) parses, all bounded by the
// file).
// YAMLSyntax explains a go-yaml syntax error in a student's YAML file (not only Compose
// files: lab answers too): the faulty line, found as syntaxProblem does, and what to fix.
func YAMLSyntax(name string, data []byte, err error) Problem {
	return *syntaxProblem(name, data, err)
}

func syntaxProblem(name string, data []byte, err error) *Problem {
	msg := err.Error()
	m := yamlErrLine.FindStringSubmatch(msg)
	if m == nil {
		p := problemAt(name, 0, 0, "", yamlText(msg))
		p.Syntax = true
		return &p
	}
	reported, _ := strconv.Atoi(m[1])
	what := m[2]
	lines := splitLines(data)
	line := 0
	if len(lines) > 0 {
		lo, hi := max(1, reported), len(lines)
		if lo > hi {
			lo = hi
		}
		for lo < hi {
			mid := (lo + hi) / 2
			if sameSyntaxError(data[:lines[mid-1].end], msg) {
				hi = mid
			} else {
				lo = mid + 1
			}
		}
		line = lo
	}
	col := 0
	text := ""
	if line > 0 {
		text = string(data[lines[line-1].start:lines[line-1].end])
	}
	say := yamlText(what)
	switch what {
	case "found character that cannot start any token",
		"found a tab character that violates indentation",
		"found a tab character where an indentation space is expected":
		if i := strings.IndexByte(text, '\t'); i >= 0 {
			col = utf8.RuneCountInString(text[:i]) + 1
			say = tabText
		}
	case "did not find expected key", "did not find expected '-' indicator",
		"block sequence entries are not allowed in this context", "mapping values are not allowed in this context":
		if t := strings.TrimLeft(text, " "); t != "" && breakLen([]byte(t), 0) == 0 {
			col = utf8.RuneCountInString(text[:len(text)-len(t)]) + 1
		}
	}
	p := problemAt(name, line, col, "", say)
	p.Syntax = true
	return &p
}

func sameSyntaxError(prefix []byte, msg string) (same bool) {
	defer func() {
		if recover() != nil {
			same = false
		}
	}()
	var n yaml.Node
	err := yaml.NewDecoder(bytes.NewReader(prefix)).Decode(&n)
	return err != nil && err.Error() == msg
}

type lineSpan struct{ start, end int } // end includes the line break

// splitLines cuts lines where go-yaml counts them: \n, \r\n, a lone \r, NEL, LS and PS, so
// that our line numbers agree with the parser's.
func splitLines(data []byte) []lineSpan {
	var out []lineSpan
	start := 0
	for i := 0; i < len(data); {
		n := breakLen(data, i)
		if n == 0 {
			i++
			continue
		}
		out = append(out, lineSpan{start, i + n})
		i += n
		start = i
	}
	if start < len(data) {
		out = append(out, lineSpan{start, len(data)})
	}
	return out
}

// breakLen is the length of the line break starting at data[i], 0 when there is none.
func breakLen(data []byte, i int) int {
	switch {
	case data[i] == '\n':
		return 1
	case data[i] == '\r':
		if i+1 < len(data) && data[i+1] == '\n' {
			return 2
		}
		return 1
	case data[i] == 0xC2 && i+1 < len(data) && data[i+1] == 0x85:
		return 2
	case data[i] == 0xE2 && i+2 < len(data) && data[i+1] == 0x80 && (data[i+2] == 0xA8 || data[i+2] == 0xA9):
		return 3
	}
	return 0
}

// isBreak says whether the rune at data[i] ends a line (the \r of \r\n does not: its \n does).
func isBreak(data []byte, i int) bool {
	n := breakLen(data, i)
	return n > 0 && !(n == 2 && data[i] == '\r')
}

var tabText = check.T("tabulation interdite : YAML s'indente uniquement avec des espaces, remplacez-la par des espaces",
	"tab character not allowed: YAML is indented with spaces only, replace it with spaces")

// yamlText words go-yaml's problems for a student: what is wrong and the usual cause. What it
// does not know keeps go-yaml's words, quoted.
func yamlText(what string) check.Text {
	switch {
	case what == "did not find expected key":
		return check.T("indentation incorrecte : cette ligne n'est alignée sur aucune clé au-dessus (comptez les espaces en début de ligne)",
			"wrong indentation: this line lines up with no key above it (count the spaces at the start of the line)")
	case what == "found character that cannot start any token":
		return check.Lit("caractère inattendu en début de valeur (tabulation, « @ », « ` », « % ») : indentez avec des espaces, "+
			"et mettez entre guillemets une valeur qui commence par l'un de ces caractères",
			"unexpected character at the start of a value (tab, \"@\", \"`\", \"%\"): indent with spaces, "+
				"and put a value that starts with one of these characters in quotes")
	case strings.HasPrefix(what, "found a tab character"):
		return tabText
	case what == "mapping values are not allowed in this context":
		return check.T("« : » inattendu : indentation trop grande par rapport à la ligne au-dessus, ou valeur contenant « : » à mettre entre guillemets",
			`unexpected ":": this line is indented more than the line above, or a value contains ":" and must be put in quotes`)
	case what == "did not find expected '-' indicator":
		return check.T("élément de liste mal indenté : les « - » d'une même liste doivent être alignés",
			`list item badly indented: the "-" of one list must line up`)
	case what == "block sequence entries are not allowed in this context":
		return check.T("« - » inattendu : une liste commence à la ligne suivante, sous sa clé (`clé:⏎  - valeur`)",
			`unexpected "-": a list starts on the line after its key, under it (`+"`key:⏎  - value`)")
	case what == "mapping keys are not allowed in this context":
		return check.T("clé inattendue à cet endroit : vérifiez l'indentation",
			"unexpected key here: check the indentation")
	case what == "found unexpected end of stream":
		return check.T("fin de fichier inattendue : un guillemet, un crochet ou une accolade ouvert ici n'est jamais refermé",
			"unexpected end of file: a quote, bracket or brace opened here is never closed")
	case what == "did not find expected ',' or ']'":
		return check.T("liste entre crochets mal formée : « , » ou « ] » attendu (crochet non refermé ?)",
			`badly formed list in brackets: "," or "]" expected (a bracket left open?)`)
	case what == "did not find expected ',' or '}'":
		return check.T("objet entre accolades mal formé : « , » ou « } » attendu (accolade non refermée ?)",
			`badly formed mapping in braces: "," or "}" expected (a brace left open?)`)
	case what == "could not find expected ':'":
		return check.T("« : » attendu après une clé (clé sans valeur, ou guillemet non refermé ?)",
			`":" expected after a key (a key with no value, or a quote left open?)`)
	case what == "did not find expected node content":
		return check.T("valeur attendue à cet endroit (valeur manquante, ou crochet ou accolade non refermé ?)",
			"a value is expected here (a missing value, or a bracket or brace left open?)")
	case what == "found unknown escape character":
		return check.T("séquence d'échappement inconnue (\\…) entre guillemets doubles : utilisez des guillemets simples ou doublez la barre oblique inverse",
			"unknown escape sequence (\\…) in double quotes: use single quotes, or double the backslash")
	case what == "found unexpected document indicator":
		return check.T("« --- » ou « ... » en début de ligne au milieu d'une valeur : indentez cette ligne",
			`"---" or "..." at the start of a line inside a value: indent this line`)
	case strings.HasPrefix(what, "unknown anchor"):
		name := printable(strings.TrimSuffix(strings.TrimPrefix(what, "unknown anchor '"), "' referenced"))
		return check.T("alias *%[1]s sans ancre &%[1]s définie avant lui : placez l'ancre &%[1]s avant l'alias",
			"alias *%[1]s has no anchor &%[1]s defined before it: put the anchor &%[1]s before the alias", name)
	case strings.HasPrefix(what, "exceeded max depth"):
		return tooDeep
	}
	return sayf("syntaxe YAML invalide (l'analyseur YAML signale %s) : vérifiez l'indentation, les guillemets et les crochets",
		"invalid YAML syntax (the YAML parser reports %s): check the indentation, quotes and brackets", quote(what))
}

var (
	tooDeep = check.T("imbrication trop profonde (plus de %d niveaux) : simplifiez la structure",
		"nesting too deep (more than %d levels): flatten the structure", maxDepth)
	tooDeepAliases = check.T("imbrication trop profonde une fois les alias développés (plus de %d niveaux) : simplifiez la structure",
		"nesting too deep once the aliases are expanded (more than %d levels): flatten the structure", maxDepth)
)

// nodeStat is what following the aliases below a node would produce.
type nodeStat struct {
	size    int // nodes, aliases expanded (saturating)
	height  int // nested collections, aliases expanded
	dollars int // `$` in the values, aliases expanded (saturating)
}

type screener struct {
	name       string
	nodes      int
	aliases    []*yaml.Node
	mostDollar *yaml.Node // the value with the most `$`
	memo       map[*yaml.Node]nodeStat
	onPath     map[*yaml.Node]bool
}

func (s *screener) at(n *yaml.Node, t check.Text) *Problem {
	p := problemAt(s.name, n.Line, n.Column, "", t)
	return &p
}

// raw walks the tree as written (aliases not followed): node count, depth, numbers that are
// not finite.
func (s *screener) raw(n *yaml.Node, depth int) *Problem {
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		depth++
		if depth > maxDepth {
			return s.at(n, tooDeep)
		}
	}
	if n.Kind != yaml.DocumentNode {
		s.nodes++
		if s.nodes > maxNodes {
			return s.at(n, check.T("fichier trop complexe (plus de %d nœuds YAML) : simplifiez-le",
				"file too complex (more than %d YAML nodes): simplify it", maxNodes))
		}
	}
	switch n.Kind {
	case yaml.AliasNode:
		s.aliases = append(s.aliases, n)
	case yaml.ScalarNode:
		if d := strings.Count(n.Value, "$"); d > maxDollarsScalar {
			return s.at(n, check.T("trop de « $ » dans cette valeur (%d, maximum %d) : l'interpolation de Compose deviendrait extrêmement lente",
				`too many "$" in this value (%d, at most %d): Compose's interpolation would become extremely slow`, d, maxDollarsScalar))
		} else if d > 0 && (s.mostDollar == nil || d > strings.Count(s.mostDollar.Value, "$")) {
			s.mostDollar = n
		}
		// NaN/Inf reach compose-go's schema validator, which panics hashing them.
		if n.ShortTag() == "!!float" {
			var f float64
			if err := n.Decode(&f); err == nil && (math.IsNaN(f) || math.IsInf(f, 0)) {
				return s.at(n, sayf("nombre non fini %s refusé : mettez-le entre guillemets si c'est du texte",
					"non-finite number %s refused: put it in quotes if it is text", quote(n.Value)))
			}
		}
	}
	for _, c := range n.Content {
		if p := s.raw(c, depth); p != nil {
			return p
		}
	}
	return nil
}

const sizeCap = 1 << 40

// expanded measures the document as compose-go sees it, aliases followed, in time linear in
// the file thanks to the memo.
func (s *screener) expanded(doc *yaml.Node) *Problem {
	st, p := s.visit(doc, 0)
	if p != nil {
		return p
	}
	if st.size-s.nodes-1 <= maxAliasExpansion { // -1: the document node
		if st.dollars > maxDollarsFile {
			return s.at(s.mostDollar, check.T("trop de « $ » dans le fichier (plus de %d, alias développés) : l'interpolation de Compose deviendrait extrêmement lente",
				`too many "$" in the file (more than %d, aliases expanded): Compose's interpolation would become extremely slow`, maxDollarsFile))
		}
		return nil
	}
	worst := s.aliases[0]
	for _, a := range s.aliases {
		if s.memo[a.Alias].size > s.memo[worst.Alias].size {
			worst = a
		}
	}
	return s.at(worst, check.T("alias trop nombreux : suivre les alias (*%s…) produirait plus de %d nœuds (« bombe » YAML ?) ; "+
		"écrivez les valeurs sans empiler les alias",
		`too many aliases: following them (*%s…) would produce more than %d nodes (a YAML "bomb"?); `+
			"write the values without stacking aliases", printable(worst.Value), maxAliasExpansion))
}

func (s *screener) visit(n *yaml.Node, depth int) (nodeStat, *Problem) {
	if n.Kind == yaml.AliasNode {
		t := n.Alias
		if t == nil {
			return nodeStat{size: 1}, nil
		}
		if s.onPath[t] {
			return nodeStat{}, s.at(n, check.T("alias *%s récursif : il fait référence à un bloc qui le contient",
				"recursive alias *%s: it refers to a block that contains it", printable(n.Value)))
		}
		return s.visit(t, depth)
	}
	coll := 0
	if n.Kind == yaml.MappingNode || n.Kind == yaml.SequenceNode {
		coll = 1
	}
	if st, ok := s.memo[n]; ok {
		if depth+st.height > maxDepth {
			return st, s.at(n, tooDeepAliases)
		}
		return st, nil
	}
	if depth+coll > maxDepth {
		return nodeStat{}, s.at(n, tooDeepAliases)
	}
	s.onPath[n] = true
	st := nodeStat{size: 1}
	if n.Kind == yaml.ScalarNode {
		st.dollars = strings.Count(n.Value, "$")
	}
	for _, c := range n.Content {
		cs, p := s.visit(c, depth+coll)
		if p != nil {
			return st, p
		}
		st.size = min(st.size+cs.size, sizeCap)
		st.dollars = min(st.dollars+cs.dollars, sizeCap)
		st.height = max(st.height, cs.height)
	}
	st.height += coll
	delete(s.onPath, n)
	s.memo[n] = st
	return st, nil
}

// services bounds what compose-go does per service: port ranges, and the work of its
// dependency-cycle search, which enumerates every path of the service graph with no memo. The graph is the one compose-go builds after
// normalisation: depends_on, links, volumes_from and `service:` namespaces, plus what
// `extends` brings from a service of the same file. The walk is counted on that graph with
// edges back into the current path dropped (where compose-go stops with a cycle error).
func (s *screener) services(doc *yaml.Node) *Problem {
	if len(doc.Content) == 0 {
		return nil
	}
	servicesKey, services := yamlGet(resolveAlias(doc.Content[0]), "services", 0)
	if services = resolveAlias(services); services == nil || services.Kind != yaml.MappingNode {
		return nil
	}
	deps := map[string][]string{}
	extends := map[string]string{}
	extNode := map[string]*yaml.Node{}
	size := map[string]int{}
	ports := 0
	for _, e := range yamlEntries(services, 0) {
		svc := resolveAlias(e.val)
		if svc == nil || svc.Kind != yaml.MappingNode {
			continue
		}
		name := e.key.Value
		size[name] = s.memo[svc].size
		_, ps := yamlGet(svc, "ports", 0)
		if ps = resolveAlias(ps); ps != nil && ps.Kind == yaml.SequenceNode {
			for _, c := range ps.Content {
				if c = resolveAlias(c); c == nil || c.Kind != yaml.ScalarNode {
					continue
				}
				// Every range written counts, host and container side, defaults of
				// ${VAR:-…} included: an over-estimate that needs no interpolation.
				for _, m := range portRange.FindAllStringSubmatch(c.Value, -1) {
					lo, _ := strconv.Atoi(m[1])
					hi, _ := strconv.Atoi(m[2])
					ports = min(ports+max(hi-lo, 0)+1, sizeCap)
				}
				if ports > maxPortRanges {
					return s.at(c, check.T("plages de ports trop grandes (plus de %d ports au total) : publiez seulement les ports utiles",
						"port ranges too large (more than %d ports in all): publish only the ports you need", maxPortRanges))
				}
			}
		}
		var out []string
		_, d := yamlGet(svc, "depends_on", 0)
		switch d = resolveAlias(d); {
		case d == nil:
		case d.Kind == yaml.SequenceNode:
			for _, c := range seqScalars(d) {
				out = append(out, c)
			}
		case d.Kind == yaml.MappingNode:
			for _, c := range yamlEntries(d, 0) {
				out = append(out, c.key.Value)
			}
		}
		_, l := yamlGet(svc, "links", 0)
		for _, c := range seqScalars(resolveAlias(l)) {
			out = append(out, strings.SplitN(c, ":", 2)[0])
		}
		_, vf := yamlGet(svc, "volumes_from", 0)
		for _, c := range seqScalars(resolveAlias(vf)) {
			if !strings.HasPrefix(c, "container:") {
				out = append(out, strings.SplitN(c, ":", 2)[0])
			}
		}
		for _, ns := range []string{"network_mode", "ipc", "pid", "uts", "cgroup"} {
			_, v := yamlGet(svc, ns, 0)
			if v = resolveAlias(v); v != nil && v.Kind == yaml.ScalarNode && strings.HasPrefix(v.Value, "service:") {
				out = append(out, strings.TrimPrefix(v.Value, "service:"))
			}
		}
		_, ext := yamlGet(svc, "extends", 0)
		extNode[name] = ext
		switch ext = resolveAlias(ext); {
		case ext == nil:
		case ext.Kind == yaml.ScalarNode:
			extends[name] = ext.Value
		case ext.Kind == yaml.MappingNode:
			if _, f := yamlGet(ext, "file", 0); f == nil {
				if _, b := yamlGet(ext, "service", 0); resolveAlias(b) != nil {
					extends[name] = resolveAlias(b).Value
				}
			}
		}
		deps[name] = append(deps[name], out...)
	}
	// A service also depends on what the services it extends depend on, and gets a copy of
	// their content: bounded like the aliases.
	names := make([]string, 0, len(deps))
	for name := range deps {
		names = append(names, name)
	}
	sort.Strings(names)
	copied := 0
	for _, name := range names {
		seen := map[string]bool{name: true}
		for base, ok := extends[name]; ok && !seen[base]; base, ok = extends[base] {
			seen[base] = true
			deps[name] = append(deps[name], deps[base]...)
			copied = min(copied+size[base], sizeCap)
		}
		if copied > maxAliasExpansion {
			return s.at(extNode[name], check.T("trop de copies par « extends » : les services étendus produiraient plus de %d nœuds ; "+
				"raccourcissez la chaîne des « extends »",
				`too much copying through "extends": the extended services would produce more than %d nodes; `+
					`shorten the chain of "extends"`, maxAliasExpansion))
		}
	}
	const (
		white = iota
		grey
		black
	)
	color := map[string]int{}
	paths := map[string]int{}
	var walk func(string) int
	walk = func(v string) int {
		color[v] = grey
		n := 1
		seen := map[string]bool{}
		for _, c := range deps[v] {
			if _, known := deps[c]; !known || seen[c] || color[c] == grey {
				continue
			}
			seen[c] = true
			if color[c] == white {
				walk(c)
			}
			n = min(n+paths[c], sizeCap)
		}
		color[v] = black
		paths[v] = n
		return n
	}
	total := 0
	for v := range deps {
		if color[v] == white {
			walk(v)
		}
		total = min(total+paths[v], sizeCap)
	}
	if total <= maxDependencyWalk {
		return nil
	}
	at := servicesKey
	if at == nil {
		at = services
	}
	return s.at(at, check.T("dépendances entre services trop enchevêtrées (depends_on, links, volumes_from…) : "+
		"Compose mettrait des minutes à les vérifier ; ne déclarez que les dépendances directes",
		"dependencies between services too tangled (depends_on, links, volumes_from…): "+
			"Compose would take minutes to check them; declare only the direct dependencies"))
}

var portRange = regexp.MustCompile(`(\d{1,9})-(\d{1,9})`)

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func seqScalars(n *yaml.Node) []string {
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []string
	for _, c := range n.Content {
		if c = resolveAlias(c); c != nil && c.Kind == yaml.ScalarNode {
			out = append(out, c.Value)
		}
	}
	return out
}

type yamlEntry struct{ key, val *yaml.Node }

// yamlEntries lists a mapping's entries, merged ones (`<<: *x`) included after its own, first
// occurrence winning as in go-yaml. depth guards the merge chain (alias cycles are refused
// before this runs).
func yamlEntries(n *yaml.Node, depth int) []yamlEntry {
	if n == nil || n.Kind != yaml.MappingNode || depth > maxDepth {
		return nil
	}
	var out, merged []yamlEntry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge" {
			switch m := resolveAlias(v); {
			case m == nil:
			case m.Kind == yaml.MappingNode:
				merged = append(merged, yamlEntries(m, depth+1)...)
			case m.Kind == yaml.SequenceNode:
				for _, e := range m.Content {
					merged = append(merged, yamlEntries(resolveAlias(e), depth+1)...)
				}
			}
			continue
		}
		out = append(out, yamlEntry{k, v})
	}
	seen := map[string]bool{}
	var all []yamlEntry
	for _, e := range append(out, merged...) {
		if !seen[e.key.Value] {
			seen[e.key.Value] = true
			all = append(all, e)
		}
	}
	return all
}

// yamlGet returns the key and value nodes of key in a mapping, merges included.
func yamlGet(n *yaml.Node, key string, depth int) (*yaml.Node, *yaml.Node) {
	for _, e := range yamlEntries(n, depth) {
		if e.key.Value == key {
			return e.key, e.val
		}
	}
	return nil, nil
}
