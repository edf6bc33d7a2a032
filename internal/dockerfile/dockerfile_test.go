package dockerfile

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	dt, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return dt
}

func analyzeFixture(t testing.TB, name string) *Analysis {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	a := Analyze(ctx, "Dockerfile", readFixture(t, name))
	require.NotNil(t, a)
	return a
}

func TestAnalyzeGoodMultiStage(t *testing.T) {
	a := analyzeFixture(t, "good.Dockerfile")
	require.Nil(t, a.ParseError)
	assert.Empty(t, a.Lint)
	assert.Equal(t, "Dockerfile", a.Name)
	assert.Empty(t, a.Syntax)
	assert.Zero(t, a.SyntaxLine)
	assert.Empty(t, a.MetaArgs)

	type stageWant struct {
		name, base string
		line, ncmd int
	}
	want := []stageWant{
		{"deps", "ddlab/go:1", 2, 5},
		{"build", "deps", 9, 3},
		{"test", "build", 14, 1},
		{"", "scratch", 17, 7},
	}
	require.Len(t, a.Stages, len(want))
	for i, w := range want {
		s := a.Stages[i]
		assert.Equal(t, w.name, s.Name, "stage %d", i)
		assert.Equal(t, w.base, s.Base, "stage %d", i)
		assert.Equal(t, w.base, s.BaseRaw, "stage %d", i)
		assert.Equal(t, w.line, s.Line, "stage %d", i)
		assert.Len(t, s.Commands, w.ncmd, "stage %d", i)
	}

	final := a.Final()
	require.NotNil(t, final)
	assert.Equal(t, "scratch", final.Base)
	assert.Same(t, &a.Stages[1], a.StageByName("BUILD"))
	assert.Nil(t, a.StageByName("nope"))
	assert.Nil(t, a.StageByName(""))

	cmds := map[string]Command{}
	for _, c := range final.Commands {
		cmds[c.Name] = c
	}
	tests := []struct {
		name     string
		line     int
		args     []string
		jsonForm bool
		from     string
	}{
		{"arg", 18, []string{"VERSION=dev"}, false, ""},
		{"label", 19, []string{`org.opencontainers.image.version="${VERSION}"`}, false, ""},
		{"copy", 20, []string{"/out/server", "/app/server"}, false, "build"},
		{"user", 21, []string{"65532:65532"}, false, ""},
		{"expose", 22, []string{"8080"}, false, ""},
		{"healthcheck", 23, []string{"CMD", "/app/server", "healthcheck"}, true, ""},
		{"entrypoint", 24, []string{"/app/server"}, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := cmds[tt.name]
			require.True(t, ok)
			assert.Equal(t, tt.line, c.Line)
			assert.Equal(t, tt.line, c.EndLine)
			assert.Equal(t, tt.args, c.Args)
			assert.Equal(t, tt.jsonForm, c.JSONForm)
			assert.Equal(t, tt.from, c.From)
		})
	}
	assert.Equal(t, []string{"--from=build"}, cmds["copy"].Flags)
	assert.Equal(t, `HEALTHCHECK --interval=5s --timeout=3s CMD ["/app/server", "healthcheck"]`, cmds["healthcheck"].Text)

	run := a.Stages[1].Commands[2]
	assert.Equal(t, "run", run.Name)
	assert.False(t, run.JSONForm)
	assert.Equal(t, 12, run.Line)
	assert.Equal(t, []string{`go build -ldflags "-X main.version=${VERSION}" -o /out/server ./cmd/server`}, run.Args)
	assert.Empty(t, run.Mounts)
}

