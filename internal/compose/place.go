package compose

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Place gives each problem that names a key of the project (services.api.privileged) but no
// file the file and line where that key is written, searching files (relative to dir) in
// order: the merged project does not remember where a key came from. The files were screened
// before they loaded, so reading them again is bounded.
func Place(dir string, files []string, ps []Problem) []Problem {
	docs := map[string]*yaml.Node{}
	for i := range ps {
		if ps[i].File != "" || ps[i].Path == "" {
			continue
		}
		for _, f := range files {
			doc, seen := docs[f]
			if !seen {
				doc = parseFile(filepath.Join(dir, f))
				docs[f] = doc
			}
			if n := nodeAt(doc, ps[i].Path); n != nil {
				ps[i].File, ps[i].Line, ps[i].Column = f, n.Line, n.Column
				break
			}
		}
	}
	return ps
}

func parseFile(path string) *yaml.Node {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	var doc yaml.Node
	if yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc) != nil {
		return nil
	}
	return &doc
}

var pathStep = regexp.MustCompile(`[^.\[\]]+|\[\d+\]`)

// nodeAt follows a dotted path (services.web.ports[0]) from the document's root and returns
// the key it ends on (or the item, for an index); nil when the file does not hold it.
func nodeAt(doc *yaml.Node, path string) *yaml.Node {
	if doc == nil {
		return nil
	}
	n := doc
	if n.Kind == yaml.DocumentNode && len(n.Content) == 1 {
		n = n.Content[0]
	}
	var at *yaml.Node
	for _, step := range pathStep.FindAllString(path, -1) {
		switch {
		case step[0] == '[' && n.Kind == yaml.SequenceNode:
			i, _ := strconv.Atoi(step[1 : len(step)-1])
			if i >= len(n.Content) {
				return nil
			}
			n = n.Content[i]
			at = n
		case n.Kind == yaml.MappingNode:
			found := false
			for j := 0; j+1 < len(n.Content); j += 2 {
				if n.Content[j].Value == step {
					at, n, found = n.Content[j], n.Content[j+1], true
					break
				}
			}
			if !found {
				return nil
			}
		default:
			return nil
		}
	}
	return at
}
