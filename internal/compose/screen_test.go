package compose

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProblemString(t *testing.T) {
	for _, tc := range []struct {
		p    Problem
		want string
	}{
		{Problem{File: "compose.yaml", Line: 7, Column: 20, Path: "services.web.depends_on.db.condition", Message: "m"},
			"compose.yaml:7:20 services.web.depends_on.db.condition : m"},
		{Problem{File: "compose.yaml", Line: 3, Message: "m"}, "compose.yaml:3 : m"},
		{Problem{File: "compose.yaml", Line: 3, Column: 1, Message: "m"}, "compose.yaml:3:1 : m"},
		{Problem{File: "compose.yaml", Path: "services", Message: "m"}, "compose.yaml services : m"},
		{Problem{File: "compose.yaml", Message: "m"}, "compose.yaml : m"},
		{Problem{Message: "m"}, "m"},
	} {
		assert.Equal(t, tc.want, tc.p.String())
	}
}

// billionLaughs is the classic alias bomb: levels of n aliases to the level below, n^levels
// nodes once expanded.
func billionLaughs(levels, n int, under string) string {
	var b strings.Builder
	b.WriteString("x-l0: &l0 [lol, lol, lol]\n")
	for i := 1; i <= levels; i++ {
		refs := make([]string, n)
		for j := range refs {
			refs[j] = fmt.Sprintf("*l%d", i-1)
		}
		fmt.Fprintf(&b, "x-l%d: &l%d [%s]\n", i, i, strings.Join(refs, ", "))
	}
	b.WriteString("services:\n  web:\n    image: nginx\n" + under)
	return b.String()
}

// allDepend writes n services that each depend on all the previous ones, with the given
// key (depends_on, links).
func allDepend(n int, key string) string {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := range n {
		fmt.Fprintf(&b, "  s%d:\n    image: x\n", i)
		if i > 0 {
			var deps []string
			for j := range i {
				deps = append(deps, fmt.Sprintf("s%d", j))
			}
			fmt.Fprintf(&b, "    %s: [%s]\n", key, strings.Join(deps, ", "))
		}
	}
	return b.String()
}

// mergedDeps moves every depends_on into an inline merge: `<<: {depends_on: [...]}`.
func mergedDeps(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "    depends_on: ") {
			l = "    <<: {" + strings.TrimPrefix(l, "    ") + "}"
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// extendsChain writes a service with env variables and n services extending each other.
func extendsChain(n, env int) string {
	var b strings.Builder
	b.WriteString("services:\n  s0:\n    image: x\n    environment:\n")
	for j := range env {
		fmt.Fprintf(&b, "      - E%d=1\n", j)
	}
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "  s%d:\n    extends: s%d\n", i, i-1)
	}
	return b.String()
}

func nested(n int) string {
	return strings.Repeat("[", n) + strings.Repeat("]", n)
}