func TestLintRules(t *testing.T) {
	tests := []struct {
		rule    string
		line    int
		message string
	}{
		{"JSONArgsRecommended", 2, "JSON arguments recommended for CMD"},
		{"UndefinedVar", 2, "Usage of undefined variable '$MYPATH' (did you mean $PATH?)"},
		{"FromAsCasing", 1, "'as' and 'FROM' keywords' casing do not match"},
		{"StageNameCasing", 2, "Stage name 'Base' should be lowercase"},
		{"WorkdirRelativePath", 3, `Relative workdir "app" can have unexpected results`},
		{"LegacyKeyValueFormat", 2, `"ENV key=value" should be used instead of legacy "ENV key value" format`},
		{"MaintainerDeprecated", 2, "Maintainer instruction is deprecated"},
		{"DuplicateStageName", 4, `Duplicate stage name "base"`},
		{"ConsistentInstructionCasing", 3, "Command 'run' should match the case of the command majority (uppercase)"},
	}
	for _, tt := range tests {
		t.Run(tt.rule, func(t *testing.T) {
			a := analyzeFixture(t, filepath.Join("lint", tt.rule+".Dockerfile"))
			require.Nil(t, a.ParseError)
			require.Len(t, a.Lint, 1, "%+v", a.Lint)
			p := a.Lint[0]
			assert.Equal(t, tt.rule, p.Rule)
			assert.Equal(t, tt.line, p.Line)
			assert.Contains(t, p.Message, tt.message)
			assert.True(t, strings.HasPrefix(p.URL, "https://docs.docker.com/"), p.URL)
			assert.NotEmpty(t, p.Description)
		})
	}
}

func TestCheckDirective(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		rules []string
	}{
		{"no directive", "FROM scratch\nCMD echo hi\nWORKDIR app\n", []string{"JSONArgsRecommended", "WorkdirRelativePath"}},
		{"skip one", "# check=skip=JSONArgsRecommended\nFROM scratch\nCMD echo hi\nWORKDIR app\n", []string{"WorkdirRelativePath"}},
		{"skip two", "# check=skip=JSONArgsRecommended,WorkdirRelativePath\nFROM scratch\nCMD echo hi\nWORKDIR app\n", nil},
		{"skip all", "# check=skip=all\nFROM scratch\nCMD echo hi\nWORKDIR app\n", nil},
		{"after syntax", "# syntax=docker/dockerfile:1\n# check=skip=all\nFROM scratch\nCMD echo hi\n", nil},
		{"not a directive after an instruction", "FROM scratch\n# check=skip=all\nCMD echo hi\n", []string{"JSONArgsRecommended"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Analyze(context.Background(), "Dockerfile", []byte(tt.src))
			require.Nil(t, a.ParseError)
			var rules []string
			for _, p := range a.Lint {
				rules = append(rules, p.Rule)
			}
			assert.Equal(t, tt.rules, rules)
		})
	}
}

func TestLintManyFindingsSortedByLine(t *testing.T) {
	a := analyzeFixture(t, "bad2.Dockerfile")
	require.Nil(t, a.ParseError)
	got := []string{}
	for _, p := range a.Lint {
		got = append(got, fmt.Sprintf("%d %s", p.Line, p.Rule))
	}
	assert.Equal(t, []string{
		"1 StageNameCasing",
		"1 ConsistentInstructionCasing",
		"2 MaintainerDeprecated",
		"3 SecretsUsedInArgOrEnv",
		"4 LegacyKeyValueFormat",
		"5 UndefinedVar",
		"6 WorkdirRelativePath",
		"9 NoEmptyContinuation",
		"10 ExposeProtoCasing",
		"11 JSONArgsRecommended",
		"11 MultipleInstructionsDisallowed", // reported on the CMD that is overridden
		"13 FromAsCasing",
		"14 JSONArgsRecommended",
	}, got)
}

