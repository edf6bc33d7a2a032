// Package dockerfile analyses a Dockerfile statically with BuildKit used as a library: parser,
// typed instructions and the full linter rule set (what `docker build --check` runs). It never
// talks to a Docker daemon or a registry: base images are "resolved" by an offline stub.
//
// Student submissions can be broken, huge, hostile or binary garbage: Analyze never panics,
// never returns nil, refuses oversized/binary input before BuildKit sees it, caps the work
// BuildKit may do (see the Max* limits) and honours the context deadline.
package dockerfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"github.com/moby/buildkit/solver/pb"
)

// Analysis is the result of Analyze. Stages and MetaArgs are filled whenever the file parsed,
// even when ParseError reports a later, build-breaking problem (found by the linter's dispatch
// step, or a resource limit).
type Analysis struct {
	Name       string // file name used in messages, e.g. "Dockerfile"
	Syntax     string // value of a `# syntax=` parser directive (as written, arguments included), "" if none
	SyntaxLine int    // line of that directive, 0 if none
	Stages     []Stage
	MetaArgs   []Arg     // ARGs before the first FROM
	ParseError *Problem  // nil when the file parsed; Line set whenever BuildKit gives one
	Lint       []Problem // BuildKit linter findings (full rule set, as `docker build --check`), sorted by line
}

// Problem is a parse error (Rule "") or a linter finding. Line is 1-based, 0 when unknown.
type Problem struct {
	Rule        string // linter rule name, e.g. "JSONArgsRecommended"; "" for parse errors
	Message     string // BuildKit's message, in English
	URL         string // documentation of the rule
	Line        int
	Description string // the rule's generic description (linter findings only)
	// LabsOnly names an instruction flag that only the experimental docker/dockerfile:1-labs
	// frontend knows (e.g. "--security"): BuildKit's own "unknown flag" says nothing of why.
	LabsOnly string
}

// Stage is one FROM … block.
type Stage struct {
	Name     string // lowercase as BuildKit keeps it, "" when unnamed
	Base     string // the FROM image/stage reference as written, meta ARGs expanded (defaults) when possible
	BaseRaw  string // the FROM reference exactly as written
	Platform string // FROM --platform value as written, "" if none
	Line     int    // line of the FROM instruction
	EndLine  int    // last line of the FROM instruction
	Commands []Command
}

// Command is one instruction of a stage.
type Command struct {
	Name          string // lowercase instruction: "run", "copy", "entrypoint", ...
	Line, EndLine int
	Text          string   // original source text of the instruction (all its lines, heredoc bodies included)
	Args          []string // see argsOf: CmdLine for RUN/CMD/ENTRYPOINT, sources+dest for COPY/ADD, ...
	Flags         []string // flags as written, e.g. "--from=build", "--mount=type=cache,target=/x"
	JSONForm      bool     // exec (JSON) form for RUN/CMD/ENTRYPOINT/SHELL/COPY/ADD/VOLUME; HEALTHCHECK: Test[0]=="CMD"
	From          string   // COPY --from value
	Mounts        []Mount  // RUN --mount=... parsed
}

// Runs says whether a RUN instruction's command line holds words ("go mod download"),
// whatever spaces and line continuations separate them. Comments and other instructions never
// match.
func (c Command) Runs(words string) bool {
	return c.Name == "run" && strings.Contains(strings.Join(strings.Fields(strings.Join(c.Args, " ")), " "), words)
}

// Mount is a parsed RUN --mount flag.
type Mount struct {
	Type   string // "bind" (default), "cache", "tmpfs", "secret", "ssh"
	Target string
	ID     string // cache id
	From   string
	Source string
}

// Arg is an ARG key.
type Arg struct {
	Name       string
	Default    string // as written (not expanded)
	HasDefault bool
	Line       int
}

// Limits applied before BuildKit sees the file (more, internal ones in limits.go: some of
// BuildKit's dispatch steps are quadratic in the number of instructions, variables or arguments,
// and variable expansion can grow exponentially). Legitimate Dockerfiles are far below them.
const (
	MaxSize         = 1 << 20 // bytes
	MaxInstructions = 1000    // top-level instructions
)

