package lab10

import (
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/kube"
)

func judgeSchema(s *submission) check.Outcome {
	if out := s.none(); out != nil && len(s.m.Schema) == 0 {
		return *out
	}
	fs := make([]finding, len(s.m.Schema))
	for i, p := range s.m.Schema {
		fs[i] = finding{file: p.File, line: p.Line, text: p.Text}
	}
	// One object written twice: applying the files would keep the last one silently.
	seen := map[string]kube.Object{}
	for _, o := range s.m.Objects {
		id := o.GVK.Kind + "/" + s.nsOf(o) + "/" + o.Name
		if first, ok := seen[id]; ok {
			fs = append(fs, finding{file: o.File, line: o.Line, text: check.T("%s `%s` est déjà écrit dans %s:%d : un objet, un document",
				"%s `%s` is already written in %s:%d: one object, one document", o.GVK.Kind, o.Name, first.File, first.Line)})
			continue
		}
		seen[id] = o
	}
	// The API server's validation, beyond the OpenAPI definitions: a pod runs something.
	for _, d := range s.deployments() {
		if len(d.Spec.Template.Spec.Containers) == 0 {
			fs = append(fs, at(d.Object, "spec.template.spec", check.Lit("`containers` doit lister au moins un conteneur", "`containers` must list at least one container")))
		}
	}
	if len(fs) == 0 {
		return check.Passf("%s pour Kubernetes %s, sans champ inconnu.", "%s for Kubernetes %s, with no unknown field.",
			check.Count(len(s.m.Objects), "%d objet valide", "%d objets valides", "%d valid object", "%d valid objects"), kube.Version)
	}
	return verdict(fs, check.T("des objets Kubernetes %s valides", "valid Kubernetes %s objects", kube.Version), check.Text{})
}

func judgeSelector(s *submission) check.Outcome {
	d, miss := s.web()
	if miss != nil {
		return *miss
	}
	var fs []finding
	tmpl := labels.Set(d.Spec.Template.Labels)
	sel, err := metav1.LabelSelectorAsSelector(d.Spec.Selector)
	switch {
	case d.Spec.Selector == nil || sel.Empty():
		fs = append(fs, at(d.Object, "spec.selector", check.Lit("le Deployment n'a pas de `selector.matchLabels`", "the Deployment has no `selector.matchLabels`")))
	case err != nil:
		fs = append(fs, at(d.Object, "spec.selector", check.T("sélecteur invalide : %s", "invalid selector: %s", err.Error())))
	case !sel.Matches(tmpl):
		fs = append(fs, at(d.Object, "spec.selector", check.T("le sélecteur `%s` ne correspond pas aux labels du template `%s`",
			"the selector `%s` does not match the template labels `%s`", sel.String(), tmpl.String())))
	}
	svc, miss := s.webService()
	switch {
	case miss != nil:
		fs = append(fs, finding{file: folder + "/", text: check.T("aucun Service `%s`", "no Service `%s`", appName)})
	case len(svc.Spec.Selector) == 0:
		fs = append(fs, at(svc.Object, "spec", check.Lit("le Service n'a pas de `selector` : il ne vise aucun pod", "the Service has no `selector`: it targets no pod")))
	default:
		want := labels.SelectorFromSet(svc.Spec.Selector)
		var hit []string
		for _, other := range s.podLabels() {
			if s.nsOf(other.Object) == s.nsOf(svc.Object) && want.Matches(labels.Set(other.labels)) {
				name := other.Object.Name
				if other.GVK.Kind != "Deployment" {
					name = other.GVK.Kind + " " + name
				}
				hit = append(hit, name)
			}
		}
		switch {
		case len(hit) == 0:
			fs = append(fs, at(svc.Object, "spec.selector", check.T("le sélecteur `%s` ne vise le template d'aucun Deployment",
				"the selector `%s` targets no Deployment's template", want.String())))
		case len(hit) > 1:
			fs = append(fs, at(svc.Object, "spec.selector", check.T("le sélecteur `%s` vise les pods de plusieurs objets (%s) : il doit viser ceux de `%s` seulement",
				"the selector `%s` targets the pods of several objects (%s): it must target `%s`'s only", want.String(), strings.Join(hit, ", "), appName)))
		case hit[0] != appName:
			fs = append(fs, at(svc.Object, "spec.selector", check.T("le sélecteur vise le Deployment `%s`, pas `%s`",
				"the selector targets Deployment `%s`, not `%s`", hit[0], appName)))
		}
	}
	if svc.Service == nil {
		return verdict(fs, check.Lit("sélecteurs ⊆ labels du template de web", "selectors ⊆ web's template labels"), check.Text{})
	}
	return verdict(fs, check.Lit("sélecteurs ⊆ labels du template de web", "selectors ⊆ web's template labels"),
		check.T("Le Deployment (`%s`) et le Service (`%s`) visent les pods de `%s` (`%s`).", "The Deployment (`%s`) and the Service (`%s`) target `%s`'s pods (`%s`).",
			sel.String(), labels.SelectorFromSet(svc.Spec.Selector).String(), appName, tmpl.String()))
}