func TestDispatchErrorBecomesParseError(t *testing.T) {
	// `FROM Build` (a stage referenced with the wrong case) aborts BuildKit's dispatch.
	a := analyzeFixture(t, "bad.Dockerfile")
	require.NotNil(t, a.ParseError)
	assert.Equal(t, 13, a.ParseError.Line)
	assert.Empty(t, a.ParseError.Rule)
	assert.Contains(t, a.ParseError.Message, `failed to parse stage name "Build"`)
	// The structure is still there, and the findings made before the abort.
	require.Len(t, a.Stages, 2)
	assert.Equal(t, "build", a.Stages[0].Name)
	assert.Equal(t, "Build", a.Stages[1].Base)
	rules := map[string]int{}
	for _, p := range a.Lint {
		rules[p.Rule] = p.Line
	}
	assert.Equal(t, 1, rules["StageNameCasing"])
	assert.Equal(t, 2, rules["MaintainerDeprecated"])
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name    string
		fixture string
		src     []byte // used when fixture is ""
		line    int
		message string
	}{
		{"unknown instruction", "unknown-instruction.Dockerfile", nil, 3, "dockerfile parse error on line 3: unknown instruction: RUNN (did you mean RUN?)"},
		{"COPY with one arg", "copy-one-arg.Dockerfile", nil, 3, "COPY requires at least two arguments"},
		{"unterminated heredoc", "heredoc-unterminated.Dockerfile", nil, 2, "unterminated heredoc"},
		{"empty file", "empty.Dockerfile", nil, 0, "the Dockerfile cannot be empty"},
		{"comment-only file", "comment-only.Dockerfile", nil, 3, "file with no instructions"},
		{"blank lines only", "", []byte("\n  \n\t\n"), 3, "file with no instructions"},
		{"no FROM", "no-from.Dockerfile", nil, 0, "dockerfile contains no stages to build"},
		{"instruction before FROM", "instruction-before-from.Dockerfile", nil, 1, "no build stage in current context"},
		{"bad duration", "bad-duration.Dockerfile", nil, 2, `time: invalid duration "abc"`},
		{"NUL bytes", "nul.Dockerfile", nil, 3, "binary data (NUL byte at line 3)"},
		{"invalid UTF-8", "invalid-utf8.Dockerfile", nil, 2, "not valid UTF-8"},
		{"too large", "", append([]byte("FROM scratch\n"), bytes.Repeat([]byte("# padding padding\n"), MaxSize/18+1)...), 0, "too large"},
		{"line too long", "", []byte("FROM scratch\nLABEL a=" + strings.Repeat("x", 70000) + "\n"), 1, "dockerfile line greater than max allowed size"},
		{"duplicate syntax directive", "", []byte("# syntax=a\n# syntax=b\nFROM scratch\n"), 1, "only one syntax parser directive can be used"},
		{"check=error=true", "check-error.Dockerfile", nil, 0, "lint violation found for rules: JSONArgsRecommended"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if tt.fixture != "" {
				name := filepath.Join("parse", tt.fixture)
				if _, err := os.Stat(filepath.Join("testdata", name)); err != nil {
					name = tt.fixture
				}
				src = readFixture(t, name)
			}
			a := Analyze(context.Background(), "Dockerfile", src)
			require.NotNil(t, a)
			require.NotNil(t, a.ParseError, "%+v", a)
			assert.Empty(t, a.ParseError.Rule)
			assert.Equal(t, tt.line, a.ParseError.Line)
			assert.Contains(t, a.ParseError.Message, tt.message)
		})
	}
}