func TestScreen(t *testing.T) {
	garbage := make([]byte, 4096)
	rand.New(rand.NewSource(1)).Read(garbage)
	valid, err := os.ReadFile("testdata/positions/valid.yaml")
	require.NoError(t, err)

	for _, tc := range []struct {
		name      string
		data      string
		line, col int    // 0: not checked
		msg       string // substring; "" means Screen must pass
	}{
		{name: "valid file with anchors and merge keys", data: string(valid)},
		{name: "empty file (compose-go says: empty compose file)", data: ""},
		{name: "only a comment", data: "# rien\n"},
		{name: "explicit document start", data: "---\nservices:\n  web:\n    image: nginx\n"},
		{name: "document end marker", data: "services:\n  web:\n    image: nginx\n...\n"},
		{name: "a few aliases", data: billionLaughs(3, 3, "")},
		{name: "nesting at the limit", data: "x-deep: " + nested(maxDepth-1) + "\n"},

		{name: "huge file", data: "# " + strings.Repeat("x", maxFileBytes) + "\n", msg: "fichier trop gros"},
		{name: "200 nested [", data: "x: " + nested(200) + "\n", line: 1, col: 4 + maxDepth - 1, msg: "imbrication trop profonde"},
		{name: "200 unclosed [", data: strings.Repeat("[", 200), line: 1, msg: "valeur attendue"},
		{name: "a million [", data: strings.Repeat("[", maxFileBytes-1), msg: "imbrication trop profonde"},
		{name: "deep block nesting", data: strings.Repeat("- ", 100) + "x\n", msg: "imbrication trop profonde"},
		{name: "deep through aliases",
			data: "x-a: &a " + nested(40) + "\nx-b: " + strings.Repeat("[", 30) + "*a" + strings.Repeat("]", 30) + "\n",
			msg:  "une fois les alias développés"},
		{name: "too many nodes", data: "x: [" + strings.Repeat("a, ", maxNodes) + "a]\n", line: 1, msg: "plus de 10000 nœuds"},
		{name: "billion laughs, 9 levels of 9", data: billionLaughs(9, 9, "    environment:\n      X: *l9\n"),
			msg: "alias trop nombreux"},
		{name: "billion laughs in an extension only", data: billionLaughs(9, 9, ""), msg: "alias trop nombreux"},
		{name: "merge key cycle (compose-go never returns)", data: "x-a: &a\n  <<: *a\nservices:\n  web:\n    image: nginx\n",
			line: 2, col: 7, msg: "alias *a récursif"},
		{name: "sequence cycle", data: "x-a: &a [1, *a]\n", line: 1, col: 13, msg: "récursif"},
		{name: "two documents", data: "services:\n  web:\n    image: nginx\n---\nservices:\n  db:\n    image: postgres\n",
			line: 4, col: 1, msg: "plusieurs documents YAML"},
		{name: "trailing document marker", data: "services:\n  web:\n    image: nginx\n---\n", line: 4, msg: "plusieurs documents"},
		{name: "binary garbage", data: string(garbage), msg: "UTF-8"},
		{name: "Latin-1 accent", data: "services:\n  web:\n    image: caf\xe9\n", line: 3, col: 15, msg: "octet 0xE9 invalide en UTF-8"},
		{name: "UTF-16", data: "\xff\xfes\x00e\x00", line: 1, msg: "UTF-16"},
		{name: "NUL byte", data: "services:\n  web:\x00\n", line: 2, col: 7, msg: "caractère de contrôle U+0000"},
		{name: "NaN list (panics jsonschema v6 inside compose-go)",
			data: "services:\n  web:\n    image: nginx\n    security_opt: [" + strings.Repeat(".nan, ", 20) + ".nan]\n",
			line: 4, col: 20, msg: "nombre non fini « .nan »"},
		{name: "tagged infinity", data: "x-a: !!float -.Inf\n", line: 1, col: 6, msg: "nombre non fini"},
		{name: "bad indentation", data: "services:\n  web:\n    image: nginx\n   ports:\n      - \"80:80\"\n",
			line: 4, col: 4, msg: "indentation incorrecte"},
		{name: "tab indentation", data: "services:\n  web:\n\timage: nginx\n", line: 3, col: 1, msg: "tabulation interdite"},
		{name: "unclosed quote", data: "services:\n  web:\n    image: \"nginx\n", line: 3, msg: "jamais refermé"},
		{name: "unclosed flow list", data: "services:\n  web:\n    command: [a, b\n  db:\n    image: x\n", line: 3, msg: "crochets"},
		{name: "list items not aligned", data: "services:\n  web:\n    ports:\n    - 80:80\n   - 81:81\n", line: 5, col: 4, msg: "indentation"},
		{name: "colon in a plain value", data: "services:\n  web:\n    image: nginx\n    command: echo a: b\n", line: 4, msg: "« : » inattendu"},
		{name: "lone CR line breaks (old Mac)", data: "services:\r  web:\r    image: caf\xe9\r", line: 3, col: 15, msg: "UTF-8"},
		{name: "CRLF line breaks", data: "services:\r\n  web:\r\n    image: nginx\r\n   ports: []\r\n", line: 4, col: 4, msg: "indentation"},
		{name: "CRLF second document", data: "services:\r\n  web:\r\n    image: nginx\r\n---\r\n", line: 4, msg: "plusieurs documents"},
		{name: "many variables", data: "services:\n  web:\n    image: nginx\n    command: \"" + strings.Repeat("${A:-x} ", 50) + "\"\n"},
		{name: "too many $ in one value (compose-go: 15 s for 5000)",
			data: "services:\n  web:\n    image: nginx\n    command: \"" + strings.Repeat("${A:-x}", 5000) + "\"\n",
			line: 4, col: 14, msg: "trop de « $ » dans cette valeur (5000, maximum 200)"},
		{name: "too many $ through aliases",
			data: "x-v: &v \"" + strings.Repeat("$$", 100) + "\"\nservices:\n  web:\n    image: nginx\n    command: [" +
				strings.TrimSuffix(strings.Repeat("*v, ", 11), ", ") + "]\n",
			line: 1, col: 6, msg: "trop de « $ » dans le fichier"},
		{name: "a few dependencies", data: allDepend(10, "depends_on")},
		{name: "depends_on on all previous (compose-go: minutes for 30)", data: allDepend(30, "depends_on"),
			line: 1, col: 1, msg: "dépendances entre services trop enchevêtrées"},
		{name: "links on all previous", data: allDepend(30, "links"), msg: "trop enchevêtrées"},
		{name: "dependencies through a merge key",
			data: mergedDeps(allDepend(30, "depends_on")), msg: "trop enchevêtrées"},
		{name: "dependency cycle is left to compose-go", data: "services:\n  a:\n    image: x\n    depends_on: [b]\n  b:\n    image: x\n    depends_on: [a]\n"},
		{name: "a small port range", data: "services:\n  web:\n    image: nginx\n    ports: [\"8000-8010:8000-8010\", \"9000-9100:80\"]\n"},
		{name: "all the ports (compose-go: 7 s)", data: "services:\n  web:\n    image: nginx\n    ports:\n      - \"127.0.0.1:1-65535:1-65535\"\n",
			line: 5, col: 9, msg: "plages de ports trop grandes"},
		{name: "a port range in a default value", data: "services:\n  web:\n    image: nginx\n    ports: [\"${P:-1-65535:1-65535}\"]\n",
			msg: "plages de ports trop grandes"},
		{name: "a few extends", data: "services:\n  base:\n    image: nginx\n    environment: [A=1, B=2]\n  a:\n    extends: base\n  b:\n    extends: {service: a}\n"},
		{name: "extends copying a big service (compose-go: 11 s)", data: extendsChain(100, 3000),
			msg: "trop de copies par « extends »"},
		{name: "unknown anchor", data: "services:\n  web: *web\n", msg: "alias *web sans ancre"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			p := Screen("compose.yaml", []byte(tc.data))
			assert.Less(t, time.Since(start), 5*time.Second)
			if tc.msg == "" {
				assert.Nil(t, p)
				return
			}
			require.NotNil(t, p)
			t.Log(p)
			assert.Equal(t, "compose.yaml", p.File)
			assert.Contains(t, p.Message, tc.msg)
			assertBilingual(t, *p)
			if tc.line != 0 {
				assert.Equal(t, tc.line, p.Line, "line")
			}
			if tc.col != 0 {
				assert.Equal(t, tc.col, p.Column, "column")
			}
		})
	}
}

