package lab10

import (
	_ "embed"
	"fmt"
	"maps"
	"math"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"go.yaml.in/yaml/v3"
	corev1 "k8s.io/api/core/v1"

	"github.com/ddlab/grade/internal/check"
)

// stackYAML is the grader's own copy of the starter's stack.yaml (TestStackIsTheStarters
// keeps them equal): a student who edits theirs to match wrong manifests changes nothing.
//
//go:embed stack.yaml
var stackYAML []byte

// stack is what the Swarm service `web` of stack.yaml asks for.
type stack struct {
	Image       string
	Replicas    int32
	Published   int32
	Target      int32
	Env         map[string]string
	HealthPath  string
	HealthPort  int32
	Interval    time.Duration
	Timeout     time.Duration
	Retries     int32
	CPUMilli    int64
	Memory      int64 // bytes, as Docker reads "64M": 64 MiB
	SecretFiles []string
}

func parseStack(b []byte) (stack, error) {
	var f struct {
		Services map[string]struct {
			Image       string            `yaml:"image"`
			Ports       []string          `yaml:"ports"`
			Environment map[string]string `yaml:"environment"`
			Secrets     []string          `yaml:"secrets"`
			Healthcheck struct {
				Test     []string `yaml:"test"`
				Interval string   `yaml:"interval"`
				Timeout  string   `yaml:"timeout"`
				Retries  int32    `yaml:"retries"`
			} `yaml:"healthcheck"`
			Deploy struct {
				Replicas  int32 `yaml:"replicas"`
				Resources struct {
					Limits struct {
						CPUs   string `yaml:"cpus"`
						Memory string `yaml:"memory"`
					} `yaml:"limits"`
				} `yaml:"resources"`
			} `yaml:"deploy"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(b, &f); err != nil {
		return stack{}, err
	}
	web, ok := f.Services[appName]
	if !ok || len(web.Ports) != 1 || len(web.Healthcheck.Test) == 0 {
		return stack{}, fmt.Errorf("stack.yaml: service %s with one port and a healthcheck expected", appName)
	}
	st := stack{Image: web.Image, Replicas: web.Deploy.Replicas, Env: web.Environment, Retries: web.Healthcheck.Retries}
	pub, tgt, _ := strings.Cut(web.Ports[0], ":")
	p, err1 := strconv.ParseInt(pub, 10, 32)
	t, err2 := strconv.ParseInt(tgt, 10, 32)
	u, err3 := url.Parse(web.Healthcheck.Test[len(web.Healthcheck.Test)-1])
	hp, err4 := strconv.ParseInt(u.Port(), 10, 32)
	iv, err5 := time.ParseDuration(web.Healthcheck.Interval)
	to, err6 := time.ParseDuration(web.Healthcheck.Timeout)
	cpu, err7 := strconv.ParseFloat(web.Deploy.Resources.Limits.CPUs, 64)
	mem, err8 := units.RAMInBytes(web.Deploy.Resources.Limits.Memory)
	for _, err := range []error{err1, err2, err3, err4, err5, err6, err7, err8} {
		if err != nil {
			return stack{}, fmt.Errorf("stack.yaml: %w", err)
		}
	}
	st.Published, st.Target, st.HealthPath, st.HealthPort = int32(p), int32(t), u.Path, int32(hp)
	st.Interval, st.Timeout = iv, to
	st.CPUMilli, st.Memory = int64(math.Round(cpu*1000)), mem
	for _, s := range web.Secrets {
		st.SecretFiles = append(st.SecretFiles, "/run/secrets/"+s)
	}
	return st, nil
}

// item is one line of the parity table: what stack.yaml says, and whether the manifests agree.
type item struct {
	ok   bool
	text check.Text
}

func judgeParity(s *submission) check.Outcome {
	d, miss := s.web()
	if miss != nil {
		return *miss
	}
	st := s.stack
	spec := &d.Spec.Template.Spec
	var items []item
	add := func(ok bool, fr, en string, args ...any) {
		items = append(items, item{ok, check.T(fr, en, args...)})
	}
	replicas := int32(1)
	if d.Spec.Replicas != nil {
		replicas = *d.Spec.Replicas
	}
	add(replicas == st.Replicas, "replicas : %d (stack : %d)", "replicas: %d (stack: %d)", replicas, st.Replicas)
	img, _ := familiar(app(spec).Image)
	add(img == st.Image, "image : %s (stack : %s)", "image: %s (stack: %s)", app(spec).Image, st.Image)

	svc, hasSvc := s.webService()
	var port *corev1.ServicePort
	if hasSvc == nil {
		for i := range svc.Spec.Ports {
			if svc.Spec.Ports[i].Port == st.Published {
				port = &svc.Spec.Ports[i]
			}
		}
	}
	add(port != nil, "port publié %d → `port: %d` du Service", "published port %d → Service `port: %d`", st.Published, st.Published)
	reached := int32(0)
	if port != nil {
		reached, _ = resolve(spec, port.TargetPort, port.Port)
	}
	add(reached == st.Target, "cible %d → `containerPort: %d` atteint par le Service", "target %d → `containerPort: %d` reached by the Service", st.Target, st.Target)

	env := envOf(spec, s)
	for _, k := range slices.Sorted(maps.Keys(st.Env)) {
		got, ok := env[k]
		switch {
		case !ok:
			add(false, "variable %s : absente du conteneur", "variable %s: missing from the container", k)
		case !got.fromConfigMap && got.configMap != "":
			add(false, "variable %s : lue de la ConfigMap `%s`, pas de `%s`", "variable %s: read from ConfigMap `%s`, not `%s`", k, got.configMap, configMapName)
		case !got.fromConfigMap:
			add(false, "variable %s : écrite dans le Deployment, pas lue de la ConfigMap `%s`", "variable %s: written in the Deployment, not read from ConfigMap `%s`", k, configMapName)
		case got.value != st.Env[k]:
			add(false, "variable %s : « %s » dans la ConfigMap, « %s » dans la stack", "variable %s: \"%s\" in the ConfigMap, \"%s\" in the stack", k, got.value, st.Env[k])
		default:
			add(true, "variable %s lue de la ConfigMap", "variable %s read from the ConfigMap", k)
		}
	}

	live := app(spec).LivenessProbe
	add(live != nil && probeProblem(spec, live, st.HealthPath) == nil,
		"healthcheck → livenessProbe httpGet %s port %d", "healthcheck → livenessProbe httpGet %s port %d", st.HealthPath, st.HealthPort)
	// The healthcheck's rhythm is the one of both probes.
	timing := func(p *corev1.Probe) (int32, int32, int32) {
		if p == nil {
			return 10, 1, 3 // the API server's defaults
		}
		return orDefault(p.PeriodSeconds, 10), orDefault(p.TimeoutSeconds, 1), orDefault(p.FailureThreshold, 3)
	}
	want := [3]int32{int32(st.Interval.Seconds()), int32(st.Timeout.Seconds()), st.Retries}
	lp, lt, lf := timing(live)
	rp, rt, rf := timing(app(spec).ReadinessProbe)
	add(live != nil && app(spec).ReadinessProbe != nil && [3]int32{lp, lt, lf} == want && [3]int32{rp, rt, rf} == want,
		"interval %s, timeout %s, retries %d → periodSeconds, timeoutSeconds, failureThreshold : %d, %d, %d (liveness) ; %d, %d, %d (readiness)",
		"interval %s, timeout %s, retries %d → periodSeconds, timeoutSeconds, failureThreshold: %d, %d, %d (liveness); %d, %d, %d (readiness)",
		st.Interval, st.Timeout, st.Retries, lp, lt, lf, rp, rt, rf)

	lim := app(spec).Resources.Limits
	cpu, mem := lim[corev1.ResourceCPU], lim[corev1.ResourceMemory]
	add(!cpu.IsZero() && cpu.MilliValue() == st.CPUMilli, "limite CPU : %s (stack : %dm)", "CPU limit: %s (stack: %dm)", quantity(cpu.String()), st.CPUMilli)
	memOK := !mem.IsZero() && mem.Value() == st.Memory
	if !memOK && mem.Value() == st.Memory/(1<<20)*1_000_000 {
		add(false, "limite mémoire : %s vaut %d octets, mais Docker lit 64M comme %d octets (64Mi)",
			"memory limit: %s is %d bytes, but Docker reads 64M as %d bytes (64Mi)", mem.String(), mem.Value(), st.Memory)
	} else {
		add(memOK, "limite mémoire : %s (stack : %d octets = %dMi)", "memory limit: %s (stack: %d bytes = %dMi)", quantity(mem.String()), st.Memory, st.Memory>>20)
	}
	files := secretFiles(app(spec), spec, s.secretKeys())
	for _, f := range st.SecretFiles {
		add(files[f] != "", "secret en fichier %s", "secret as the file %s", f)
	}
	out := parityOutcome(items)
	if out.Status == check.Fail {
		out = out.At(d.Object.File, d.Object.Line)
	}
	return out
}

func quantity(s string) string {
	if s == "0" {
		return "—"
	}
	return s
}

func orDefault(v, def int32) int32 {
	if v == 0 {
		return def
	}
	return v
}

// parityOutcome passes when every item agrees, and otherwise earns the share that does.
func parityOutcome(items []item) check.Outcome {
	var ok, bad []check.Text
	for _, it := range items {
		if it.ok {
			ok = append(ok, check.T("✓ %s", "✓ %s", it.text))
		} else {
			bad = append(bad, check.T("✗ %s", "✗ %s", it.text))
		}
	}
	table := check.Join(append(bad, ok...), "\n", "\n")
	if len(bad) == 0 {
		return check.Passf("Les %d éléments de stack.yaml ont leur équivalent.", "All %d elements of stack.yaml have their equivalent.", len(items))
	}
	lack := check.T("%d éléments sur %d de stack.yaml n'ont pas leur équivalent", "%d of %d elements of stack.yaml lack their equivalent", len(bad), len(items))
	if len(bad) == 1 {
		lack = check.T("1 élément sur %d de stack.yaml n'a pas son équivalent", "1 of %d elements of stack.yaml lacks its equivalent", len(items))
	}
	return check.Failf("%s ; le premier : %s", "%s; the first: %s", lack, bad[0]).WithT(check.Lit("chaque élément de stack.yaml", "every element of stack.yaml"), table).
		Partly(len(ok), len(items))
}

type envValue struct {
	value         string
	fromConfigMap bool   // read from the contract's ConfigMap, web-config
	configMap     string // the ConfigMap it was read from, "" for none
}

// envOf is the environment the application container gets, with where each value comes from.
func envOf(spec *corev1.PodSpec, s *submission) map[string]envValue {
	c := app(spec)
	cms := s.configMaps()
	out := map[string]envValue{}
	for _, e := range c.EnvFrom {
		if e.ConfigMapRef != nil {
			for k, v := range cms[e.ConfigMapRef.Name] {
				out[e.Prefix+k] = envValue{v, e.ConfigMapRef.Name == configMapName, e.ConfigMapRef.Name}
			}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			out[e.Name] = envValue{e.Value, false, ""}
		case e.ValueFrom.ConfigMapKeyRef != nil:
			r := e.ValueFrom.ConfigMapKeyRef
			v, ok := cms[r.Name][r.Key]
			if ok {
				out[e.Name] = envValue{v, r.Name == configMapName, r.Name}
			}
		default:
			out[e.Name] = envValue{"", false, ""}
		}
	}
	return out
}

func (s *submission) configMaps() map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, o := range s.m.Objects {
		if cm, ok := o.Obj.(*corev1.ConfigMap); ok {
			out[o.Name] = cm.Data
		}
	}
	return out
}

// secretFiles maps each file a container sees from a Secret volume to "secret/key".
func secretFiles(c *corev1.Container, spec *corev1.PodSpec, secrets map[string]map[string]bool) map[string]string {
	vols := map[string]*corev1.SecretVolumeSource{}
	for i := range spec.Volumes {
		if v := spec.Volumes[i].Secret; v != nil {
			vols[spec.Volumes[i].Name] = v
		}
	}
	out := map[string]string{}
	for _, m := range c.VolumeMounts {
		v, ok := vols[m.Name]
		if !ok {
			continue
		}
		if _, exists := secrets[v.SecretName]; !exists {
			continue // an optional volume of a missing Secret mounts an empty folder
		}
		// Without items, every key of the Secret is a file named after it.
		paths := map[string]string{}
		for k := range secrets[v.SecretName] {
			paths[k] = k
		}
		if len(v.Items) > 0 {
			paths = map[string]string{}
			for _, it := range v.Items {
				paths[it.Path] = it.Key
			}
		}
		for p, key := range paths {
			file := path.Join(m.MountPath, p)
			if m.SubPath != "" {
				if m.SubPath != p {
					continue
				}
				file = path.Clean(m.MountPath)
			}
			out[file] = v.SecretName + "/" + key
		}
	}
	return out
}

func (s *submission) secretKeys() map[string]map[string]bool {
	out := map[string]map[string]bool{}
	for _, o := range s.m.Objects {
		if v, ok := o.Obj.(*corev1.Secret); ok {
			out[o.Name] = keys(v.StringData, v.Data)
		}
	}
	return out
}