func TestSyntaxDirective(t *testing.T) {
	a := analyzeFixture(t, "syntax.Dockerfile")
	require.Nil(t, a.ParseError)
	assert.Equal(t, "docker/dockerfile:1", a.Syntax)
	assert.Equal(t, 1, a.SyntaxLine)
	require.Len(t, a.Lint, 1)
	assert.Equal(t, "JSONArgsRecommended", a.Lint[0].Rule)
	assert.Equal(t, 3, a.Lint[0].Line)
	require.Len(t, a.Stages, 1)
	assert.Equal(t, 2, a.Stages[0].Line)

	// A check directive after the syntax line stays in effect once the syntax line is removed.
	a = analyzeFixture(t, "syntax-check-skip.Dockerfile")
	require.Nil(t, a.ParseError)
	assert.Equal(t, "docker/dockerfile:1.7", a.Syntax)
	assert.Equal(t, 1, a.SyntaxLine)
	require.Len(t, a.Lint, 1, "%+v", a.Lint)
	assert.Equal(t, "WorkdirRelativePath", a.Lint[0].Rule)
	assert.Equal(t, 6, a.Lint[0].Line)

	// Only a directive at the top counts (BuildKit's rules): later, it is an ordinary comment.
	a = Analyze(context.Background(), "Dockerfile", []byte("FROM scratch\n# syntax=docker/dockerfile:1\nENTRYPOINT [\"/x\"]\n"))
	require.Nil(t, a.ParseError)
	assert.Empty(t, a.Syntax)
	assert.Zero(t, a.SyntaxLine)

	// After a shebang, and in the `//` form BuildKit also honours.
	a = Analyze(context.Background(), "Dockerfile", []byte("#!/usr/bin/env docker-build\n# syntax = docker/dockerfile:1.4 \nFROM scratch\n"))
	assert.Equal(t, "docker/dockerfile:1.4", a.Syntax)
	assert.Equal(t, 2, a.SyntaxLine)
	a = Analyze(context.Background(), "Dockerfile", []byte("// syntax=example/frontend\nFROM scratch\n"))
	assert.Equal(t, "example/frontend", a.Syntax)
	assert.Equal(t, 1, a.SyntaxLine)
	require.NotNil(t, a.ParseError) // `//` is no Dockerfile comment
	assert.Equal(t, 1, a.ParseError.Line)
}

func TestWithoutSyntax(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{"none", "FROM scratch\n", "FROM scratch\n", false},
		{"empty", "", "", false},
		{"first line", "# syntax=docker/dockerfile:1\nFROM scratch\nCMD [\"x\"]\n",
			syntaxRemoved + "\nFROM scratch\nCMD [\"x\"]\n", true},
		{"no trailing newline", "# syntax=docker/dockerfile:1", syntaxRemoved, true},
		{"crlf", "# syntax=docker/dockerfile:1\r\nFROM scratch\r\n", syntaxRemoved + "\r\nFROM scratch\r\n", true},
		{"bom", "\uFEFF# syntax=docker/dockerfile:1\nFROM scratch\n", "\uFEFF" + syntaxRemoved + "\nFROM scratch\n", true},
		{"shebang", "#!/usr/bin/env x\n#syntax=foo\nFROM scratch\n", "#!/usr/bin/env x\n" + syntaxRemoved + "\nFROM scratch\n", true},
		{"directives after it move up", "# escape=\\\n# syntax=docker/dockerfile:1\n# check=skip=all\n\nFROM scratch\n",
			"# escape=\\\n# check=skip=all\n" + syntaxRemoved + "\n\nFROM scratch\n", true},
		{"slash form", "// syntax=x/y\nFROM scratch\n", syntaxRemoved + "\nFROM scratch\n", true},
		{"json form left alone", `{"syntax": "x/y"}`, `{"syntax": "x/y"}`, false},
		{"not at the top", "FROM scratch\n# syntax=docker/dockerfile:1\n", "FROM scratch\n# syntax=docker/dockerfile:1\n", false},
		{"after a comment", "# hello\n# syntax=docker/dockerfile:1\nFROM scratch\n", "# hello\n# syntax=docker/dockerfile:1\nFROM scratch\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, ok := WithoutSyntax([]byte(tt.in))
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, string(out))
			assert.Equal(t, bytes.Count([]byte(tt.in), []byte("\n")), bytes.Count(out, []byte("\n")), "line count")
			if ok {
				_, _, _, still := parser.DetectSyntax(out)
				assert.False(t, still, "a syntax directive is left")
			}
		})
	}

	// Lines of instructions are unchanged, and a check directive still applies.
	in := []byte("# syntax=docker/dockerfile:1\n# check=skip=JSONArgsRecommended\nFROM scratch\nCMD echo hi\n")
	out, ok := WithoutSyntax(in)
	require.True(t, ok)
	v, _, _, found := parser.ParseDirective("check", out)
	assert.True(t, found)
	assert.Equal(t, "skip=JSONArgsRecommended", v)
	res, err := parser.Parse(bytes.NewReader(out))
	require.NoError(t, err)
	require.Len(t, res.AST.Children, 2)
	assert.Equal(t, 3, res.AST.Children[0].StartLine)
	assert.Equal(t, 4, res.AST.Children[1].StartLine)
}

