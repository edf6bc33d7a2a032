package lab10

import (
	"bytes"
	"context"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/kube"
)

const folder = "k8s"

// state is what lab 10's checks share for one run.
type state struct {
	run *grader.Run
	ns  string
	sub *submission
}

// submission is the student's k8s/ folder as read once.
type submission struct {
	ns    string
	m     kube.Manifests
	files map[string][]byte // every YAML file of k8s/, by path relative to the submission
	kust  string            // the kustomization file's path, "" when there is none
	stack stack             // what stack.yaml asks for, from the grader's own copy
}

// checkFiles is the gate: k8s/ holds YAML files, each small, text, and YAML.
func (s *state) checkFiles(ctx context.Context) (check.Outcome, error) {
	if out := s.run.RefusedOutcome(); out != nil {
		return *out, nil
	}
	v := grader.ReadValues(s.run.Spec)
	limit := v.Size("max-manifest")
	s.ns = v.String("namespace")
	files, out, ok := collect(s.run.Dir, limit)
	if !ok {
		return out, nil
	}
	rd, err := kube.NewReader()
	if err != nil {
		return check.Outcome{}, err
	}
	st, err := parseStack(stackYAML)
	if err != nil {
		return check.Outcome{}, err
	}
	sub := &submission{ns: s.ns, files: files, stack: st}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if err := ctx.Err(); err != nil {
			return check.Outcome{}, err
		}
		if isKustomization(name) {
			// The shallowest is the folder's own: a base in a subfolder is one of its parts.
			if sub.kust == "" || strings.Count(name, "/") < strings.Count(sub.kust, "/") {
				sub.kust = name
			}
			if _, p := kube.Documents(name, files[name]); p != nil {
				sub.m.Syntax = append(sub.m.Syntax, *p)
			}
			continue
		}
		rd.Read(&sub.m, name, files[name])
	}
	s.sub = sub
	if len(sub.m.Syntax) > 0 {
		p := sub.m.Syntax[0]
		return check.Failf("%s n'est pas lisible : %s", "%s cannot be read: %s", where(p), p.Text).
			WithT(check.Lit("des fichiers YAML", "YAML files"), problems(sub.m.Syntax)).At(p.File, p.Line).Because("syntax"), nil
	}
	n := len(files)
	if sub.kust != "" {
		n--
	}
	if n == 0 {
		return check.Failf("%s ne contient qu'une kustomization, aucun manifeste.", "%s holds only a kustomization, no manifest.", folder+"/").
			WithT(check.Lit("des fichiers .yaml d'objets", ".yaml files of objects"), check.Lit("aucun", "none")).Because("empty"), nil
	}
	return check.Passf("%s dans %s : %s.", "%s in %s: %s.",
		check.Count(n, "%d fichier lu", "%d fichiers lus", "%d file read", "%d files read"), folder+"/",
		check.Count(len(sub.m.Objects), "%d objet", "%d objets", "%d object", "%d objects")), nil
}

// collect reads every .yaml/.yml file under k8s/ (links were refused by the snapshot). A
// missing folder, no manifest, a huge or binary file is the gate's failure.
func collect(root string, limit int64) (map[string][]byte, check.Outcome, bool) {
	dir := filepath.Join(root, folder)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return nil, check.Failf("Le dossier %s/ est absent.", "The %s/ folder is missing.", folder).
			WithT(check.Lit("k8s/ avec vos manifestes", "k8s/ with your manifests"), check.Lit("absent", "missing")).Because("empty"), false
	}
	files := map[string][]byte{}
	var bad check.Outcome
	found := false
	err = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || found {
			return err
		}
		ext := strings.ToLower(filepath.Ext(p))
		if d.IsDir() || (ext != ".yaml" && ext != ".yml") {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		if info.Size() > limit {
			bad, found = check.Failf("%s pèse %s (%d octets, limite %d) : un manifeste tient en quelques kilo-octets.",
				"%s weighs %s (%d bytes, limit %d): a manifest fits in a few kilobytes.", rel, check.Size(float64(info.Size())), info.Size(), limit).At(rel, 0), true
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if bytes.IndexByte(b, 0) >= 0 || !utf8.Valid(b) {
			bad, found = check.Failf("%s n'est pas du texte UTF-8.", "%s is not UTF-8 text.", rel).At(rel, 0).Because("syntax"), true
			return nil
		}
		files[rel] = b
		return nil
	})
	if err != nil {
		return nil, check.Failf("%s/ illisible : %s", "%s/ cannot be read: %s", folder, err.Error()), false
	}
	if found {
		return nil, bad, false
	}
	if len(files) == 0 {
		return nil, check.Failf("Le dossier %s/ ne contient aucun fichier .yaml.", "The %s/ folder holds no .yaml file.", folder).
			WithT(check.Lit("des fichiers .yaml", ".yaml files"), check.Lit("aucun", "none")).Because("empty"), false
	}
	return files, check.Outcome{}, true
}

func isKustomization(name string) bool {
	switch path.Base(name) {
	case "kustomization.yaml", "kustomization.yml", "Kustomization":
		return true
	}
	return false
}

// where is "k8s/x.yaml:12", or the file alone when the finding has no line.
func where(p kube.Problem) string {
	if p.Line > 0 {
		return p.File + ":" + itoa(p.Line)
	}
	return p.File
}

// problems lists findings one per line, each with its place.
func problems(ps []kube.Problem) check.Text {
	ts := make([]check.Text, len(ps))
	for i, p := range ps {
		ts[i] = check.T("%s : %s", "%s: %s", where(p), p.Text)
	}
	return check.Join(ts, "\n", "\n")
}
