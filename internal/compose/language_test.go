package compose

import (
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"math/big"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
)

// assertBilingual checks that a problem says its message wholly in French and wholly in
// English, with each language's typography, that Say renders both as String renders the
// French, and that none of the hidden strings (the grader's private folder) shows.
func assertBilingual(t *testing.T, p Problem, hidden ...string) {
	t.Helper()
	require.NotEmpty(t, p.Message, "French message")
	require.NotEmpty(t, p.EN, "English message of %q", p.Message)
	assert.NotEqual(t, p.Message, p.EN, "the English message is a translation")
	assertLanguage(t, "fr", p.Message)
	assertLanguage(t, "en", p.EN)
	say := p.Say()
	assert.Empty(t, check.Foreign("fr", say.FR), "Say().FR holds English: %s", say.FR)
	assert.Empty(t, check.Foreign("en", say.EN), "Say().EN holds French: %s", say.EN)
	if w := p.where(); w != "" {
		assert.Equal(t, w+" : "+p.Message, p.String())
		assert.Equal(t, w+"\u00a0: "+p.Message, say.FR)
		assert.Equal(t, w+": "+p.EN, say.EN)
	} else {
		assert.Equal(t, check.Text{FR: p.Message, EN: p.EN}, say)
	}
	for _, h := range hidden {
		if h != "" {
			assert.NotContains(t, say.FR, h, "the grader's folder is not shown")
			assert.NotContains(t, say.EN, h, "the grader's folder is not shown")
		}
	}
}

var (
	spans     = regexp.MustCompile("«[^»]*»|`[^`]*`")
	enQuotes  = regexp.MustCompile(`"[^"\n]*"`)
	maybePlur = regexp.MustCompile(`\p{L}\((s|e|es)\)`)
	codeChars = "$/=_⏎*{}[]<>\\"
)

// assertLanguage checks one message: no word of the other language, and the typography of
// its own (French: « guillemets », a space before « : ; ? ! », no « (s) » plural; English:
// "quotes", no space before those signs).
func assertLanguage(t *testing.T, lang, s string) {
	t.Helper()
	assert.Empty(t, check.Foreign(lang, s), "[%s] words of the other language in %q", lang, s)
	if lang == "fr" {
		prose := spans.ReplaceAllString(s, "X") // quoted words are not ours
		assert.NotRegexp(t, maybePlur, prose, "no (s) plural: %q", s)
		assert.NotContains(t, prose, `"`, "French quotes are « »: %q", s)
		for _, f := range strings.Fields(prose) {
			f = strings.TrimRight(strings.TrimLeft(f, "("), "),")
			if len(f) > 1 && strings.ContainsAny(f[len(f)-1:], ":;?!") && !strings.ContainsAny(f, codeChars) {
				t.Errorf("no space before %q in %q", f[len(f)-1:], s)
			}
		}
		return
	}
	assert.NotContains(t, s, "«", "English quotes are \"…\": %q", s)
	prose := enQuotes.ReplaceAllString(spans.ReplaceAllString(s, "X"), "X")
	for _, f := range strings.Fields(prose) {
		if f == ":" || f == ";" || f == "?" || f == "!" {
			t.Errorf("a space before %q in English: %q", f, s)
		}
	}
}

func textProblem(tx check.Text) Problem {
	return Problem{File: "compose.yaml", Line: 3, Column: 5, Path: "services.web", Message: tx.FR, EN: tx.EN}
}