func judgePorts(s *submission) check.Outcome {
	d, miss := s.web()
	if miss != nil {
		return *miss
	}
	svc, miss := s.webService()
	if miss != nil {
		return *miss
	}
	target := s.stack.Target
	var fs []finding
	if proto := portProtocol(&d.Spec.Template.Spec, portName); proto != "" && proto != corev1.ProtocolTCP {
		fs = append(fs, at(d.Object, "spec.template.spec.containers", check.T("le port `%s` est en `%s` : HTTP passe par TCP", "port `%s` is `%s`: HTTP goes over TCP", portName, string(proto))))
	}
	if p, ok := namedPort(&d.Spec.Template.Spec, portName); !ok || p != int32(target) {
		fs = append(fs, at(d.Object, "spec.template.spec.containers[0].ports", check.T(
			"aucun `containerPort: %d` nommé `%s` dans le conteneur", "no `containerPort: %d` named `%s` in the container", target, portName)))
	}
	if svc.Spec.ClusterIP == corev1.ClusterIPNone {
		fs = append(fs, at(svc.Object, "spec.clusterIP", check.Lit("`clusterIP: None` fait un Service sans adresse (headless) : `web:8089` n'atteindrait rien",
			"`clusterIP: None` makes a Service with no address (headless): `web:8089` would reach nothing")))
	}
	if t := svc.Spec.Type; t != "" && t != corev1.ServiceTypeClusterIP {
		fs = append(fs, at(svc.Object, "spec.type", check.T("`type: %s` ouvre le Service hors du cluster : le contrat demande `ClusterIP`",
			"`type: %s` opens the Service outside the cluster: the contract asks for `ClusterIP`", string(t))))
	}
	if len(svc.Spec.Ports) == 0 {
		fs = append(fs, at(svc.Object, "spec", check.Lit("le Service n'a aucun port", "the Service has no port")))
	}
	for i, sp := range svc.Spec.Ports {
		if sp.Protocol != "" && sp.Protocol != corev1.ProtocolTCP {
			fs = append(fs, at(svc.Object, "spec.ports["+itoa(i)+"].protocol", check.T("`protocol: %s` : HTTP passe par TCP", "`protocol: %s`: HTTP goes over TCP", string(sp.Protocol))))
		}
		path := "spec.ports[" + itoa(i) + "].targetPort"
		if _, ok := resolve(&d.Spec.Template.Spec, sp.TargetPort, sp.Port); !ok {
			tp := sp.TargetPort.String()
			if sp.TargetPort.Type == intstr.Int && sp.TargetPort.IntVal == 0 {
				tp = itoa(int(sp.Port)) + " (port)"
			}
			fs = append(fs, at(svc.Object, path, check.T("`targetPort: %s` ne désigne aucun `containerPort` déclaré (%s)",
				"`targetPort: %s` names no declared `containerPort` (%s)", tp, declared(&d.Spec.Template.Spec))))
		}
	}
	return verdict(fs, check.T("targetPort → containerPort %d nommé %s", "targetPort → containerPort %d named %s", target, portName),
		check.T("Le Service atteint le port %d (`%s`) des pods.", "The Service reaches the pods' port %d (`%s`).", target, portName))
}

