package compose

import (
	"fmt"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"
)

// unsafeRefs lists the file references compose-go would read while loading (env_file,
// label_file, extends.file, include) that leave the submission or depend on interpolation. They
// are refused before loading: `env_file: /etc/shadow` would put a host file into a student's
// container, `env_file: /dev/zero` would never end.
func unsafeRefs(dir, file string, data []byte) []Problem {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil // Screen and compose-go report syntax errors
	}
	var out []Problem
	bad := func(n *yaml.Node, key string) {
		v := n.Value
		why := ""
		switch {
		case strings.Contains(v, "$"):
			why = "un chemin lu au chargement ne peut pas dépendre d'une variable"
		case filepath.IsAbs(v) || strings.HasPrefix(v, "~"):
			why = "chemin absolu : seuls les fichiers du dossier rendu sont lus"
		case !inside(dir, v):
			why = "ce chemin sort du dossier rendu"
		default:
			return
		}
		out = append(out, Problem{File: file, Line: n.Line, Column: n.Column, Path: key,
			Message: fmt.Sprintf("%s (%q)", why, v)})
	}
	root := doc.Content[0]
	for _, s := range mapping(value(root, "services")) {
		svc := s.val
		for _, k := range []string{"env_file", "label_file"} {
			for _, n := range pathNodes(value(svc, k)) {
				bad(n, "services."+s.key+"."+k)
			}
		}
		if f := resolve(value(value(svc, "extends"), "file")); f != nil && f.Kind == yaml.ScalarNode {
			bad(f, "services."+s.key+".extends.file")
		}
	}
	for _, n := range includeNodes(value(root, "include")) {
		bad(n, "include")
	}
	return out
}

// topName is the top-level `name:` as written ("" when absent).
func topName(data []byte) string {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return ""
	}
	if n := value(doc.Content[0], "name"); n != nil && n.Kind == yaml.ScalarNode {
		return n.Value
	}
	return ""
}

// inside tells whether rel, relative to dir, stays in dir.
func inside(dir, rel string) bool {
	p := filepath.Clean(filepath.Join(dir, rel))
	return p == dir || strings.HasPrefix(p, dir+string(filepath.Separator))
}

type entry struct {
	key string
	val *yaml.Node
}

// mapping lists a mapping's entries, through aliases and `<<` merge keys, so that a reference
// hidden behind an anchor is seen too.
func mapping(n *yaml.Node) []entry {
	return mappingDepth(n, 0)
}

func mappingDepth(n *yaml.Node, depth int) []entry {
	n = resolve(n)
	if n == nil || n.Kind != yaml.MappingNode || depth > 16 {
		return nil
	}
	var out []entry
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i].Value, resolve(n.Content[i+1])
		if k == "<<" && n.Content[i].Tag != "!!str" {
			merged := []*yaml.Node{v}
			if v != nil && v.Kind == yaml.SequenceNode {
				merged = v.Content
			}
			for _, m := range merged {
				out = append(out, mappingDepth(m, depth+1)...)
			}
			continue
		}
		out = append(out, entry{k, v})
	}
	return out
}

// resolve follows aliases to the anchored node.
func resolve(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < 16; i++ {
		n = n.Alias
	}
	return n
}

func value(n *yaml.Node, key string) *yaml.Node {
	for _, e := range mapping(n) {
		if e.key == key {
			return e.val
		}
	}
	return nil
}

// pathNodes are the paths of an env_file-like value: a string, a list of strings, or a list
// of {path: …}.
func pathNodes(n *yaml.Node) []*yaml.Node {
	n = resolve(n)
	if n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return []*yaml.Node{n}
	case yaml.SequenceNode:
		var out []*yaml.Node
		for _, c := range n.Content {
			if c = resolve(c); c.Kind == yaml.ScalarNode {
				out = append(out, c)
			} else if p := value(c, "path"); p != nil && p.Kind == yaml.ScalarNode {
				out = append(out, p)
			}
		}
		return out
	}
	return nil
}

// includeNodes are the files and folders of `include:` entries.
func includeNodes(n *yaml.Node) []*yaml.Node {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []*yaml.Node
	for _, c := range n.Content {
		if c = resolve(c); c.Kind == yaml.ScalarNode {
			out = append(out, c)
			continue
		}
		out = append(out, pathNodes(value(c, "path"))...)
		out = append(out, pathNodes(value(c, "env_file"))...)
		if d := value(c, "project_directory"); d != nil && d.Kind == yaml.ScalarNode {
			out = append(out, d)
		}
	}
	return out
}