func TestProblemSay(t *testing.T) {
	for _, tc := range []struct {
		p      Problem
		fr, en string
	}{
		{Problem{File: "compose.yaml", Line: 7, Column: 20, Path: "services.web.ports[0]", Message: "m", EN: "e"},
			"compose.yaml:7:20 services.web.ports[0]\u00a0: m", "compose.yaml:7:20 services.web.ports[0]: e"},
		{Problem{File: "compose.yaml", Line: 3, Message: "m", EN: "e"}, "compose.yaml:3\u00a0: m", "compose.yaml:3: e"},
		{Problem{Path: "services", Message: "m", EN: "e"}, "services\u00a0: m", "services: e"},
		{Problem{Message: "m", EN: "e"}, "m", "e"},
		// Made outside the package with no English: the French stands for both.
		{Problem{File: "compose.yaml", Message: "m"}, "compose.yaml\u00a0: m", "compose.yaml: m"},
	} {
		assert.Equal(t, check.Text{FR: tc.fr, EN: tc.en}, tc.p.Say())
		assert.Equal(t, strings.Replace(tc.fr, "\u00a0:", " :", 1), tc.p.String(), "String is the French, unchanged")
	}
}

// Every go-yaml problem the student can meet, and some it never words, are said in each
// language; what is not known is quoted.
func TestYAMLTexts(t *testing.T) {
	known := []string{
		"did not find expected key",
		"found character that cannot start any token",
		"found a tab character that violates indentation",
		"found a tab character where an indentation space is expected",
		"mapping values are not allowed in this context",
		"did not find expected '-' indicator",
		"block sequence entries are not allowed in this context",
		"mapping keys are not allowed in this context",
		"found unexpected end of stream",
		"did not find expected ',' or ']'",
		"did not find expected ',' or '}'",
		"could not find expected ':'",
		"did not find expected node content",
		"found unknown escape character",
		"found unexpected document indicator",
		"unknown anchor 'web' referenced",
		"exceeded max depth of 10000",
	}
	for _, what := range known {
		t.Run(what, func(t *testing.T) {
			tx := yamlText(what)
			assertBilingual(t, textProblem(tx))
			assert.NotContains(t, tx.FR, what, "reworded, not passed through")
			assert.NotContains(t, tx.EN, what, "reworded, not passed through")
		})
	}
	for _, what := range []string{
		"did not find expected comment or line break",
		"could not find expected directive name",
		"found undefined tag handle",
		"yaml: something new in go-yaml, with \"quotes\"\nand a line break",
	} {
		t.Run(what, func(t *testing.T) {
			tx := yamlText(what)
			assertBilingual(t, textProblem(tx))
			one := strings.Join(strings.Fields(what), " ")
			assert.Contains(t, tx.FR, "« "+one+" »", "go-yaml's words are quoted")
			assert.Contains(t, tx.EN, `"`+one+`"`, "go-yaml's words are quoted")
		})
	}
	assert.Contains(t, yamlText("unknown anchor 'web' referenced").FR, "*web")
	assertBilingual(t, textProblem(unreadableYAML))
}

