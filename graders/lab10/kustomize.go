package lab10

import (
	"context"
	"fmt"
	"path"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
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
		return check.Failf("%s ne se lit pas : %s", "%s cannot be read: %s", s.kust, check.Cut(err.Error(), 200)).At(s.kust, 0)
	}
	dir := path.Dir(s.kust)
	for _, r := range append(append(append([]string{}, k.Resources...), k.Components...), k.Bases...) { //nolint:staticcheck // Bases is read to be refused like the rest
		if remote(r) || !s.exists(path.Join(dir, r)) {
			return check.Failf("%s : la ressource « %s » n'est pas un fichier de %s/ : le correcteur ne télécharge rien.",
				"%s: the resource \"%s\" is not a file of %s/: the grader fetches nothing.", s.kust, r, dir).At(s.kust, 0)
		}
	}
	for name, b := range s.files {
		if isKustomization(name) {
			if u := remoteValue(b); u != "" {
				return check.Failf("%s : « %s » se téléchargerait : le correcteur ne télécharge rien, gardez tout dans %s/.",
					"%s: \"%s\" would be downloaded: the grader fetches nothing, keep everything in %s/.", name, u, folder).At(name, 0)
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

// remote tells a git or HTTP base from a local path.
func remote(r string) bool {
	return strings.Contains(r, "://") || strings.HasPrefix(r, "git@") || strings.HasPrefix(r, "github.com/") ||
		strings.Contains(r, "?ref=") || path.IsAbs(r)
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

// remoteValue is the first value of a kustomization that kustomize would fetch (any field:
// resources, patches, generators' files, openapi), "" when there is none.
func remoteValue(b []byte) string {
	var root yaml.Node
	if yaml.Unmarshal(b, &root) != nil {
		return ""
	}
	var found string
	var walk func(n *yaml.Node, depth int)
	walk = func(n *yaml.Node, depth int) {
		if n == nil || found != "" || depth > 100 {
			return
		}
		if n.Kind == yaml.ScalarNode && remote(strings.TrimSpace(n.Value)) && !path.IsAbs(strings.TrimSpace(n.Value)) {
			found = n.Value
			return
		}
		for _, c := range n.Content {
			walk(c, depth+1)
		}
	}
	walk(&root, 0)
	return found
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