// Final returns the last stage (the default build target) or nil.
func (a *Analysis) Final() *Stage {
	if a == nil || len(a.Stages) == 0 {
		return nil
	}
	return &a.Stages[len(a.Stages)-1]
}

// StageByName returns the stage with that name (case-insensitive) or nil.
func (a *Analysis) StageByName(name string) *Stage {
	if a == nil || name == "" {
		return nil
	}
	for i := range a.Stages {
		if strings.EqualFold(a.Stages[i].Name, name) {
			return &a.Stages[i]
		}
	}
	return nil
}

// Analyze parses and lints src. It never panics and never returns nil. Parse problems go into
// ParseError. The work is bounded by ctx: when ctx ends first, the result carries a ParseError
// with ctx.Err() (the abandoned work finishes in the background, within the limits above).
func Analyze(ctx context.Context, name string, src []byte) *Analysis {
	if name == "" {
		name = "Dockerfile"
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if err := ctx.Err(); err != nil {
		return interrupted(name, err)
	}
	ch := make(chan *Analysis, 1)
	go func() {
		a := &Analysis{Name: name}
		defer func() {
			if r := recover(); r != nil {
				a.ParseError = &Problem{Message: fmt.Sprintf("internal error while analysing the Dockerfile: %v", r)}
			}
			ch <- a
		}()
		analyze(ctx, a, src)
	}()
	select {
	case a := <-ch:
		return a
	case <-ctx.Done():
		select {
		case a := <-ch:
			return a
		default:
			return interrupted(name, ctx.Err())
		}
	}
}

func interrupted(name string, err error) *Analysis {
	return &Analysis{Name: name, ParseError: &Problem{Message: "analysis of the Dockerfile interrupted: " + err.Error()}}
}

func analyze(ctx context.Context, a *Analysis, src []byte) {
	nlines := lineCount(src)
	fail := func(msg string, line int) {
		a.ParseError = &Problem{Message: msg, Line: clampLine(line, nlines)}
	}

	// Guards: never hand binary garbage or huge files to BuildKit.
	if len(src) > MaxSize {
		fail(fmt.Sprintf("the Dockerfile is too large: %d bytes (at most %d)", len(src), MaxSize), 0)
		return
	}
	if i := bytes.IndexByte(src, 0); i >= 0 {
		fail(fmt.Sprintf("the Dockerfile contains binary data (NUL byte at line %d)", lineAt(src, i)), lineAt(src, i))
		return
	}
	if !utf8.Valid(src) {
		i := firstInvalidUTF8(src)
		fail(fmt.Sprintf("the Dockerfile is not valid UTF-8 text (invalid byte at line %d)", lineAt(src, i)), lineAt(src, i))
		return
	}
	if len(src) == 0 {
		// What BuildKit's dispatcher (docker build) says; its parser says "file with no instructions" at line 0.
		fail("the Dockerfile cannot be empty", 0)
		return
	}

	if _, cmdline, loc, ok := parser.DetectSyntax(src); ok {
		a.Syntax = strings.TrimSpace(cmdline)
		a.SyntaxLine = 1
		if len(loc) > 0 {
			a.SyntaxLine = clampLine(max(loc[0].Start.Line, 1), nlines)
		}
	}

	res, err := parser.Parse(bytes.NewReader(src))
	if err != nil {
		a.ParseError = problemFromError(err, nlines)
		return
	}
	if p := checkLimits(res.AST); p != nil {
		p.Line = clampLine(p.Line, nlines)
		a.ParseError = p
		return
	}
	if err := ctx.Err(); err != nil {
		fail("analysis of the Dockerfile interrupted: "+err.Error(), 0)
		return
	}

	stages, metaArgs, err := instructions.Parse(res.AST, nil)
	if err != nil {
		a.ParseError = problemFromError(err, nlines)
	} else {
		lines := splitLines(src)
		nodes := map[int]*parser.Node{}
		for _, n := range res.AST.Children {
			nodes[n.StartLine] = n
		}
		a.MetaArgs = argsFrom(metaArgs, nlines)
		a.Stages = stagesFrom(stages, metaArgs, res.EscapeToken, nodes, lines, nlines)
		if len(stages) == 0 {
			fail("dockerfile contains no stages to build", 0) // BuildKit's message (no FROM)
		}
	}

	lr, err := runLint(ctx, a.Name, src)
	if err != nil {
		if a.ParseError == nil {
			a.ParseError = problemFromError(err, nlines)
		}
		return
	}
	for _, w := range lr.Warnings {
		p := Problem{Rule: w.RuleName, Message: w.Detail, URL: w.URL, Description: w.Description}
		if w.Location != nil {
			p.Line = firstLine(w.Location.Ranges)
		}
		p.Line = clampLine(p.Line, nlines)
		a.Lint = append(a.Lint, p)
	}
	sort.SliceStable(a.Lint, func(i, j int) bool { return a.Lint[i].Line < a.Lint[j].Line })
	if lr.Error != nil && a.ParseError == nil {
		a.ParseError = &Problem{
			Message:  normaliseLintError(lr.Error.Message),
			Line:     clampLine(firstLine(lr.Error.Location.Ranges), nlines),
			LabsOnly: labsOnlyFlag(lr.Error.Message),
		}
	}
}

// problemFromError keeps BuildKit's message and takes the first line of its location.
func problemFromError(err error, nlines int) *Problem {
	p := &Problem{Message: err.Error()}
	var le *parser.LocationError
	if errors.As(err, &le) {
		line := 0
		for _, rs := range le.Locations {
			for _, r := range rs {
				if r.Start.Line > 0 && (line == 0 || r.Start.Line < line) {
					line = r.Start.Line
				}
			}
		}
		p.Line = line
	}
	var ue *instructions.UnknownInstructionError
	if p.Line == 0 && errors.As(err, &ue) {
		p.Line = ue.Line
	}
	p.Line = clampLine(p.Line, nlines)
	p.LabsOnly = labsOnlyFlag(p.Message)
	return p
}

// labsOnlyFlags are the flags the stable frontend rejects as unknown because only the labs
// channel (built with the dfrunsecurity tag) defines them. The `# syntax=…-labs` line that would
// select that channel is neutralised offline, so the student needs to hear the reason.
var labsOnlyFlags = map[string]string{
	"unknown flag: --security":                                "--security",
	"device feature is only supported in Dockerfile frontend": "--device",
}

func labsOnlyFlag(msg string) string {
	for text, flag := range labsOnlyFlags {
		if strings.Contains(msg, text) {
			return flag
		}
	}
	return ""
}

// normaliseLintError sorts the rule list of "lint violation found for rules: …" (`# check=error=true`),
// which BuildKit builds from a map, so that reports are stable.
func normaliseLintError(msg string) string {
	const prefix = "lint violation found for rules: "
	if rest, ok := strings.CutPrefix(msg, prefix); ok {
		rules := strings.Split(rest, ", ")
		sort.Strings(rules)
		return prefix + strings.Join(rules, ", ")
	}
	return msg
}

func stagesFrom(stages []instructions.Stage, metaArgs []instructions.ArgCommand, escape rune, nodes map[int]*parser.Node, lines []string, nlines int) []Stage {
	env := metaArgEnv(stages, metaArgs, escape)
	lex := shell.NewLex(escape)
	out := make([]Stage, 0, len(stages))
	for _, s := range stages {
		start, end := rangeOf(s.Location)
		st := Stage{
			Name:     s.Name,
			Base:     s.BaseName,
			BaseRaw:  s.BaseName,
			Platform: s.Platform,
			Line:     clampLine(start, nlines),
			EndLine:  clampLine(end, nlines),
		}
		if env != nil {
			if r, err := lex.ProcessWordWithMatches(s.BaseName, env); err == nil && r.Result != "" {
				st.Base = r.Result
			}
		}
		for _, c := range s.Commands {
			st.Commands = append(st.Commands, commandFrom(c, nodes, lines, nlines))
		}
		out = append(out, st)
	}
	return out
}

func commandFrom(c instructions.Command, nodes map[int]*parser.Node, lines []string, nlines int) Command {
	start, end := rangeOf(c.Location())
	cmd := Command{
		Name:    strings.ToLower(c.Name()),
		Line:    clampLine(start, nlines),
		EndLine: clampLine(end, nlines),
		Text:    textOf(lines, start, end),
	}
	if n := nodes[start]; n != nil {
		cmd.Flags = append([]string(nil), n.Flags...)
		cmd.JSONForm = n.Attributes["json"]
	}
	switch c := c.(type) {
	case *instructions.RunCommand:
		cmd.Args = clone(c.CmdLine)
		cmd.JSONForm = !c.PrependShell
		for _, m := range mountsOf(c) {
			cmd.Mounts = append(cmd.Mounts, Mount{Type: string(m.Type), Target: m.Target, ID: m.CacheID, From: m.From, Source: m.Source})
		}
	case *instructions.CmdCommand:
		cmd.Args = clone(c.CmdLine)
		cmd.JSONForm = !c.PrependShell
	case *instructions.EntrypointCommand:
		cmd.Args = clone(c.CmdLine)
		cmd.JSONForm = !c.PrependShell
	case *instructions.HealthCheckCommand:
		// The Test slice as it lands in the image config: ["CMD", …], ["CMD-SHELL", "…"] or ["NONE"].
		if c.Health != nil {
			cmd.Args = clone(c.Health.Test)
			cmd.JSONForm = len(c.Health.Test) > 0 && c.Health.Test[0] == "CMD"
		}
	case *instructions.ShellCommand:
		cmd.Args = clone(c.Shell)
	case *instructions.CopyCommand:
		cmd.Args = sourcesAndDest(&c.SourcesAndDest)
		cmd.From = c.From
	case *instructions.AddCommand:
		cmd.Args = sourcesAndDest(&c.SourcesAndDest)
	case *instructions.EnvCommand:
		for _, kv := range c.Env {
			cmd.Args = append(cmd.Args, kv.Key+"="+kv.Value)
		}
	case *instructions.LabelCommand:
		for _, kv := range c.Labels {
			cmd.Args = append(cmd.Args, kv.Key+"="+kv.Value)
		}
	case *instructions.ArgCommand:
		for _, kv := range c.Args {
			if kv.Value != nil {
				cmd.Args = append(cmd.Args, kv.Key+"="+*kv.Value)
			} else {
				cmd.Args = append(cmd.Args, kv.Key)
			}
		}
	case *instructions.WorkdirCommand:
		cmd.Args = []string{c.Path}
	case *instructions.UserCommand:
		cmd.Args = []string{c.User}
	case *instructions.ExposeCommand:
		cmd.Args = clone(c.Ports)
	case *instructions.VolumeCommand:
		cmd.Args = clone(c.Volumes)
	case *instructions.StopSignalCommand:
		cmd.Args = []string{c.Signal}
	case *instructions.MaintainerCommand:
		cmd.Args = []string{c.Maintainer}
	case *instructions.OnbuildCommand:
		cmd.Args = []string{c.Expression}
	default:
		if n := nodes[start]; n != nil {
			for x := n.Next; x != nil; x = x.Next {
				cmd.Args = append(cmd.Args, x.Value)
			}
		}
	}
	return cmd
}

// mountsOf parses the RUN --mount flags. instructions.Parse defers their values to the dispatch
// step (for variable expansion); an identity expander keeps them as written. nil when BuildKit
// rejects them (the linter then reports the error).
func mountsOf(c *instructions.RunCommand) (ms []*instructions.Mount) {
	defer func() {
		if recover() != nil { // no mount state: nothing to report
			ms = nil
		}
	}()
	if err := c.Expand(func(word string) (string, error) { return word, nil }); err != nil {
		return nil
	}
	return instructions.GetMounts(c)
}

func sourcesAndDest(s *instructions.SourcesAndDest) []string {
	out := clone(s.SourcePaths)
	for _, sc := range s.SourceContents {
		out = append(out, sc.Path)
	}
	return append(out, s.DestPath)
}

func argsFrom(metaArgs []instructions.ArgCommand, nlines int) []Arg {
	var out []Arg
	for _, c := range metaArgs {
		start, _ := rangeOf(c.Location())
		for _, kv := range c.Args {
			a := Arg{Name: kv.Key, Line: clampLine(start, nlines), HasDefault: kv.Value != nil}
			if kv.Value != nil {
				a.Default = *kv.Value
			}
			out = append(out, a)
		}
	}
	return out
}

// metaArgEnv mirrors BuildKit's buildMetaArgs (no --build-arg): the default platform arguments of
// a linux/amd64 build, then each meta ARG with a default, expanded in order. nil if expansion fails.
func metaArgEnv(stages []instructions.Stage, metaArgs []instructions.ArgCommand, escape rune) *envMap {
	target := "default"
	if len(stages) > 0 && stages[len(stages)-1].Name != "" {
		target = stages[len(stages)-1].Name
	}
	env := &envMap{m: map[string]string{}}
	for _, kv := range [][2]string{
		{"BUILDPLATFORM", "linux/amd64"}, {"BUILDOS", "linux"}, {"BUILDOSVERSION", ""}, {"BUILDARCH", "amd64"}, {"BUILDVARIANT", ""},
		{"TARGETPLATFORM", "linux/amd64"}, {"TARGETOS", "linux"}, {"TARGETOSVERSION", ""}, {"TARGETARCH", "amd64"}, {"TARGETVARIANT", ""},
		{"TARGETSTAGE", target},
	} {
		env.set(kv[0], kv[1])
	}
	lex := shell.NewLex(escape)
	for _, c := range metaArgs {
		for _, kv := range c.Args {
			if kv.Value == nil {
				continue
			}
			r, err := lex.ProcessWordWithMatches(*kv.Value, env)
			if err != nil {
				return nil
			}
			env.set(kv.Key, r.Result)
		}
	}
	return env
}

type envMap struct {
	m    map[string]string
	keys []string
}

func (e *envMap) set(k, v string) {
	if _, ok := e.m[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.m[k] = v
}
func (e *envMap) Get(k string) (string, bool) { v, ok := e.m[k]; return v, ok }
func (e *envMap) Keys() []string              { return e.keys }

// --- line helpers ---

func rangeOf(rs []parser.Range) (start, end int) {
	for i, r := range rs {
		if i == 0 || r.Start.Line < start {
			start = r.Start.Line
		}
		if r.End.Line > end {
			end = r.End.Line
		}
	}
	if end < start {
		end = start
	}
	return start, end
}

func firstLine(rs []*pb.Range) int {
	line := 0
	for _, r := range rs {
		if l := int(r.GetStart().GetLine()); l > 0 && (line == 0 || l < line) {
			line = l
		}
	}
	return line
}

// lineCount counts lines the way BuildKit's scanner does: a final line without "\n" counts.
func lineCount(src []byte) int {
	n := bytes.Count(src, []byte{'\n'})
	if len(src) > 0 && src[len(src)-1] != '\n' {
		n++
	}
	return n
}

func lineAt(src []byte, off int) int {
	return bytes.Count(src[:off], []byte{'\n'}) + 1
}

func clampLine(line, nlines int) int {
	if line < 0 {
		return 0
	}
	if line > nlines {
		return nlines
	}
	return line
}

func firstInvalidUTF8(src []byte) int {
	for i := 0; i < len(src); {
		r, size := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return 0
}

// splitLines returns the lines of src without their "\n" / "\r\n" endings.
func splitLines(src []byte) []string {
	s := string(src)
	s = strings.TrimSuffix(s, "\n")
	if s == "" && len(src) == 0 {
		return nil
	}
	s = strings.TrimPrefix(s, "\uFEFF") // BuildKit drops a byte-order mark on the first line
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimSuffix(l, "\r")
	}
	return lines
}

func textOf(lines []string, start, end int) string {
	if start < 1 || start > len(lines) {
		return ""
	}
	if end > len(lines) {
		end = len(lines)
	}
	if end < start {
		end = start
	}
	return strings.Join(lines[start-1:end], "\n")
}

func clone(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}
