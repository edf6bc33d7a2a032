package kube

import (
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Line is the line of the field at path ("spec.template.spec.containers[0].image") in a
// document, or of the deepest part of it that exists: an unknown field's line, or the line
// of the object a missing field belongs in.
func Line(root *yaml.Node, path string) int {
	return lineAt(root, splitPath(path))
}

// splitPath turns "a.b[0].c" into ["a", "b", "0", "c"].
func splitPath(path string) []string {
	var out []string
	for _, part := range strings.Split(path, ".") {
		for part != "" {
			i := strings.IndexByte(part, '[')
			if i < 0 {
				out = append(out, part)
				break
			}
			if i > 0 {
				out = append(out, part[:i])
			}
			j := strings.IndexByte(part[i:], ']')
			if j < 0 {
				out = append(out, part[i+1:])
				break
			}
			out = append(out, part[i+1:i+j])
			part = part[i+j+1:]
		}
	}
	return out
}

// lineAt follows tokens (mapping keys and list indexes) from n.
func lineAt(n *yaml.Node, tokens []string) int {
	if n == nil {
		return 0
	}
	line := n.Line
	for _, tok := range tokens {
		for n != nil && n.Kind == yaml.AliasNode {
			n = n.Alias
		}
		if n == nil {
			return line
		}
		switch n.Kind {
		case yaml.MappingNode:
			var next *yaml.Node
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == tok {
					line, next = n.Content[i].Line, n.Content[i+1]
				}
			}
			if next == nil {
				return line
			}
			n = next
		case yaml.SequenceNode:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(n.Content) {
				return line
			}
			n = n.Content[i]
			line = n.Line
		default:
			return line
		}
	}
	return line
}

// At is the line of path inside o's document, for the checks that find something to say
// about a field.
func (o Object) At(path string) int {
	if o.node == nil {
		return o.Line
	}
	if l := Line(o.node, path); l > 0 {
		return l
	}
	return o.Line
}
