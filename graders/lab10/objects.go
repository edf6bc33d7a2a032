package lab10

import (
	"strconv"
	"strings"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/kube"
)

// The objects the contract names.
const (
	appName       = "web"
	configMapName = "web-config"
	secretName    = "db-credentials"
	secretKey     = "password"
	portName      = "http"
)

func itoa(n int) string { return strconv.Itoa(n) }

// deployment is a Deployment of the submission with its place.
type deployment struct {
	kube.Object
	*appsv1.Deployment
}

type service struct {
	kube.Object
	*corev1.Service
}

func (s *submission) deployments() []deployment {
	var out []deployment
	for _, o := range s.m.Objects {
		if d, ok := o.Obj.(*appsv1.Deployment); ok {
			out = append(out, deployment{o, d})
		}
	}
	return out
}

func (s *submission) services() []service {
	var out []service
	for _, o := range s.m.Objects {
		if v, ok := o.Obj.(*corev1.Service); ok {
			out = append(out, service{o, v})
		}
	}
	return out
}

// web is Deployment web, or the failing outcome that says it is missing.
func (s *submission) web() (deployment, *check.Outcome) {
	for _, d := range s.deployments() {
		if d.Object.Name == appName {
			if len(d.Spec.Template.Spec.Containers) == 0 {
				out := check.Failf("Le Deployment `%s` n'a aucun conteneur.", "Deployment `%s` has no container.", appName).At(d.Object.File, d.Object.Line)
				return deployment{}, &out
			}
			return d, nil
		}
	}
	return deployment{}, s.missing("Deployment")
}

// webService is Service web, or the failing outcome that says it is missing.
func (s *submission) webService() (service, *check.Outcome) {
	for _, v := range s.services() {
		if v.Object.Name == appName {
			return v, nil
		}
	}
	return service{}, s.missing("Service")
}

// missing is the failure of a check that needs the contract's object of that kind: it could
// not be read, or it is not there.
func (s *submission) missing(kind string) *check.Outcome {
	if out := s.unread(kind, appName); out != nil {
		return out
	}
	out := check.Failf("Aucun %s `%s` dans %s/.", "No %s `%s` in %s/.", kind, appName, folder).
		WithT(check.T("un %s `%s`", "a %s `%s`", kind, appName), check.Lit("absent", "missing"))
	return &out
}

// containers are the pod template's containers, init containers first, with their paths.
func containers(spec *corev1.PodSpec) ([]*corev1.Container, []string) {
	var cs []*corev1.Container
	var paths []string
	for i := range spec.InitContainers {
		cs = append(cs, &spec.InitContainers[i])
		paths = append(paths, "spec.template.spec.initContainers["+itoa(i)+"]")
	}
	for i := range spec.Containers {
		cs = append(cs, &spec.Containers[i])
		paths = append(paths, "spec.template.spec.containers["+itoa(i)+"]")
	}
	return cs, paths
}

// finding is one thing a check found wrong, at its place.
type finding struct {
	file string
	line int
	text check.Text
}

// verdict fails with the first finding as the message and every finding as Actual, or passes.
func verdict(fs []finding, expected check.Text, pass check.Text) check.Outcome {
	if len(fs) == 0 {
		return check.Outcome{Status: check.Pass, Message: pass}
	}
	ts := make([]check.Text, len(fs))
	for i, f := range fs {
		ts[i] = check.T("%s : %s", "%s: %s", place(f), f.text)
	}
	first := fs[0]
	out := check.Outcome{Status: check.Fail, Message: check.T("%s : %s", "%s: %s", place(first), first.text)}
	if len(fs) > 1 {
		out.Message = check.T("%s : %s (et %s)", "%s: %s (and %s)", place(first), first.text,
			check.Count(len(fs)-1, "%d autre problème", "%d autres problèmes", "%d other problem", "%d other problems"))
	}
	out = out.WithT(expected, check.Join(ts, "\n", "\n"))
	if strings.HasSuffix(first.file, "/") {
		return out // a folder: an annotation needs a file
	}
	return out.At(first.file, first.line)
}

