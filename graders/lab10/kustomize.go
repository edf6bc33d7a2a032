package lab10

import (
	"context"
	"encoding/json"
	"fmt"
	"path"
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
		b := s.files[name]
		if u := remoteValue(b); u != "" {
			return check.Failf("%s : « %s » se téléchargerait : le correcteur ne télécharge rien, gardez tout dans %s/.",
				"%s: \"%s\" would be downloaded: the grader fetches nothing, keep everything in %s/.", name, u, folder).At(name, 0)
		}
		var other types.Kustomization
		if sigsyaml.Unmarshal(b, &other) != nil {
			continue // the root one is read strictly below; a broken base fails the build
		}
		for _, r := range append(append(append([]string{}, other.Resources...), other.Components...), other.Bases...) { //nolint:staticcheck // Bases is read to be checked like the rest
			if !s.exists(path.Join(path.Dir(name), r)) {
				return check.Failf("%s : la ressource « %s » n'existe pas dans %s/ (vérifiez le nom du fichier).",
					"%s: the resource \"%s\" does not exist in %s/ (check the file name).", name, r, path.Dir(name)).At(name, 0)
			}
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

// remote tells what kustomize would fetch from a local path: its repository parser takes a
// scheme ("https://", "file://", "ssh://"), a "git::" prefix, a user ("git@host:org/repo",
// "bob@example.com:team/repo") or a GitHub host in any case ("GitHub.com:org/repo"); its file
// loader fetches http(s) URLs.
func remote(r string) bool {
	l := strings.ToLower(strings.TrimSpace(r))
	return strings.Contains(l, "://") || strings.HasPrefix(l, "git::") || strings.Contains(l, "@") ||
		strings.HasPrefix(l, "github.com") || strings.Contains(l, "?ref=") || path.IsAbs(l)
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

// pathKeys are the kustomization fields whose values kustomize loads as files, folders or
// repositories; other values (labels, literals, inline patches) are data.
var pathKeys = map[string]bool{
	"resources": true, "components": true, "bases": true, "crds": true, "configurations": true,
	"generators": true, "transformers": true, "validators": true, "patchesStrategicMerge": true,
	"path": true, "files": true, "envs": true, "env": true, "repo": true, "chartHome": true,
}

// remoteValue is the first value of a kustomization that kustomize would fetch, "" when there
// is none. It reads the document as kustomize does (YAML to JSON: `!!binary` decoded), and
// refuses Helm charts outright (kustomize would download them).
func remoteValue(b []byte) string {
	js, err := sigsyaml.YAMLToJSON(b)
	if err != nil {
		return ""
	}
	var doc any
	if json.Unmarshal(js, &doc) != nil {
		return ""
	}
	var found string
	var walk func(v any, key string, depth int)
	walk = func(v any, key string, depth int) {
		if found != "" || depth > 100 {
			return
		}
		switch x := v.(type) {
		case map[string]any:
			for k, c := range x {
				if k == "helmCharts" || k == "helmChartInflationGenerator" {
					found = k
					return
				}
				walk(c, k, depth+1)
			}
		case []any:
			for _, c := range x {
				walk(c, key, depth+1)
			}
		case string:
			if pathKeys[key] && !strings.Contains(x, "\n") && remote(x) {
				found = x
			}
		}
	}
	walk(doc, "", 0)
	return found
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