// Every kind of schema error is said in each language, numbers with the right plural.
func TestKindTexts(t *testing.T) {
	r := func(s string) *big.Rat { v, _ := new(big.Rat).SetString(s); return v }
	for _, tc := range []struct {
		kind   jsonschema.ErrorKind
		fr, en string // substrings
	}{
		{&kind.Type{Got: "string", Want: []string{"object", "array"}}, "doit être un objet ou une liste (reçu : chaîne)", "must be a mapping or a list (got: string)"},
		{&kind.Type{Got: "null", Want: []string{"boolean", "integer", "number"}}, "un booléen, un entier ou un nombre (reçu : valeur vide)", "a boolean, an integer or a number (got: empty value)"},
		{&kind.Enum{Got: "x", Want: []any{"a"}}, "valeur attendue : « a » (reçu : « x »)", `must be "a" (got: "x")`},
		{&kind.Enum{Got: 3.0, Want: []any{"on", "off"}}, "valeur attendue parmi : « on », « off » (reçu : 3)", `must be one of "on", "off" (got: 3)`},
		{&kind.Const{Got: []any{}, Want: "the one"}, "valeur attendue : « the one » (reçu : liste)", `must be "the one" (got: list)`},
		{&kind.Format{Got: "five seconds", Want: "duration"}, "durée invalide « five seconds »", `invalid duration "five seconds"`},
		{&kind.Format{Got: "x", Want: "ipv4"}, "le format « ipv4 » est attendu", `the "ipv4" format is expected`},
		{&kind.Pattern{Got: "a b", Want: "^[a-z]+$"}, "valeur « a b » mal formée", `badly formed value "a b"`},
		{&kind.MinItems{Got: 0, Want: 1}, "au moins 1 élément (elle en contient 0)", "at least 1 item (it holds 0)"},
		{&kind.MinItems{Got: 1, Want: 2}, "au moins 2 éléments", "at least 2 items"},
		{&kind.MaxItems{Got: 3, Want: 1}, "au plus 1 élément (elle en contient 3)", "at most 1 item (it holds 3)"},
		{&kind.MinProperties{Got: 0, Want: 1}, "au moins 1 clé", "at least 1 key"},
		{&kind.MaxProperties{Got: 5, Want: 2}, "au plus 2 clés", "at most 2 keys"},
		{&kind.MinLength{Got: 0, Want: 1}, "au moins 1 caractère", "at least 1 character long"},
		{&kind.MaxLength{Got: 70, Want: 63}, "au plus 63 caractères (elle en compte 70)", "at most 63 characters long (it has 70)"},
		{&kind.Minimum{Got: r("-1"), Want: r("0")}, "supérieur ou égal à 0 (reçu : -1)", "greater than or equal to 0 (got: -1)"},
		{&kind.Maximum{Got: r("2"), Want: r("1")}, "inférieur ou égal à 1", "less than or equal to 1"},
		{&kind.ExclusiveMinimum{Got: r("0"), Want: r("0")}, "strictement supérieur à 0", "greater than 0"},
		{&kind.ExclusiveMaximum{Got: r("1/2"), Want: r("0")}, "strictement inférieur à 0 (reçu : 0,500)", "less than 0 (got: 0.500)"},
		{&kind.MultipleOf{Got: r("3"), Want: r("2")}, "multiple de 2", "multiple of 2"},
		{&kind.OneOf{Subschemas: []int{0, 1}}, "valeur ambiguë", "ambiguous value"},
		{&kind.OneOf{}, "forme de valeur interdite ici", "this form of value is not allowed here"},
		{&kind.AnyOf{}, "forme de valeur interdite ici", "this form of value is not allowed here"},
		{&kind.Dependency{Prop: "a", Missing: []string{"b", "c"}}, "« a » exige aussi « b », « c »", `"a" also requires "b", "c"`},
		{&kind.DependentRequired{Prop: "a", Missing: []string{"b"}}, "« a » exige aussi « b »", `"a" also requires "b"`},
		{&kind.Not{}, "valeur interdite ici", "value not allowed here"},
		{&kind.MinContains{Got: []int{}, Want: 1}, "valeur refusée par le schéma de Compose (« ", `value rejected by the Compose schema ("`},
	} {
		t.Run(fmt.Sprintf("%T", tc.kind), func(t *testing.T) {
			tx := kindText(&jsonschema.ValidationError{ErrorKind: tc.kind})
			t.Log(tx.FR, " / ", tx.EN)
			assertBilingual(t, textProblem(tx))
			assert.Contains(t, tx.FR, tc.fr)
			assert.Contains(t, tx.EN, tc.en)
		})
	}
}

