package dockerfile

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Internal limits, measured on BuildKit v0.25.1 (see checkLimits). A lab Dockerfile is two to
// three orders of magnitude below each of them; at the limits DockerfileLint takes well under a
// second.
const (
	// maxDefinitions bounds ENV/ARG/LABEL keys: BuildKit's env handling is quadratic.
	maxDefinitions = 2000
	// maxExpansion bounds the estimated bytes produced by variable expansion, whole file.
	maxExpansion = 16 << 20
	// maxNameWork bounds (total length of referenced names) × (total length of defined names):
	// UndefinedVar compares every undefined reference with every variable in scope (Levenshtein).
	maxNameWork = 50_000_000
	// maxCopyWork bounds (words of long instructions beyond smallWords) × (instructions): BuildKit
	// copies argument lists (SHELL, CMD, …) into later stages and commands (a 100k-word SHELL and
	// 500 stages took 20 s and 2 GB).
	maxCopyWork = 2_000_000
	smallWords  = 16
	// maxWords bounds the words of all instructions (a COPY with 100k sources took 1.3 s, 350 MB).
	maxWords = 20_000
	// maxExposedPorts bounds the ports EXPOSE ranges expand to (1-65535 is 65535 ports, ~1.4 µs each).
	maxExposedPorts = 300_000
	// unknownVarSize is assumed for variables the file does not define (base image ENV such as
	// PATH, BuildKit's TARGETPLATFORM & co).
	unknownVarSize = 256
)

// varInfo is what checkLimits knows about a variable: upper bounds of its value's length and of
// the words it splits into, and whether it may contain a '-' (an EXPOSE port range).
type varInfo struct {
	size, words int64
	dash        bool
}

// checkLimits bounds the work BuildKit's linter will do on the parsed file, which for some inputs
// is quadratic (instructions × variables, words × stages) or exponential (`ENV b=$a$a$a…` chains,
// `${a//x/$b}`). Estimates are conservative and made in file order. It returns nil when the file
// is within the limits, else a Problem (with the line where the limit was crossed when known).
func checkLimits(root *parser.Node) *Problem {
	n := len(root.Children)
	if n > MaxInstructions {
		return &Problem{
			Message: fmt.Sprintf("the Dockerfile has too many instructions: %d (at most %d)", n, MaxInstructions),
			Line:    root.Children[MaxInstructions].StartLine,
		}
	}
	vars := map[string]varInfo{}
	var wildcard varInfo // variables defined with a computed name (ARG $x=…)
	lookup := func(name string) varInfo {
		v, ok := vars[name]
		if !ok {
			v = varInfo{size: unknownVarSize, words: 1}
		}
		return varInfo{size: max(v.size, wildcard.size), words: max(v.words, wildcard.words), dash: v.dash || wildcard.dash}
	}
	var total, refBytes, words, bigWords, ports int64
	defBytes := int64(400) // BuildKit's own build args and the image's PATH
	defs := 0
	for _, node := range root.Children {
		text := node.Original
		for _, h := range node.Heredocs {
			text += "\n" + h.Content
		}
		size, refLen := expansionEstimate(text, lookup)
		refBytes += refLen
		total = satAdd(total, size)
		if total > maxExpansion {
			return &Problem{
				Message: fmt.Sprintf("the Dockerfile's variables expand to too much text (more than %d bytes)", maxExpansion),
				Line:    node.StartLine,
			}
		}
		w := countWords(node)
		words += w
		bigWords += max(0, w-smallWords)
		if words > maxWords || bigWords*int64(n) > maxCopyWork {
			return &Problem{Message: "the Dockerfile has too many arguments for its number of instructions", Line: node.StartLine}
		}

		ins := node
		if strings.EqualFold(ins.Value, "onbuild") && ins.Next != nil && len(ins.Next.Children) > 0 {
			ins = ins.Next.Children[0]
		}
		switch strings.ToLower(ins.Value) {
		case "env", "arg":
			for _, kv := range definitions(ins) {
				defs++
				defBytes += int64(len(kv[0]))
				vsize, _ := expansionEstimate(kv[1], lookup)
				info := varInfo{size: vsize, words: wordsEstimate(kv[1], lookup), dash: dashPossible(kv[1], lookup)}
				if strings.Contains(kv[0], "$") {
					wildcard = merge(wildcard, info)
				}
				vars[kv[0]] = merge(vars[kv[0]], info)
			}
		case "label":
			defs += len(definitions(ins))
		case "expose":
			for x := ins.Next; x != nil; x = x.Next {
				ports = satAdd(ports, exposedPorts(x.Value, lookup))
			}
			if ports > maxExposedPorts {
				return &Problem{
					Message: fmt.Sprintf("EXPOSE port ranges are too large (more than %d ports)", maxExposedPorts),
					Line:    node.StartLine,
				}
			}
		}
		if defs > maxDefinitions {
			return &Problem{
				Message: fmt.Sprintf("the Dockerfile defines too many variables and labels: more than %d ENV/ARG/LABEL keys", maxDefinitions),
				Line:    node.StartLine,
			}
		}
	}
	if refBytes > 0 && refBytes > maxNameWork/defBytes {
		return &Problem{Message: "the Dockerfile uses too many or too long variable names"}
	}
	return nil
}

