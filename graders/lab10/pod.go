package lab10

import (
	"strings"

	"github.com/distribution/reference"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/ddlab/grade/internal/check"
)

func judgeProbes(s *submission) check.Outcome {
	d, miss := s.web()
	if miss != nil {
		return *miss
	}
	spec := &d.Spec.Template.Spec
	var fs []finding
	{
		c, base := app(spec), "spec.template.spec.containers["+itoa(appIndex(spec))+"]"
		for _, p := range []struct {
			name  string
			probe *corev1.Probe
		}{{"readinessProbe", c.ReadinessProbe}, {"livenessProbe", c.LivenessProbe}} {
			if t := probeProblem(spec, p.probe, s.stack.HealthPath); t != nil {
				fs = append(fs, at(d.Object, base+"."+p.name, check.T("`%s` du conteneur `%s` : %s", "`%s` of container `%s`: %s", p.name, c.Name, *t)))
			}
		}
	}
	return verdict(fs, check.T("readinessProbe et livenessProbe : httpGet %s sur le port %s", "readinessProbe and livenessProbe: httpGet %s on port %s", s.stack.HealthPath, portName),
		check.T("Les sondes interrogent `%s` sur le port `%s`.", "The probes ask `%s` on port `%s`.", s.stack.HealthPath, portName))
}

// probeProblem says what keeps a probe from being httpGet path on the port named http (by its
// name or its number: both reach the same port).
func probeProblem(spec *corev1.PodSpec, p *corev1.Probe, path string) *check.Text {
	var t check.Text
	switch {
	case p == nil:
		t = check.Lit("absente", "missing")
	case p.HTTPGet == nil:
		t = check.Lit("ce n'est pas une sonde `httpGet`", "it is not an `httpGet` probe")
	case p.HTTPGet.Path != path:
		t = check.T("chemin `%s`, attendu `%s`", "path `%s`, expected `%s`", p.HTTPGet.Path, path)
	case !samePort(spec, p.HTTPGet.Port):
		t = check.T("port `%s`, attendu le port `%s` (8080) déclaré dans ce conteneur", "port `%s`, expected the `%s` port (8080) declared in this container", p.HTTPGet.Port.String(), portName)
	case p.HTTPGet.Host != "":
		t = check.T("`host: %s` interrogerait une autre machine que le pod", "`host: %s` would ask another machine than the pod", p.HTTPGet.Host)
	case p.HTTPGet.Scheme != "" && p.HTTPGet.Scheme != corev1.URISchemeHTTP:
		t = check.T("`scheme: %s` : l'application répond en HTTP", "`scheme: %s`: the application answers HTTP", string(p.HTTPGet.Scheme))
	default:
		return nil
	}
	return &t
}

// samePort tells whether a probe's port is the application container's `http` port: the
// kubelet looks a probe's named port up in the probed container only.
func samePort(spec *corev1.PodSpec, port intstr.IntOrString) bool {
	want, ok := namedPort(&corev1.PodSpec{Containers: []corev1.Container{*app(spec)}}, portName)
	if !ok {
		return false
	}
	if port.Type == intstr.String {
		return port.StrVal == portName
	}
	return port.IntVal == want
}

func judgeResources(s *submission) check.Outcome {
	var fs []finding
	for _, d := range s.deployments() {
		cs, paths := containers(&d.Spec.Template.Spec)
		for i, c := range cs {
			path := paths[i] + ".resources"
			for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				name := check.Lit("CPU", "CPU")
				if r == corev1.ResourceMemory {
					name = check.Lit("mémoire", "memory")
				}
				req, hasReq := c.Resources.Requests[r]
				lim, hasLim := c.Resources.Limits[r]
				switch {
				case !hasReq || !hasLim:
					fs = append(fs, at(d.Object, path, check.T("conteneur `%s` : `requests` et `limits` %s attendus", "container `%s`: %s `requests` and `limits` expected", c.Name, name)))
				case lim.Cmp(req) < 0:
					fs = append(fs, at(d.Object, path+".limits", check.T("conteneur `%s` : la limite %s (%s) est sous la demande (%s)",
						"container `%s`: the %s limit (%s) is below the request (%s)", c.Name, name, lim.String(), req.String())))
				}
			}
		}
	}
	if len(s.deployments()) == 0 {
		_, miss := s.web()
		return *miss
	}
	return verdict(fs, check.Lit("requests ≤ limits, CPU et mémoire, pour chaque conteneur", "requests ≤ limits, CPU and memory, for every container"),
		check.Lit("Chaque conteneur a ses requests et limits CPU et mémoire.", "Every container has its CPU and memory requests and limits."))
}