// namedPort is the containerPort with that name in any container.
func namedPort(spec *corev1.PodSpec, name string) (int32, bool) {
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			if p.Name == name {
				return p.ContainerPort, true
			}
		}
	}
	return 0, false
}

// resolve is the container port a Service's targetPort (or, unset, its port) reaches.
func resolve(spec *corev1.PodSpec, tp intstr.IntOrString, port int32) (int32, bool) {
	if tp.Type == intstr.String {
		return namedPort(spec, tp.StrVal)
	}
	n := tp.IntVal
	if n == 0 {
		n = port
	}
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			if p.ContainerPort == n {
				return n, true
			}
		}
	}
	return 0, false
}

func declared(spec *corev1.PodSpec) string {
	var out []string
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			s := itoa(int(p.ContainerPort))
			if p.Name != "" {
				s += " " + p.Name
			}
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, ", ")
}

func judgeRefs(s *submission) check.Outcome {
	var fs []finding
	cms, secrets := map[string]map[string]bool{}, s.secretKeys()
	hasNS := false
	for _, o := range s.m.Objects {
		switch v := o.Obj.(type) {
		case *corev1.Namespace:
			hasNS = hasNS || o.Name == s.ns
			continue
		case *corev1.ConfigMap:
			cms[o.Name] = keys(v.Data, v.BinaryData)
		}
		// An object that names no namespace lands in the kustomization's, when it sets one;
		// one that names another is in the wrong place whatever applies it.
		if o.Namespace != s.ns && !(o.Namespace == "" && s.kustNamespace()) {
			ns := o.Namespace
			if ns == "" {
				ns = "default"
			}
			fs = append(fs, at(o, "metadata", check.T("%s `%s` est dans le namespace `%s`, pas `%s`",
				"%s `%s` is in namespace `%s`, not `%s`", o.GVK.Kind, o.Name, ns, s.ns)))
		}
	}
	if !hasNS {
		fs = append(fs, finding{file: folder + "/", text: check.T("aucun objet Namespace `%s`", "no Namespace object `%s`", s.ns)})
	}
	if cms[configMapName] == nil {
		fs = append(fs, finding{file: folder + "/", text: check.T("aucune ConfigMap `%s`", "no ConfigMap `%s`", configMapName)})
	}
	for _, k := range slices.Sorted(maps.Keys(s.stack.Env)) {
		if cms[configMapName] != nil && !cms[configMapName][k] {
			fs = append(fs, finding{file: folder + "/", text: check.T("la ConfigMap `%s` n'a pas la clé `%s`", "ConfigMap `%s` has no key `%s`", configMapName, k)})
		}
	}
	if !secrets[secretName][secretKey] {
		fs = append(fs, finding{file: folder + "/", text: check.T("aucun Secret `%s` avec la clé `%s`", "no Secret `%s` with the key `%s`", secretName, secretKey)})
	}
	for _, d := range s.deployments() {
		fs = append(fs, podRefs(d, cms, secrets)...)
	}
	return verdict(fs, check.T("objets et clés présents dans le namespace %s", "objects and keys present in namespace %s", s.ns),
		check.T("Chaque référence vise un objet et une clé présents dans le namespace `%s`.", "Every reference targets an object and key present in namespace `%s`.", s.ns))
}

func keys[V any](a map[string]string, b map[string]V) map[string]bool {
	out := map[string]bool{}
	for k := range a {
		out[k] = true
	}
	for k := range b {
		out[k] = true
	}
	return out
}

