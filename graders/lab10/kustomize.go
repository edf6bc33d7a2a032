package lab10

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"sort"
	"strings"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	sigsyaml "sigs.k8s.io/yaml"

	"github.com/ddlab/grade/internal/check"
)

func (s *state) checkKustomize(ctx context.Context) (check.Outcome, error) {
	return judgeKustomize(s.sub), nil
}

// kustomization reads the kustomization file strictly, with kustomize's own type.
func (s *submission) kustomization() (*types.Kustomization, error) {
	var k types.Kustomization
	if err := sigsyaml.UnmarshalStrict(s.files[s.kust], &k); err != nil {
		return nil, err
	}
	return &k, nil
}

// kustNamespace tells whether the kustomization puts every object in the lab's namespace.
func (s *submission) kustNamespace() bool {
	if s.kust == "" {
		return false
	}
	k, err := s.kustomization()
	return err == nil && k.Namespace == s.ns
}

// judgeKustomize builds the kustomization in memory, with kustomize's own Go API: nothing is
// read outside the student's k8s/ folder, and nothing is fetched (a remote base would make
// kustomize run git or HTTP: it is refused before the build).
func judgeKustomize(s *submission) (out check.Outcome) {
	if s.kust == "" {
		return check.Failf("Pas de %s/kustomization.yaml.", "No %s/kustomization.yaml.", folder).
			WithT(check.Lit("kustomization.yaml", "kustomization.yaml"), check.Lit("absent", "missing"))
	}
	if out := s.none(); out != nil {
		return *out
	}
	k, err := s.kustomization()
	if err != nil {
		return check.Failf("%s ne se lit pas (un champ inconnu de kustomize ?) : « %s »", "%s cannot be read (a field kustomize does not know?): \"%s\"", s.kust, check.Cut(oneLine(err.Error()), 200)).At(s.kust, 0)
	}
	dir := path.Dir(s.kust)
	var kusts []string
	for name := range s.files {
		if isKustomization(name) {
			kusts = append(kusts, name)
		}
	}
	sort.Strings(kusts)
	for _, name := range kusts {
		if t := s.refused(path.Dir(name), s.files[name]); t.FR != "" {
			return check.Failf("%s : %s", "%s: %s", name, t).At(name, 0)
		}
	}
	if k.Namespace != s.ns {
		return check.Failf("%s : `namespace: %s` manque.", "%s: `namespace: %s` is missing.", s.kust, s.ns).
			With("namespace: "+s.ns, "namespace: "+k.Namespace).At(s.kust, 0)
	}
	defer func() {
		// kustomize is a large library fed with student input: a panic is its failure to build.
		if p := recover(); p != nil {
			out = check.Failf("kustomize n'a pas pu construire %s : « %s »", "kustomize could not build %s: \"%s\"", dir, check.Cut(fmt.Sprint(p), 200))
		}
	}()
	fs := filesys.MakeFsInMemory()
	for name, b := range s.files {
		if err := fs.WriteFile("/"+name, b); err != nil {
			return check.Failf("%s : %s", "%s: %s", name, err.Error())
		}
	}
	res, err := krusty.MakeKustomizer(krusty.MakeDefaultOptions()).Run(fs, "/"+dir)
	if err != nil {
		return check.Failf("`kustomize build %s` échoue : « %s »", "`kustomize build %s` fails: \"%s\"", dir, check.Cut(oneLine(err.Error()), 300)).At(s.kust, 0)
	}
	built := map[string]bool{}
	for _, r := range res.Resources() {
		built[r.GetKind()+"/"+r.GetName()] = true
	}
	var missing []string
	for _, o := range s.m.Objects {
		if id := o.GVK.Kind + "/" + o.Name; !built[id] {
			missing = append(missing, id)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		return check.Failf("`kustomize build %s` ne produit pas %s.", "`kustomize build %s` does not produce %s.", dir, strings.Join(missing, ", ")).
			WithT(check.Lit("tous vos objets", "all your objects"), check.Same(strings.Join(missing, ", "))).At(s.kust, 0)
	}
	return check.Passf("`kustomize build %s` produit vos %d objets dans le namespace `%s`.", "`kustomize build %s` produces your %d objects in namespace `%s`.",
		dir, len(res.Resources()), s.ns)
}

// exists tells whether p is a file of the submission or a folder holding one.
func (s *submission) exists(p string) bool {
	p = path.Clean(p)
	if _, ok := s.files[p]; ok {
		return true
	}
	for name := range s.files {
		if strings.HasPrefix(name, p+"/") {
			return true
		}
	}
	return false
}

// allowed is what the grader lets kustomize read, field by field (keys compared in lower
// case, as kustomize's JSON decoding matches them): local files, inline patches, literals and
// data. Fields that load plugins or files by other routes (generators, transformers,
// validators, openapi, crds, configurations, helm, replacements, files and envs of
// generators) are refused: each is a way to make kustomize run git or fetch a URL, and none is
// needed here. The values are read after YAML-to-JSON (`!!binary` decoded, anchors resolved).
var allowed = map[string]string{
	"apiversion": "data", "kind": "data", "metadata": "data", "namespace": "data", "nameprefix": "data",
	"namesuffix": "data", "labels": "data", "commonlabels": "data", "commonannotations": "data", "images": "data",
	"replicas": "data", "generatoroptions": "data", "sortoptions": "data", "buildmetadata": "data",
	"resources": "paths", "components": "paths", "bases": "paths", "patchesstrategicmerge": "patches",
	"patches": "patchlist", "configmapgenerator": "generators", "secretgenerator": "generators",
}

var generatorKeys = map[string]bool{"name": true, "namespace": true, "behavior": true, "literals": true, "options": true, "type": true}
var patchKeys = map[string]bool{"patch": true, "target": true, "options": true}

// localPath is a relative path kustomize reads from the folder: without ":", "@" or "?",
// no scheme, "git::", scp-style user or query can make its repository parser clone it; a
// "github.com" host, which it takes even without a scheme, is refused apart (githubHost).
var localPath = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._/-]*$`)

// refused is the first thing of a kustomization (dir is its folder) the grader will not
// let kustomize read, in the student's words; "" when there is none.
func (s *submission) refused(dir string, b []byte) check.Text {
	// What cannot be read here is not given to kustomize either.
	unreadable := check.Lit("ce n'est pas un objet YAML lisible : écrivez des clés `resources:`, `namespace:`…",
		"this is not a readable YAML mapping: write `resources:`, `namespace:`… keys")
	js, err := sigsyaml.YAMLToJSON(b)
	if err != nil {
		return unreadable
	}
	var doc map[string]any
	if json.Unmarshal(js, &doc) != nil {
		return unreadable
	}
	keys := make([]string, 0, len(doc))
	for k := range doc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	local := func(v any) check.Text {
		p, ok := v.(string)
		if !ok || !localPath.MatchString(p) || githubHost(p) || strings.Contains(p, "//") || !s.exists(path.Join(dir, p)) {
			return check.T("« %v » n'est pas un fichier de %s/ : seuls des chemins relatifs vers vos fichiers sont lus, rien n'est téléchargé",
				"\"%v\" is not a file of %s/: only relative paths to your files are read, nothing is downloaded", v, dir)
		}
		return check.Text{}
	}
	for _, k := range keys {
		v := doc[k]
		switch allowed[strings.ToLower(k)] {
		case "data":
		case "paths":
			for _, p := range list(v) {
				if t := local(p); t.FR != "" {
					return t
				}
			}
		case "patches":
			for _, p := range list(v) {
				if str, ok := p.(string); ok && strings.Contains(str, "\n") {
					continue // an inline patch
				}
				if t := local(p); t.FR != "" {
					return t
				}
			}
		case "patchlist":
			for _, it := range list(v) {
				m, _ := it.(map[string]any)
				for pk, pv := range m {
					switch {
					case strings.ToLower(pk) == "path":
						if t := local(pv); t.FR != "" {
							return t
						}
					case !patchKeys[strings.ToLower(pk)]:
						return check.T("`patches` : le champ `%s` n'est pas accepté ici", "`patches`: the field `%s` is not accepted here", pk)
					}
				}
			}
		case "generators":
			for _, it := range list(v) {
				m, _ := it.(map[string]any)
				for gk := range m {
					if !generatorKeys[strings.ToLower(gk)] {
						return check.T("`%s` : `%s` n'est pas accepté ici ; écrivez les valeurs en `literals`", "`%s`: `%s` is not accepted here; write the values as `literals`", k, gk)
					}
				}
			}
		default:
			return check.T("le champ `%s` n'est pas accepté par le correcteur (il peut faire télécharger ou exécuter quelque chose) : ce lab n'en a pas besoin",
				"the field `%s` is not accepted by the grader (it can make something be downloaded or run): this lab does not need it", k)
		}
	}
	return check.Text{}
}

func list(v any) []any {
	if l, ok := v.([]any); ok {
		return l
	}
	return []any{v}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// kustLabels are the labels the kustomization adds to every object (`labels:`,
// `commonLabels:`), nil without a kustomization.
func (s *submission) kustLabels() map[string]string {
	if s.kust == "" {
		return nil
	}
	k, err := s.kustomization()
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for key, v := range k.CommonLabels { //nolint:staticcheck // commonLabels still adds labels
		out[key] = v
	}
	for _, l := range k.Labels {
		for key, v := range l.Pairs {
			out[key] = v
		}
	}
	return out
}

// githubHost tells a path kustomize would take for a GitHub repository, in any case.
func githubHost(p string) bool {
	return strings.HasPrefix(strings.ToLower(p), "github.com")
}