func TestRunMounts(t *testing.T) {
	a := analyzeFixture(t, "cache-mount.Dockerfile")
	require.Nil(t, a.ParseError)
	assert.Empty(t, a.Lint)
	build := a.StageByName("build")
	require.NotNil(t, build)
	require.Len(t, build.Commands, 4)

	run := build.Commands[2]
	assert.Equal(t, "run", run.Name)
	assert.Equal(t, 4, run.Line)
	assert.Equal(t, []string{"go build -o /out/server ./cmd/server"}, run.Args)
	assert.Equal(t, []Mount{{Type: "cache", Target: "/root/.cache/go-build"}}, run.Mounts)
	assert.Equal(t, []string{"--mount=type=cache,target=/root/.cache/go-build"}, run.Flags)

	run = build.Commands[3]
	assert.Equal(t, 5, run.Line)
	assert.Equal(t, 7, run.EndLine)
	assert.Equal(t, []Mount{
		{Type: "cache", Target: "/go/pkg/mod", ID: "gomod"},
		{Type: "bind", Target: "/src/vendor", From: "deps", Source: "/src/vendor"},
	}, run.Mounts)
	assert.Equal(t, 3, strings.Count(run.Text, "\n")+1)
}

func TestHeredocAndMetaArgs(t *testing.T) {
	a := analyzeFixture(t, "heredoc.Dockerfile")
	require.Nil(t, a.ParseError)
	assert.Empty(t, a.Lint)
	require.Len(t, a.Stages, 1)
	cmds := a.Stages[0].Commands
	require.Len(t, cmds, 3)
	assert.Equal(t, [2]int{2, 5}, [2]int{cmds[0].Line, cmds[0].EndLine})
	assert.Equal(t, "RUN <<EOT\nset -e\necho hello > /greeting\nEOT", cmds[0].Text)
	assert.Equal(t, [2]int{6, 8}, [2]int{cmds[1].Line, cmds[1].EndLine})
	assert.Equal(t, []string{"EOT", "/etc/motd"}, cmds[1].Args)
	assert.Equal(t, 9, cmds[2].Line)
	assert.True(t, cmds[2].JSONForm)

	a = analyzeFixture(t, "meta-args.Dockerfile")
	require.Nil(t, a.ParseError)
	assert.Equal(t, []Arg{
		{Name: "BASE", Default: "ddlab/busybox", HasDefault: true, Line: 1},
		{Name: "TAG", Default: "1", HasDefault: true, Line: 2},
		{Name: "UNUSED", Line: 3},
	}, a.MetaArgs)
	require.Len(t, a.Stages, 1)
	assert.Equal(t, "ddlab/busybox:1", a.Stages[0].Base)
	assert.Equal(t, "${BASE}:${TAG}", a.Stages[0].BaseRaw)
	assert.Equal(t, "run", a.Stages[0].Name)
	assert.Equal(t, 4, a.Stages[0].Line)
}

func TestContext(t *testing.T) {
	src := readFixture(t, "good.Dockerfile")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	a := Analyze(ctx, "", src)
	require.NotNil(t, a.ParseError)
	assert.Contains(t, a.ParseError.Message, context.Canceled.Error())
	assert.Equal(t, "Dockerfile", a.Name)

	ctx, cancel = context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	a = Analyze(ctx, "x/Dockerfile", src)
	require.NotNil(t, a.ParseError)
	assert.Contains(t, a.ParseError.Message, context.DeadlineExceeded.Error())
	assert.Equal(t, "x/Dockerfile", a.Name)

	//nolint:staticcheck // a nil context must not crash the grader either
	a = Analyze(nil, "Dockerfile", src)
	assert.Nil(t, a.ParseError)
}