func judgeSecurity(s *submission) check.Outcome {
	d, miss := s.web()
	if miss != nil {
		return *miss
	}
	pod := d.Spec.Template.Spec.SecurityContext
	if pod == nil {
		pod = &corev1.PodSecurityContext{}
	}
	var fs []finding
	spec := &d.Spec.Template.Spec
	for _, h := range []struct {
		on   bool
		name string
	}{{spec.HostNetwork, "hostNetwork"}, {spec.HostPID, "hostPID"}, {spec.HostIPC, "hostIPC"}} {
		if h.on {
			fs = append(fs, at(d.Object, "spec.template.spec."+h.name, check.T("`%s: true` partage un espace de noms de l'hôte avec le pod", "`%s: true` shares a host namespace with the pod", h.name)))
		}
	}
	for i, v := range spec.Volumes {
		if v.HostPath != nil {
			fs = append(fs, at(d.Object, "spec.template.spec.volumes["+itoa(i)+"]", check.T("le volume `%s` monte `%s` de l'hôte (`hostPath`)", "volume `%s` mounts the host's `%s` (`hostPath`)", v.Name, v.HostPath.Path)))
		}
	}
	if pod.SeccompProfile != nil && pod.SeccompProfile.Type == corev1.SeccompProfileTypeUnconfined {
		fs = append(fs, at(d.Object, "spec.template.spec.securityContext.seccompProfile", check.Lit("`seccompProfile: Unconfined` retire le filtre des appels système", "`seccompProfile: Unconfined` removes the system-call filter")))
	}
	cs, paths := containers(spec)
	for i, c := range cs {
		for _, p := range c.Ports {
			if p.HostPort != 0 {
				fs = append(fs, at(d.Object, paths[i]+".ports", check.T("conteneur `%s` : `hostPort: %d` publie le pod sur l'hôte ; le Service suffit", "container `%s`: `hostPort: %d` publishes the pod on the host; the Service is enough", c.Name, p.HostPort)))
			}
		}
		if c.SecurityContext != nil && c.SecurityContext.SeccompProfile != nil && c.SecurityContext.SeccompProfile.Type == corev1.SeccompProfileTypeUnconfined {
			fs = append(fs, at(d.Object, paths[i]+".securityContext.seccompProfile", check.T("conteneur `%s` : `seccompProfile: Unconfined` retire le filtre des appels système", "container `%s`: `seccompProfile: Unconfined` removes the system-call filter", c.Name)))
		}
		sc := c.SecurityContext
		if sc == nil {
			sc = &corev1.SecurityContext{}
		}
		path := paths[i] + ".securityContext"
		bad := func(fr, en string) {
			fs = append(fs, at(d.Object, path, check.T("conteneur `%s` : "+fr, "container `%s`: "+en, c.Name)))
		}
		nonRoot, user := sc.RunAsNonRoot, sc.RunAsUser
		if nonRoot == nil {
			nonRoot = pod.RunAsNonRoot
		}
		if user == nil {
			user = pod.RunAsUser
		}
		if nonRoot == nil || !*nonRoot {
			bad("`runAsNonRoot: true` manque (pod ou conteneur)", "`runAsNonRoot: true` is missing (pod or container)")
		}
		switch {
		case user == nil:
			bad("`runAsUser` manque (pod ou conteneur) : un UID non nul, comme 65532", "`runAsUser` is missing (pod or container): a non-zero UID, such as 65532")
		case *user == 0:
			bad("`runAsUser: 0` est root", "`runAsUser: 0` is root")
		}
		if sc.Capabilities != nil && len(sc.Capabilities.Add) > 0 {
			names := make([]string, len(sc.Capabilities.Add))
			for j, c := range sc.Capabilities.Add {
				names[j] = string(c)
			}
			bad("`capabilities.add` rend "+strings.Join(names, ", ")+" après `drop: [ALL]`", "`capabilities.add` gives back "+strings.Join(names, ", ")+" after `drop: [ALL]`")
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			bad("`allowPrivilegeEscalation: false` manque", "`allowPrivilegeEscalation: false` is missing")
		}
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			bad("`readOnlyRootFilesystem: true` manque", "`readOnlyRootFilesystem: true` is missing")
		}
		if sc.Privileged != nil && *sc.Privileged {
			bad("`privileged: true` donne tout l'hôte au conteneur", "`privileged: true` gives the container the whole host")
		}
		if !dropsAll(sc.Capabilities) {
			bad("`capabilities.drop: [ALL]` manque", "`capabilities.drop: [ALL]` is missing")
		}
	}
	return verdict(fs, check.Lit("runAsNonRoot, runAsUser ≠ 0, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, drop: [ALL]",
		"runAsNonRoot, runAsUser ≠ 0, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, drop: [ALL]"),
		check.Lit("Chaque conteneur tourne sans root, sans escalade, en lecture seule, sans capacité.", "Every container runs without root, escalation, writes or capabilities."))
}