func place(f finding) string {
	if f.line > 0 {
		return f.file + ":" + itoa(f.line)
	}
	return f.file
}

func at(o kube.Object, path string, t check.Text) finding {
	return finding{file: o.File, line: o.At(path), text: t}
}

// unread is the failure of a check that needs an object whose document could not be decoded.
func (s *submission) unread(kind, name string) *check.Outcome {
	for _, r := range s.m.Unread {
		if r.Kind == kind && r.Name == name {
			out := check.Failf("%s `%s` (%s:%d) n'a pas pu être lu : voir lab10.schema.", "%s `%s` (%s:%d) could not be read: see lab10.schema.",
				kind, name, r.File, r.Line).At(r.File, r.Line)
			return &out
		}
	}
	return nil
}

// none is the failure of a check that has nothing to look at: files with only comments, or
// documents that are not objects, must not pass it by having nothing wrong.
func (s *submission) none() *check.Outcome {
	if len(s.m.Objects) > 0 {
		return nil
	}
	out := check.Failf("Aucun objet Kubernetes lu dans %s/.", "No Kubernetes object read in %s/.", folder).
		WithT(check.Lit("les objets du contrat", "the contract's objects"), check.Lit("aucun", "none"))
	return &out
}

// app is the application container: the one named like the app, else the first (an empty one
// when there is none, so that every rule says what is missing). Sidecars keep the security
// and resource rules, not the image and probe rules of the application.
func app(spec *corev1.PodSpec) *corev1.Container {
	for i := range spec.Containers {
		if spec.Containers[i].Name == appName {
			return &spec.Containers[i]
		}
	}
	// Else the one that runs the application's image: a sidecar may come first.
	for i := range spec.Containers {
		if strings.HasPrefix(spec.Containers[i].Image, "ddlab/webapp") || strings.Contains(spec.Containers[i].Image, "/ddlab/webapp") {
			return &spec.Containers[i]
		}
	}
	if len(spec.Containers) == 0 {
		return &corev1.Container{}
	}
	return &spec.Containers[0]
}

// appIndex is app's index in spec.Containers, for its place in the file.
func appIndex(spec *corev1.PodSpec) int {
	c := app(spec)
	for i := range spec.Containers {
		if &spec.Containers[i] == c {
			return i
		}
	}
	return 0
}

// nsOf is the namespace an object lands in when applied: its own, else the kustomization's,
// else "default".
func (s *submission) nsOf(o kube.Object) string {
	switch {
	case o.Namespace != "":
		return o.Namespace
	case s.kustNamespace():
		return s.ns
	}
	return "default"
}

// podLabels are the labels of every pod the submission would create, by owner.
func (s *submission) podLabels() []owned {
	var out []owned
	for _, o := range s.m.Objects {
		var l map[string]string
		switch v := o.Obj.(type) {
		case *appsv1.Deployment:
			l = v.Spec.Template.Labels
		case *appsv1.StatefulSet:
			l = v.Spec.Template.Labels
		case *appsv1.DaemonSet:
			l = v.Spec.Template.Labels
		case *appsv1.ReplicaSet:
			l = v.Spec.Template.Labels
		case *batchv1.Job:
			l = v.Spec.Template.Labels
		case *batchv1.CronJob:
			l = v.Spec.JobTemplate.Spec.Template.Labels
		case *corev1.Pod:
			l = v.Labels
		case *corev1.ReplicationController:
			if v.Spec.Template != nil {
				l = v.Spec.Template.Labels
			}
		default:
			continue
		}
		out = append(out, owned{o, l})
	}
	return out
}

// owned is a pod template's (or a Pod's) labels and the object that holds them.
type owned struct {
	kube.Object
	labels map[string]string
}