// The problems Locate finds in the document itself, beyond the schema: each kind once.
func TestLocateTexts(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		fr, en     string // substrings of the first problem
	}{
		{"duplicate key", "services:\n  web:\n    image: a\n    image: b\n", "clé « image » déjà définie ligne 3", `key "image" already defined on line 3`},
		{"merge of a scalar", "x-a: &a 1\nservices:\n  web:\n    <<: *a\n    image: a\n", "« << » (fusion) attend un objet", `"<<" (merge) expects a mapping`},
		{"merge of a list of scalars", "services:\n  web:\n    <<: [1]\n    image: a\n", "« << » (fusion) attend des objets", `"<<" (merge) expects mappings`},
		{"integer key", "services:\n  web:\n    image: a\n    sysctls:\n      1: x\n", "clé « 1 » lue comme un nombre", `key "1" read as a number`},
		{"null key", "services:\n  web:\n    image: a\n    labels:\n      ~: x\n", "lue comme une valeur vide", "read as an empty value"},
		{"complex key", "services:\n  web:\n    image: a\n    labels:\n      ? [a]\n      : x\n", "clé complexe", "complex key"},
		{"unreadable value", "services:\n  web:\n    image: !!int abc\n", "valeur « abc » illisible (l'analyseur YAML signale « ", `unreadable value "abc" (the YAML parser reports "`},
		{"top level list", "- a\n", "le fichier doit être un objet (des clés « services: », « volumes: »…), pas une liste", "the file must be a mapping"},
		{"top level string", "hello\n", "pas une chaîne", "not a string"},
		{"unknown key, nothing close", "services:\n  web:\n    image: a\n    zzzzzz: 1\n", "clé « zzzzzz » inconnue ici : vérifiez son orthographe", `unknown key "zzzzzz" here: check its spelling`},
		{"unknown key, a close one", "services:\n  web:\n    imagee: a\n", "(vouliez-vous dire « image » ?)", `(did you mean "image"?)`},
		{"service name", "services:\n  web app:\n    image: a\n", "nom « web app » invalide : il doit correspondre à", `invalid name "web app": it must match`},
		{"required keys", "services:\n  web:\n    image: a\n    depends_on:\n      db: {restart: true}\n  db:\n    image: b\n", "clé obligatoire « condition » manquante : ajoutez-la", `required key "condition" missing: add it`},
		{"duplicate item", "services:\n  web:\n    image: a\n    security_opt: [a, a]\n", "élément en double : déjà présent ligne 4, retirez-le", "duplicate item: already on line 4, remove it"},
		{"cast", "services:\n  web:\n    image: a\n    healthcheck:\n      retries: trois\n", "doit être un entier (reçu : « trois »)", `must be an integer (got: "trois")`},
		{"cast to boolean", "services:\n  web:\n    image: a\n    privileged: peut-être\n", "doit être un booléen (reçu : « peut-être »)", `must be a boolean (got: "peut-être")`},
		{"enum", "services:\n  web:\n    image: a\n    volumes:\n      - {type: disk, source: a, target: /a}\n", "valeur attendue parmi : « bind »", `must be one of "bind"`},
		{"type", "services:\n  web:\n    image: a\n    ports: 80\n", "doit être une liste (reçu : nombre)", "must be a list (got: number)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := Locate("compose.yaml", []byte(tc.yaml))
			for _, p := range ps {
				t.Log(p.Say().FR, " | ", p.Say().EN)
				assertBilingual(t, p)
			}
			require.NotEmpty(t, ps)
			assert.Contains(t, ps[0].Message, tc.fr)
			assert.Contains(t, ps[0].EN, tc.en)
		})
	}
}