// TestHostileInputs checks that inputs which make BuildKit's dispatch quadratic or exponential are
// refused before BuildKit runs, and that everything below the limits is fast.
func TestHostileInputs(t *testing.T) {
	gen := func(n int, f func(i int) string) string {
		var b strings.Builder
		for i := 0; i < n; i++ {
			b.WriteString(f(i))
		}
		return b.String()
	}
	tests := []struct {
		name    string
		src     string
		message string // "" when the file must be accepted
	}{
		{"too many instructions", "FROM scratch\n" + gen(MaxInstructions, func(int) string { return "ENV A=1\n" }), "too many instructions"},
		{"exponential ENV", "FROM scratch\nENV v0=xxxxxxxxxx\n" + gen(8, func(i int) string {
			return fmt.Sprintf("ENV v%d=%s\n", i+1, strings.Repeat(fmt.Sprintf("$v%d", i), 10))
		}), "expand to too much text"},
		{"replacement bomb", "FROM scratch\nENV a=" + strings.Repeat("x", 100) + "\nENV b=${a//x/${a//x/${a//x/$a}}}\n", "expand to too much text"},
		{"meta ARG bomb", "ARG a=xxxxxxxxxxxxxxxx\n" + gen(7, func(i int) string {
			return fmt.Sprintf("ARG a%d=%s\n", i, strings.Repeat("${a"+map[bool]string{true: "", false: fmt.Sprint(i - 1)}[i == 0]+"}", 12))
		}) + "FROM scratch\n", "expand to too much text"},
		{"EXPOSE ranges", "FROM scratch\nEXPOSE " + strings.Repeat("1-65535 ", 10) + "\n", "EXPOSE port ranges are too large"},
		{"EXPOSE range via variable", "FROM scratch\nENV P=\"1-65535 1-65535\"\nENV Q=$P$P$P\nEXPOSE $Q\n", "EXPOSE port ranges are too large"},
		{"many ENV keys", "FROM scratch\nENV " + gen(maxDefinitions+1, func(i int) string { return fmt.Sprintf("k%d=v \\\n", i) }) + "end=1\n", "too many variables"},
		{"huge SHELL copied into every RUN", "FROM scratch\nSHELL [" + gen(5000, func(int) string { return "\"a\", \\\n" }) + "\"b\"]\n" + gen(500, func(int) string { return "RUN x\n" }), "too many arguments"},
		{"many COPY sources", "FROM scratch\nCOPY " + gen(maxWords, func(i int) string { return fmt.Sprintf("f%d \\\n", i) }) + "/dst/\n", "too many arguments"},
		{"long undefined names", "FROM scratch\n" + gen(300, func(i int) string {
			return fmt.Sprintf("ENV %s%d=$%s%d\n", strings.Repeat("a", 100), i, strings.Repeat("b", 100), i)
		}), "too many or too long variable names"},
		{"EXPOSE one range via ARG", "FROM scratch\nARG PORTS=8000-8010\nEXPOSE $PORTS 9000-9100/udp\n", ""},
		{"many plain instructions", "FROM scratch\n" + gen(MaxInstructions-1, func(i int) string { return fmt.Sprintf("LABEL l%d=v\n", i) }), ""},
		{"many stages", gen(MaxInstructions, func(i int) string { return fmt.Sprintf("FROM scratch AS s%d\n", i) }), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			start := time.Now()
			a := Analyze(ctx, "Dockerfile", []byte(tt.src))
			elapsed := time.Since(start)
			require.NotNil(t, a)
			if tt.message == "" {
				assert.Nil(t, a.ParseError)
			} else {
				require.NotNil(t, a.ParseError)
				assert.Contains(t, a.ParseError.Message, tt.message)
			}
			assert.Less(t, elapsed, 10*time.Second)
		})
	}
}