func dropsAll(c *corev1.Capabilities) bool {
	if c == nil {
		return false
	}
	for _, d := range c.Drop {
		if string(d) == "ALL" {
			return true
		}
	}
	return false
}

func judgeImage(s *submission) check.Outcome {
	d, miss := s.web()
	if miss != nil {
		return *miss
	}
	var fs []finding
	want := s.stack.Image
	spec := &d.Spec.Template.Spec
	{
		c, path := app(spec), "spec.template.spec.containers["+itoa(appIndex(spec))+"]"
		got, tag := familiar(c.Image)
		if got != want {
			fs = append(fs, at(d.Object, path+".image", check.T("conteneur `%s` : image `%s`, attendue `%s`", "container `%s`: image `%s`, expected `%s`", c.Name, c.Image, want)))
		}
		policy := c.ImagePullPolicy
		if policy == "" {
			// What the API server fills in: Always for :latest or no tag, IfNotPresent otherwise.
			policy = corev1.PullIfNotPresent
			if tag == "" || tag == "latest" {
				policy = corev1.PullAlways
			}
		}
		if got == want && policy != corev1.PullIfNotPresent && policy != corev1.PullNever {
			fs = append(fs, at(d.Object, path+".imagePullPolicy", check.T("conteneur `%s` : `imagePullPolicy` vaut `%s` : le nœud irait chercher l'image dans un registre",
				"container `%s`: `imagePullPolicy` is `%s`: the node would fetch the image from a registry", c.Name, string(policy))))
		}
	}
	return verdict(fs, check.T("%s, imagePullPolicy IfNotPresent ou Never", "%s, imagePullPolicy IfNotPresent or Never", want),
		check.T("L'image `%s` sert telle quelle, sans tirage.", "The image `%s` is used as is, never pulled.", want))
}

// familiar is an image reference as Docker writes it ("docker.io/library/x:1" is "x:1"), and
// its tag.
func familiar(ref string) (string, string) {
	named, err := reference.ParseNormalizedNamed(ref)
	if err != nil {
		return ref, ""
	}
	tag := ""
	if t, ok := named.(reference.Tagged); ok {
		tag = t.Tag()
	}
	return reference.FamiliarString(named), tag
}

func judgeLabels(s *submission) check.Outcome {
	if out := s.none(); out != nil {
		return *out
	}
	var fs []finding
	added := s.kustLabels() // a kustomization's labels reach every object it builds
	for _, o := range s.m.Objects {
		meta, ok := o.Obj.(interface{ GetLabels() map[string]string })
		if !ok {
			continue
		}
		var missing []string
		for _, l := range []string{"app.kubernetes.io/name", "app.kubernetes.io/part-of"} {
			if meta.GetLabels()[l] == "" && added[l] == "" {
				missing = append(missing, "`"+l+"`")
			}
		}
		if len(missing) > 0 {
			fs = append(fs, at(o, "metadata", check.T("%s `%s` sans %s", "%s `%s` without %s", o.GVK.Kind, o.Name, strings.Join(missing, ", "))))
		}
	}
	return verdict(fs, check.Lit("app.kubernetes.io/name et app.kubernetes.io/part-of sur chaque objet", "app.kubernetes.io/name and app.kubernetes.io/part-of on every object"),
		check.Lit("Chaque objet porte les labels recommandés.", "Every object carries the recommended labels."))
}