// compose-go's load errors: each known one reworded, the rest quoted after a sentence of our
// own, and never the grader's private folder.
func TestLoadTexts(t *testing.T) {
	dir := "/tmp/grade-copy-123/rendu"
	for _, tc := range []struct {
		name   string
		err    error
		fr, en string
	}{
		{"missing file", &os.PathError{Op: "open", Path: dir + "/conf/app.env", Err: os.ErrNotExist},
			"fichier introuvable ou illisible : « ./conf/app.env »", `file not found or unreadable: "./conf/app.env"`},
		{"a file next to the copy", &os.PathError{Op: "open", Path: "/tmp/grade-copy-123/other.env", Err: os.ErrNotExist},
			"« ../other.env »", `"../other.env"`},
		{"the parent folder in compose-go's words", fmt.Errorf("build context %s/../ctx: not a directory", dir),
			"« build context ../ctx: not a directory »", `"build context ../ctx: not a directory"`},
		{"undefined service", errors.New(`service "web" depends on undefined service "db": invalid compose project`),
			"depends_on nomme un service qui n'existe pas", "depends_on names a service that does not exist"},
		{"undefined network", errors.New(`service "web" refers to undefined network back: invalid compose project`),
			"un service utilise un réseau qui n'est pas déclaré", "a service uses a network not declared"},
		{"undefined volume", errors.New(`service "web" refers to undefined volume data: invalid compose project`),
			"un service monte un volume nommé qui n'est pas déclaré", "a service mounts a named volume not declared"},
		{"required variable", errors.New(`error while interpolating services.db.environment.PASSWORD: required variable DB_PASSWORD is missing a value: définissez DB_PASSWORD dans .env`),
			"une variable obligatoire (${VAR:?…}) n'a pas de valeur : définissez-la dans .env", "a required variable (${VAR:?…}) has no value: set it in .env"},
		{"interpolation", errors.New(`invalid interpolation format for services.web.command: "${A". You may need to escape any $ with another $`),
			"interpolation invalide", "invalid interpolation"},
		{"duration", errors.New(`'services[web].healthcheck.interval' time: invalid duration "five seconds"`),
			"durée invalide : écrivez par exemple 10s", "invalid duration: write for example 10s"},
		{"anything else, naming the copy", fmt.Errorf("open %s/compose.yaml: build context %s does not exist", dir, dir),
			"Compose refuse ce projet : corrigez ce qu'il signale, « open compose.yaml: build context . does not exist »",
			`Compose rejects this project: fix what it reports, "open compose.yaml: build context . does not exist"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tx := loadText(dir, tc.err)
			t.Log(tx.FR, " | ", tx.EN)
			assertBilingual(t, Problem{File: "compose.yaml", Message: tx.FR, EN: tx.EN}, dir, "/tmp")
			assert.Contains(t, tx.FR, tc.fr)
			assert.Contains(t, tx.EN, tc.en)
		})
	}
}

// TestSourceTexts reads every sentence of the package in its source: the French text of each
// check.T, check.Lit and sayf holds no English word, the English text no French word. It
// covers the few messages no test reaches (a panic of go-yaml, a format jsonschema never
// reports on a Compose file).
func TestSourceTexts(t *testing.T) {
	files, err := filepath.Glob("*.go")
	require.NoError(t, err)
	verbs := regexp.MustCompile(`%(\[\d+\])?[-+# 0-9.*]*[a-zA-Z%]`)
	fset := token.NewFileSet()
	seen := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		file, err := parser.ParseFile(fset, f, nil, 0)
		require.NoError(t, err)
		ast.Inspect(file, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) < 2 {
				return true
			}
			name := ""
			switch fn := c.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
			}
			if name != "T" && name != "Lit" && name != "sayf" {
				return true
			}
			seen++
			for i, lang := range []string{"fr", "en"} {
				s := verbs.ReplaceAllString(literal(c.Args[i]), " X ")
				if strings.TrimSpace(s) == "" {
					t.Errorf("%s: the %s text is not a literal", fset.Position(c.Pos()), lang)
					continue
				}
				assert.Empty(t, check.Foreign(lang, s), "%s [%s] %q", fset.Position(c.Args[i].Pos()), lang, s)
				if lang == "fr" {
					assert.NotRegexp(t, maybePlur, s, "%s: no (s) plural", fset.Position(c.Pos()))
				}
			}
			return true
		})
	}
	assert.Greater(t, seen, 100, "the package's sentences")
}

func literal(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if s, err := strconv.Unquote(e.Value); err == nil {
			return s
		}
	case *ast.BinaryExpr:
		return literal(e.X) + literal(e.Y)
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return " "
}
