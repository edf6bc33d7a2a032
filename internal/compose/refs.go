package compose

import (
	"os"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ddlab/grade/internal/check"
)

// unsafeRefs lists the file references compose-go would read while loading (env_file,
// label_file, extends.file, include) that leave the submission or depend on interpolation. They
// are refused before loading: `env_file: /etc/shadow` would put a host file into a student's
// container, `env_file: /dev/zero` would never end. base is the folder, relative to dir, that
// the file's relative paths start from. The include and extends files it names are returned
// too: compose-go reads them and the files they name, so they are checked the same way.
func unsafeRefs(dir, base, file string, data []byte) ([]Problem, []localFile) {
	var doc yaml.Node
	if yaml.Unmarshal(data, &doc) != nil || len(doc.Content) == 0 {
		return nil, nil // Screen and compose-go report syntax errors
	}
	var out []Problem
	var next []localFile
	ok := func(n *yaml.Node, key string) bool {
		v := n.Value
		var why check.Text
		switch {
		case strings.Contains(v, "$"):
			why = sayf("%s : un chemin lu au chargement ne peut pas dépendre d'une variable, écrivez-le en toutes lettres",
				"%s: a path read while loading cannot depend on a variable, write it out in full", quote(v))
		case filepath.IsAbs(v) || strings.HasPrefix(v, "~"):
			why = sayf("%s est un chemin absolu : seuls les fichiers du dossier rendu sont lus, donnez un chemin relatif",
				"%s is an absolute path: only the files of the submission folder are read, give a relative path", quote(v))
		case !inside(dir, filepath.Join(base, v)):
			why = sayf("%s sort du dossier rendu : le fichier doit s'y trouver",
				"%s leaves the submission folder: the file must be inside it", quote(v))
		default:
			return true
		}
		out = append(out, problemAt(file, n.Line, n.Column, key, why))
		return false
	}
	root := doc.Content[0]
	for _, s := range mapping(value(root, "services")) {
		svc := s.val
		for _, k := range []string{"env_file", "label_file"} {
			for _, n := range pathNodes(value(svc, k)) {
				if ok(n, "services."+s.key+"."+k) {
					if p := screenEnvFile(dir, filepath.Join(base, n.Value)); p != nil {
						out = append(out, *p)
					}
				}
			}
		}
		if f := resolve(value(value(svc, "extends"), "file")); f != nil && f.Kind == yaml.ScalarNode {
			if ok(f, "services."+s.key+".extends.file") {
				p := filepath.Join(base, f.Value)
				next = append(next, localFile{p, filepath.Dir(p)})
			}
		}
	}
	for _, inc := range includes(value(root, "include")) {
		project := ""
		if inc.project != nil && ok(inc.project, "include") {
			project = filepath.Join(base, inc.project.Value)
		}
		for _, n := range inc.envFiles {
			ok(n, "include")
		}
		for _, n := range inc.paths {
			if ok(n, "include") {
				p, b := filepath.Join(base, n.Value), project
				if b == "" {
					b = filepath.Dir(p)
				}
				next = append(next, localFile{p, b})
			}
		}
	}
	return out, next
}

// Bounds of an env file: compose-go interpolates its values with no deadline, and a value
// made of thousands of ${A:-x} takes seconds each (measured: 4000 take 4 s).
const (
	maxEnvFileBytes = 64 << 10
	maxEnvFileVars  = 256
)

// screenEnvFile checks an env file (.env, env_file) compose-go will read and interpolate.
// A missing file is compose-go's to report.
func screenEnvFile(dir, rel string) *Problem {
	data, err := os.ReadFile(filepath.Join(dir, rel))
	if err != nil {
		return nil
	}
	switch {
	case len(data) > maxEnvFileBytes:
		p := problemAt(rel, 0, 0, "", check.T("fichier d'environnement de plus de %d Kio : refusé, réduisez-le",
			"environment file larger than %d KiB: refused, make it smaller", maxEnvFileBytes>>10))
		return &p
	case strings.Count(string(data), "$") > maxEnvFileVars:
		p := problemAt(rel, 0, 0, "", check.T("plus de %d références $… dans un fichier d'environnement : refusé, utilisez-en moins",
			"more than %d $… references in an environment file: refused, use fewer", maxEnvFileVars))
		return &p
	}
	return nil
}

// localFile is a Compose file read while loading, with the folder its relative paths start
// from, both relative to the submission.
type localFile struct{ file, base string }

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

// include is one `include:` entry: its files, the folder they run from and its env files.
type include struct {
	paths, envFiles []*yaml.Node
	project         *yaml.Node
}

func includes(n *yaml.Node) []include {
	n = resolve(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	var out []include
	for _, c := range n.Content {
		if c = resolve(c); c.Kind == yaml.ScalarNode {
			out = append(out, include{paths: []*yaml.Node{c}})
			continue
		}
		inc := include{paths: pathNodes(value(c, "path")), envFiles: pathNodes(value(c, "env_file"))}
		if d := resolve(value(c, "project_directory")); d != nil && d.Kind == yaml.ScalarNode {
			inc.project = d
		}
		out = append(out, inc)
	}
	return out
}