func merge(a, b varInfo) varInfo {
	return varInfo{size: max(a.size, b.size), words: max(a.words, b.words), dash: a.dash || b.dash}
}

// refs calls f for every variable reference ($name, ${name…}) in text; repl is true for the
// replacement forms ${name/…} and ${name//…}. Escaped dollars are counted too (conservative).
func refs(text string, f func(name string, repl bool)) {
	for i := 0; i < len(text); i++ {
		if text[i] != '$' || i+1 >= len(text) {
			continue
		}
		j := i + 1
		braced := text[j] == '{'
		if braced {
			j++
		}
		k := j
		for k < len(text) {
			r, w := rune(text[k]), 1
			if r >= utf8.RuneSelf { // BuildKit accepts Unicode letters and digits in names
				r, w = utf8.DecodeRuneInString(text[k:])
			}
			if r != '_' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				break
			}
			k += w
		}
		if k == j {
			continue
		}
		f(text[j:k], braced && k < len(text) && text[k] == '/')
		i = k - 1
	}
}

// expansionEstimate returns an upper bound of the length text expands to, and the total length of
// the variable names it references.
func expansionEstimate(text string, lookup func(string) varInfo) (size, refLen int64) {
	size = int64(len(text))
	mult := int64(1)
	refs(text, func(name string, repl bool) {
		refLen += int64(len(name))
		s := lookup(name).size
		size = satAdd(size, s)
		if repl { // each match of the pattern may be replaced by the whole replacement
			mult = satMul(mult, satAdd(s, 1))
		}
	})
	return satMul(size, mult), refLen
}

// wordsEstimate bounds the number of words text splits into after expansion.
func wordsEstimate(text string, lookup func(string) varInfo) int64 {
	w := int64(len(strings.Fields(text))) + 1
	refs(text, func(name string, repl bool) {
		w = satAdd(w, lookup(name).words)
		if repl {
			w = satMul(w, satAdd(lookup(name).size, 1))
		}
	})
	return w
}

func dashPossible(text string, lookup func(string) varInfo) bool {
	dash := strings.Contains(text, "-")
	refs(text, func(name string, repl bool) { dash = dash || repl || lookup(name).dash })
	return dash
}

// exposedPorts bounds the number of ports one EXPOSE argument produces.
func exposedPorts(arg string, lookup func(string) varInfo) int64 {
	if strings.Contains(arg, "$") {
		w := wordsEstimate(arg, lookup)
		if dashPossible(arg, lookup) {
			return satMul(w, 65536)
		}
		return w
	}
	spec := arg
	if i := strings.LastIndexByte(spec, ':'); i >= 0 {
		spec = spec[i+1:]
	}
	spec, _, _ = strings.Cut(spec, "/")
	start, end, ok := strings.Cut(spec, "-")
	if !ok {
		return 1
	}
	a, err1 := strconv.Atoi(start)
	b, err2 := strconv.Atoi(end)
	if err1 != nil || err2 != nil {
		return 65536
	}
	if b < a {
		return 1
	}
	return int64(min(b-a+1, 65536))
}

// definitions lists the (key, raw value) pairs of an ENV, ARG or LABEL instruction.
func definitions(n *parser.Node) [][2]string {
	var out [][2]string
	switch strings.ToLower(n.Value) {
	case "env", "label": // key, value, separator triplets
		for x := n.Next; x != nil; {
			v := ""
			if x.Next != nil {
				v = x.Next.Value
			}
			out = append(out, [2]string{x.Value, v})
			if x.Next == nil || x.Next.Next == nil {
				break
			}
			x = x.Next.Next.Next
		}
	case "arg": // "key" or "key=value" words
		for x := n.Next; x != nil; x = x.Next {
			k, v, _ := strings.Cut(x.Value, "=")
			out = append(out, [2]string{k, v})
		}
	}
	return out
}

// countWords counts an instruction's keyword, arguments, flags and heredocs (ONBUILD included).
func countWords(n *parser.Node) int64 {
	c := int64(1 + len(n.Flags) + len(n.Heredocs))
	for x := n.Next; x != nil; x = x.Next {
		c++
		for _, ch := range x.Children {
			c += countWords(ch)
		}
	}
	return c
}

const satMax = int64(1) << 60

func satAdd(a, b int64) int64 {
	if a > satMax-b {
		return satMax
	}
	return a + b
}

func satMul(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	if a > satMax/b {
		return satMax
	}
	return a * b
}