func TestLinesWithinFile(t *testing.T) {
	for _, f := range fixtureFiles(t) {
		src := readFixture(t, f)
		a := Analyze(context.Background(), "Dockerfile", src)
		checkLines(t, a, lineCount(src))
	}
}

func fixtureFiles(t testing.TB) []string {
	var out []string
	err := filepath.WalkDir("testdata", func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".Dockerfile") {
			rel, _ := filepath.Rel("testdata", path)
			out = append(out, rel)
		}
		return err
	})
	require.NoError(t, err)
	require.NotEmpty(t, out)
	return out
}

func checkLines(t testing.TB, a *Analysis, n int) {
	t.Helper()
	in := func(what string, l int) {
		if l < 0 || l > n {
			t.Fatalf("%s: line %d outside 0..%d", what, l, n)
		}
	}
	in("syntax", a.SyntaxLine)
	if a.ParseError != nil {
		in("parse error", a.ParseError.Line)
	}
	for _, p := range a.Lint {
		in("lint "+p.Rule, p.Line)
	}
	for _, m := range a.MetaArgs {
		in("meta arg", m.Line)
	}
	for _, s := range a.Stages {
		in("stage", s.Line)
		in("stage end", s.EndLine)
		for _, c := range s.Commands {
			in("command "+c.Name, c.Line)
			in("command end "+c.Name, c.EndLine)
			if c.EndLine < c.Line {
				t.Fatalf("command %s: end %d before start %d", c.Name, c.EndLine, c.Line)
			}
		}
	}
}

func BenchmarkAnalyzeGood(b *testing.B) {
	src := readFixture(b, "good.Dockerfile")
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		a := Analyze(ctx, "Dockerfile", src)
		if a.ParseError != nil || len(a.Lint) != 0 {
			b.Fatal(a.ParseError, a.Lint)
		}
	}
}

// A read-write bind mount once crashed the linter (conversion read LLB capabilities that were
// never passed) and failed valid public Dockerfiles with "internal error … line 0".
func TestReadWriteBindMountLints(t *testing.T) {
	a := analyzeFixture(t, "public/compose-bind-rw.Dockerfile")
	require.Nil(t, a.ParseError, "%+v", a.ParseError)
	build := a.StageByName("build")
	require.NotNil(t, build)
	require.Len(t, build.Commands, 2)
	assert.Equal(t, "bind", build.Commands[1].Mounts[0].Type)
}

func TestLabsOnlyFlags(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		flag      string
	}{
		{"security after a labs syntax line", "# syntax=docker/dockerfile:1-labs\nFROM scratch\nRUN --security=insecure true\n", 3, "--security"},
		{"security without syntax line", "FROM scratch\nRUN --security=sandbox true\n", 2, "--security"},
		{"device", "FROM scratch\n\nRUN --device=/dev/fuse true\n", 3, "--device"},
		{"an unknown flag is not labs-only", "FROM scratch\nRUN --bogus=1 true\n", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := Analyze(context.Background(), "Dockerfile", []byte(tt.src))
			require.NotNil(t, a.ParseError)
			assert.Equal(t, tt.line, a.ParseError.Line)
			assert.Equal(t, tt.flag, a.ParseError.LabsOnly)
		})
	}
}

func TestCommandRuns(t *testing.T) {
	a := Analyze(context.Background(), "Dockerfile", []byte("# go mod download\nFROM x\nLABEL n=\"go mod download\"\nRUN go mod \\\n    download\nRUN echo hi\n"))
	require.Nil(t, a.ParseError)
	var lines []int
	for _, c := range a.Stages[0].Commands {
		if c.Runs("go mod download") {
			lines = append(lines, c.Line)
		}
	}
	assert.Equal(t, []int{4}, lines, "only the RUN, across its continuation; not the comment nor the LABEL")
}
