package graders_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ddlab/grade/internal/check"
)

// bilingual names the functions that take a French text then its English one, and where.
var bilingual = map[string]int{
	"Failf": 0, "Passf": 0, "Skipf": 0, "T": 0, "Lit": 0, "RemoteSkip": 1,
	"refuse": 0, "LocalOnly": 1, "answerErr": 1, "Say": 0, "Sayf": 0,
}

// TestSourceTextsAreOneLanguageEach reads every message a grader or the CLI can write, in the
// source: each French text must hold no English word, each English text no French word, and
// a value given to With (the same in both languages) neither. It covers the message paths
// no fixture reaches; the fixture suites check the reports themselves.
func TestSourceTextsAreOneLanguageEach(t *testing.T) {
	fset := token.NewFileSet()
	var problems []string
	report := func(pos token.Pos, lang, text string) {
		if bad := check.Foreign(lang, formatVerbs.ReplaceAllString(text, " ")); len(bad) > 0 {
			problems = append(problems, fset.Position(pos).String()+" ["+lang+"] "+strings.Join(bad, ",")+": "+text)
		}
	}
	for _, root := range []string{".", "../internal"} {
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && (d.Name() == "testenv" || d.Name() == "gradetest") {
				return filepath.SkipDir // test helpers talk to developers, in English
			}
			if d.IsDir() || !strings.HasSuffix(p, ".go") || strings.HasSuffix(p, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(fset, p, nil, 0)
			if err != nil {
				return err
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CallExpr:
					name := callee(n)
					if i, ok := bilingual[name]; ok && len(n.Args) > i+1 {
						if pkg(n) == "cliutil" && (name == "Say" || name == "Sayf") {
							i++ // cliutil.Say(lang, fr, en), where the factory's method has no lang
						}
						report(n.Args[i].Pos(), "fr", literal(n.Args[i]))
						report(n.Args[i+1].Pos(), "en", literal(n.Args[i+1]))
					}
					if name == "With" && len(n.Args) == 2 {
						for _, a := range n.Args {
							report(a.Pos(), "fr", literal(a))
							report(a.Pos(), "en", literal(a))
						}
					}
				case *ast.KeyValueExpr:
					if k, ok := n.Key.(*ast.Ident); ok && (k.Name == "FR" || k.Name == "EN") {
						report(n.Value.Pos(), strings.ToLower(k.Name), literal(n.Value))
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(problems) > 0 {
		t.Errorf("%d texts mix the languages:\n%s", len(problems), strings.Join(problems, "\n"))
	}
}

var formatVerbs = regexp.MustCompile(`%[-+# 0-9.*\[\]]*[a-zA-Z%]`)

// pkg is the package or receiver a call is selected from ("cliutil" in cliutil.Say).
func pkg(c *ast.CallExpr) string {
	if s, ok := c.Fun.(*ast.SelectorExpr); ok {
		if id, ok := s.X.(*ast.Ident); ok {
			return id.Name
		}
	}
	return ""
}

func callee(c *ast.CallExpr) string {
	switch f := c.Fun.(type) {
	case *ast.Ident:
		return f.Name
	case *ast.SelectorExpr:
		return f.Sel.Name
	}
	return ""
}

// literal is the constant text of e: string literals and their concatenations, with a space
// for each part that is not constant.
func literal(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.BasicLit:
		if e.Kind == token.STRING {
			s, err := strconv.Unquote(e.Value)
			if err == nil {
				return s
			}
		}
	case *ast.BinaryExpr:
		if e.Op == token.ADD {
			return literal(e.X) + literal(e.Y)
		}
	case *ast.ParenExpr:
		return literal(e.X)
	}
	return " "
}