// podRefs checks every ConfigMap and Secret a pod template reads.
func podRefs(d deployment, cms, secrets map[string]map[string]bool) []finding {
	var fs []finding
	ref := func(path, kind string, pool map[string]map[string]bool, name, key string, optional *bool) {
		if optional != nil && *optional {
			return
		}
		ks, ok := pool[name]
		switch {
		case !ok:
			fs = append(fs, at(d.Object, path, check.T("%s `%s` n'existe pas dans vos fichiers", "%s `%s` does not exist in your files", kind, name)))
		case key != "" && !ks[key]:
			fs = append(fs, at(d.Object, path, check.T("%s `%s` n'a pas de clé `%s` (clés : %s)", "%s `%s` has no key `%s` (keys: %s)", kind, name, key, sorted(ks))))
		}
	}
	spec := &d.Spec.Template.Spec
	cs, paths := containers(spec)
	for i, c := range cs {
		for j, e := range c.EnvFrom {
			p := paths[i] + ".envFrom[" + itoa(j) + "]"
			if e.ConfigMapRef != nil {
				ref(p, "ConfigMap", cms, e.ConfigMapRef.Name, "", e.ConfigMapRef.Optional)
			}
			if e.SecretRef != nil {
				ref(p, "Secret", secrets, e.SecretRef.Name, "", e.SecretRef.Optional)
			}
		}
		for j, e := range c.Env {
			if e.ValueFrom == nil {
				continue
			}
			p := paths[i] + ".env[" + itoa(j) + "].valueFrom"
			if r := e.ValueFrom.ConfigMapKeyRef; r != nil {
				ref(p, "ConfigMap", cms, r.Name, r.Key, r.Optional)
			}
			if r := e.ValueFrom.SecretKeyRef; r != nil {
				ref(p, "Secret", secrets, r.Name, r.Key, r.Optional)
			}
		}
	}
	for i, v := range spec.Volumes {
		p := "spec.template.spec.volumes[" + itoa(i) + "]"
		if v.ConfigMap != nil {
			ref(p, "ConfigMap", cms, v.ConfigMap.Name, "", v.ConfigMap.Optional)
			for _, it := range itemsOf(cms, v.ConfigMap.Name, v.ConfigMap.Items) {
				ref(p, "ConfigMap", cms, v.ConfigMap.Name, it.Key, v.ConfigMap.Optional)
			}
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if c := src.ConfigMap; c != nil {
					ref(p, "ConfigMap", cms, c.Name, "", c.Optional)
					for _, it := range itemsOf(cms, c.Name, c.Items) {
						ref(p, "ConfigMap", cms, c.Name, it.Key, c.Optional)
					}
				}
				if c := src.Secret; c != nil {
					ref(p, "Secret", secrets, c.Name, "", c.Optional)
					for _, it := range itemsOf(secrets, c.Name, c.Items) {
						ref(p, "Secret", secrets, c.Name, it.Key, c.Optional)
					}
				}
			}
		}
		if v.Secret != nil {
			ref(p, "Secret", secrets, v.Secret.SecretName, "", v.Secret.Optional)
			for _, it := range itemsOf(secrets, v.Secret.SecretName, v.Secret.Items) {
				ref(p, "Secret", secrets, v.Secret.SecretName, it.Key, v.Secret.Optional)
			}
		}
	}
	return fs
}

func sorted(m map[string]bool) string {
	if len(m) == 0 {
		return "—"
	}
	return strings.Join(slices.Sorted(maps.Keys(m)), ", ")
}

// itemsOf are the items whose keys to check: none when the object itself is missing (that is
// said once).
func itemsOf(pool map[string]map[string]bool, name string, items []corev1.KeyToPath) []corev1.KeyToPath {
	if _, ok := pool[name]; !ok {
		return nil
	}
	return items
}

func portProtocol(spec *corev1.PodSpec, name string) corev1.Protocol {
	for _, c := range spec.Containers {
		for _, p := range c.Ports {
			if p.Name == name {
				return p.Protocol
			}
		}
	}
	return ""
}