// A bad line deep in a big file is still found on its own line (go-yaml names the line of
// the enclosing block).
func TestScreenSyntaxLineInBigFile(t *testing.T) {
	var b strings.Builder
	b.WriteString("services:\n")
	for i := range 300 {
		fmt.Fprintf(&b, "  s%d:\n    image: nginx\n    environment:\n      A: b\n", i)
	}
	b.WriteString("  bad:\n    image: nginx\n     command: x\n")
	for i := range 50 {
		fmt.Fprintf(&b, "  t%d:\n    image: nginx\n", i)
	}
	p := Screen("compose.yaml", []byte(b.String()))
	require.NotNil(t, p)
	assert.Equal(t, 1+300*4+3, p.Line, p.String())
}

// Files just under Screen's limits load in compose-go in bounded time.
func TestScreenLimitsKeepComposeGoFast(t *testing.T) {
	dollars := "services:\n  web:\n    image: nginx\n    environment:\n"
	for i := range 9 {
		dollars += fmt.Sprintf("      V%d: \"%s\"\n", i, strings.Repeat("${A:-x}", maxDollarsScalar))
	}
	for name, data := range map[string]string{
		"13 services depending on all previous": allDepend(13, "depends_on"),
		"200 $ in nine values":                  dollars,
		"aliases just under the limit":          billionLaughs(3, 9, "    command: *l3\n"),
		"extends just under the limit":          extendsChain(10, 900),
		"nesting just under the limit":          "services:\n  web:\n    image: nginx\nx-deep: " + nested(maxDepth-1) + "\n",
	} {
		t.Run(name, func(t *testing.T) {
			require.Nil(t, Screen("compose.yaml", []byte(data)))
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			start := time.Now()
			_, err := loadComposeGo(ctx, t.TempDir(), []byte(data))
			t.Logf("%v, err=%v", time.Since(start), err)
			assert.Less(t, time.Since(start), 5*time.Second)
		})
	}
}
