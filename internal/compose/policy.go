package compose

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
)

// Allow lists what a lab teaches and so lets through the policy.
type Allow struct {
	CapAdd []string // capabilities a lab's services may add ("NET_BIND_SERVICE")
}

// Policy lists, in French and in English and naming the key, everything in the project that would harm the
// grading host or other projects on its engine: host namespaces, privileges, devices, the
// engine's socket, host paths outside the submission, objects outside the project. The
// project runs only when the list is empty. dir is the folder the project was loaded from.
func Policy(p *types.Project, dir string, allow Allow) []Problem {
	var out []Problem
	add := func(path string, t check.Text) {
		out = append(out, problemAt("", 0, 0, path, t))
	}
	hooks := check.T("post_start et pre_stop ne sont pas pris en charge par le correcteur : retirez-les",
		"post_start and pre_stop are not supported by the grader: remove them")
	names := make([]string, 0, len(p.Services))
	for n := range p.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := p.Services[n]
		key := func(k string) string { return "services." + n + "." + k }
		if r := replicas(s); r > MaxReplicas {
			add(key("scale"), check.T("%d répliques demandées : %d au plus sur la machine du correcteur",
				"%d replicas requested: at most %d on the grader's machine", r, MaxReplicas))
		}
		if s.Privileged {
			add(key("privileged"), check.T("un conteneur privilégié a tous les droits sur l'hôte : interdit, retirez privileged",
				"a privileged container has full rights over the host: not allowed, remove privileged"))
		}
		// Compose hands any other network_mode to the engine as it is: `bridge` or another
		// project's network would bypass the refusal of external networks.
		if m := s.NetworkMode; m != "" && m != "none" && !ownService(p, strings.TrimPrefix(m, "service:"), m) {
			add(key("network_mode"), check.T("`network_mode: %s` sort le service des réseaux du projet : seuls `none` et `service:<un service du projet>` sont permis",
				"`network_mode: %s` takes the service out of the project's networks: only `none` and `service:<a service of the project>` are allowed", printable(m)))
		}
		for _, ns := range []struct{ k, v string }{{"pid", s.Pid}, {"ipc", s.Ipc}, {"uts", s.Uts}, {"userns_mode", s.UserNSMode}, {"cgroup", s.Cgroup}} {
			if ns.v == "host" || strings.HasPrefix(ns.v, "container:") {
				add(key(ns.k), check.T("`%s: %s` partage un espace de noms hors du projet (l'hôte ou un autre conteneur) : interdit, seul `service:<nom>` est permis",
					"`%s: %s` shares a namespace outside the project (the host or another container): not allowed, only `service:<name>` is allowed", ns.k, printable(ns.v)))
			}
		}
		if len(s.Devices) > 0 || len(s.DeviceCgroupRules) > 0 || len(s.Gpus) > 0 || deployDevices(s) {
			add(key("devices"), check.T("accès aux périphériques de l'hôte (devices, device_cgroup_rules, gpus) : interdit, retirez ces clés",
				"access to the host's devices (devices, device_cgroup_rules, gpus): not allowed, remove these keys"))
		}
		for _, c := range s.CapAdd {
			if !allowed(allow.CapAdd, c) {
				add(key("cap_add"), check.T("capacité %s ajoutée : interdite dans ce lab, retirez-la de cap_add",
					"capability %s added: not allowed in this lab, remove it from cap_add", printable(c)))
			}
		}
		for _, o := range s.SecurityOpt {
			// A seccomp profile from the submission can allow everything, and one naming a
			// device would be read forever by Compose: only the option the labs teach.
			if o != "no-new-privileges" && o != "no-new-privileges:true" && o != "no-new-privileges=true" {
				add(key("security_opt"), sayf("%s : interdit, seul no-new-privileges:true est permis",
					"%s: not allowed, only no-new-privileges:true is allowed", quote(o)))
			}
		}
		if s.UseAPISocket {
			add(key("use_api_socket"), check.T("use_api_socket donne au conteneur le socket Docker de l'hôte et ses identifiants : interdit, retirez-le",
				"use_api_socket gives the container the host's Docker socket and its credentials: not allowed, remove it"))
		}
		if len(s.Models) > 0 {
			add(key("models"), check.T("les modèles lancent un programme sur l'hôte et se téléchargent : interdit, retirez models",
				"models run a program on the host and are downloaded: not allowed, remove models"))
		}
		if l := s.Logging; l != nil && l.Driver != "" && l.Driver != "json-file" && l.Driver != "local" && l.Driver != "none" {
			add(key("logging.driver"), sayf("pilote de journaux %s : interdit, seuls `json-file`, `local` et `none` sont permis (les autres envoient les journaux hors de la machine)",
				"logging driver %s: not allowed, only `json-file`, `local` and `none` are allowed (the others send the logs off the machine)", quote(l.Driver)))
		}
		if n := publishedPorts(s, replicas(s)); n > MaxPublished {
			add(key("ports"), check.T("%d ports publiés sur l'hôte : %d au plus, publiez seulement les ports utiles",
				"%d ports published on the host: at most %d, publish only the ports you need", n, MaxPublished))
		}
		if s.Runtime != "" {
			add(key("runtime"), sayf("runtime %s : interdit, seul le runtime par défaut du moteur est permis",
				"runtime %s: not allowed, only the engine's default runtime is allowed", quote(s.Runtime)))
		}
		if len(s.ExternalLinks) > 0 {
			add(key("external_links"), check.T("external_links relie le service à des conteneurs hors du projet : interdit, retirez-le",
				"external_links connects the service to containers outside the project: not allowed, remove it"))
		}
		if s.CgroupParent != "" {
			add(key("cgroup_parent"), check.T("cgroup_parent place le conteneur hors des limites du correcteur : interdit, retirez-le",
				"cgroup_parent puts the container outside the grader's limits: not allowed, remove it"))
		}
		if s.OomScoreAdj < 0 {
			add(key("oom_score_adj"), check.T("oom_score_adj négatif : l'hôte tuerait d'autres processus avant celui-ci ; interdit, retirez-le",
				"negative oom_score_adj: the host would kill other processes before this one; not allowed, remove it"))
		}
		if s.OomKillDisable {
			add(key("oom_kill_disable"), check.T("désactiver l'OOM killer peut geler l'hôte : interdit, retirez oom_kill_disable",
				"disabling the OOM killer can freeze the host: not allowed, remove oom_kill_disable"))
		}
		for _, v := range s.VolumesFrom {
			if strings.HasPrefix(v, "container:") {
				add(key("volumes_from"), sayf("%s monte les volumes d'un conteneur hors du projet : interdit",
					"%s mounts the volumes of a container outside the project: not allowed", quote(v)))
			}
		}
		if s.Provider != nil {
			add(key("provider"), check.T("les services « provider » lancent un programme sur l'hôte : interdit",
				`"provider" services run a program on the host: not allowed`))
		}
		// Hooks run as execs during up and during the grader's own down, where a privileged or
		// endless one would act with every capability or hold the cleanup.
		if len(s.PostStart) > 0 {
			add(key("post_start"), hooks)
		}
		if len(s.PreStop) > 0 {
			add(key("pre_stop"), hooks)
		}
		for i, v := range s.Volumes {
			if v.Type == types.VolumeTypeImage {
				add(fmt.Sprintf("%s[%d]", key("volumes"), i), check.T("montage d'une image (type: image) : non pris en charge par le correcteur, retirez-le",
					"mount of an image (type: image): not supported by the grader, remove it"))
			}
			if v.Type == types.VolumeTypeBind || v.Type == "npipe" {
				if why := hostPath(dir, v.Source); why.FR != "" {
					add(fmt.Sprintf("%s[%d]", key("volumes"), i), sayf("montage de %s : %s (jamais le socket Docker ni un chemin de l'hôte)",
						"mount of %s: %s (never the Docker socket nor a path of the host)", quote(display(dir, v.Source)), why))
				}
			}
		}
		for _, f := range fileRefs(p, s) {
			if why := hostPath(dir, f.path); why.FR != "" {
				add(key(f.key), sayf("%s : %s", "%s: %s", quote(display(dir, f.path)), why))
			}
		}
		if b := s.Build; b != nil {
			switch {
			case !filepath.IsAbs(b.Context) || !inside(dir, rel(dir, b.Context)):
				// compose-go leaves remote forms (git URLs, service:x) as they are.
				add(key("build.context"), sayf("contexte de build %s : il doit être dans le dossier rendu",
					"build context %s: it must be inside the submission folder", quote(display(dir, b.Context))))
			case b.Dockerfile != "" && !filepath.IsAbs(b.Dockerfile) && !inside(dir, rel(dir, filepath.Join(b.Context, b.Dockerfile))):
				add(key("build.dockerfile"), dockerfileOutside(display(dir, b.Dockerfile)))
			case b.Dockerfile != "" && filepath.IsAbs(b.Dockerfile) && !inside(dir, rel(dir, b.Dockerfile)):
				add(key("build.dockerfile"), dockerfileOutside(display(dir, b.Dockerfile)))
			}
			if b.Network == "host" || b.Privileged || len(b.Entitlements) > 0 {
				add(key("build"), check.T("build avec le réseau de l'hôte ou des privilèges : interdit",
					"build with the host's network or with privileges: not allowed"))
			}
			if len(b.AdditionalContexts) > 0 || len(b.SSH) > 0 || len(b.Secrets) > 0 {
				add(key("build"), check.T("additional_contexts, ssh et secrets de build ne sont pas pris en charge par le correcteur : retirez-les",
					"additional_contexts, ssh and build secrets are not supported by the grader: remove them"))
			}
		}
	}
	for _, n := range sortedKeys(p.Networks) {
		nw := p.Networks[n]
		if bool(nw.External) {
			add("networks."+n+".external", check.T("un réseau externe relie le projet à des conteneurs hors du projet : interdit",
				"an external network connects the project to containers outside it: not allowed"))
		}
		if nw.Driver != "" && nw.Driver != "bridge" {
			add("networks."+n+".driver", sayf("pilote réseau %s : seul bridge est permis", "network driver %s: only bridge is allowed", quote(nw.Driver)))
		}
		if !bool(nw.External) && nw.Name != p.Name+"_"+n {
			add("networks."+n+".name", sayf("nom fixe %s : le réseau sortirait du projet (et pourrait être celui d'un autre) ; retirez `name:`",
				"fixed name %s: the network would leave the project (and could be someone else's); remove `name:`", quote(nw.Name)))
		}
	}
	for _, n := range sortedKeys(p.Volumes) {
		v := p.Volumes[n]
		if bool(v.External) {
			add("volumes."+n+".external", check.T("un volume externe touche des données hors du projet : interdit",
				"an external volume touches data outside the project: not allowed"))
		}
		switch {
		case v.Driver != "" && v.Driver != "local":
			add("volumes."+n+".driver_opts", sayf("pilote de volume %s : seul un volume local simple est permis, retirez driver",
				"volume driver %s: only a plain local volume is allowed, remove driver", quote(v.Driver)))
		case len(v.DriverOpts) > 0:
			add("volumes."+n+".driver_opts", check.T("options de volume driver_opts : seul un volume local simple est permis (driver_opts peut monter un chemin de l'hôte), retirez-les",
				"volume options driver_opts: only a plain local volume is allowed (driver_opts can mount a path of the host), remove them"))
		}
		// `down -v` at the end of the run removes the project's volumes: a fixed name could be
		// anyone's data on this engine.
		if !bool(v.External) && v.Name != p.Name+"_"+n {
			add("volumes."+n+".name", sayf("nom fixe %s : le volume sortirait du projet, et `down -v` du correcteur pourrait effacer les données d'un autre ; retirez `name:`",
				"fixed name %s: the volume would leave the project, and the grader's `down -v` could erase someone else's data; remove `name:`", quote(v.Name)))
		}
	}
	return out
}

// MaxReplicas bounds scale and deploy.replicas of a student's service, and MaxPublished the
// host ports one service publishes over its replicas (a range of thousands would start as
// many proxies).
const (
	MaxReplicas  = 5
	MaxPublished = 16
)

// publishedPorts counts the host ports the engine binds for one service over its replicas, as
// Docker does: a port with no host side gets one ephemeral host port per replica, and a host
// range for one container port ("6005-6015:80") gives each replica one port of the range.
func publishedPorts(s types.ServiceConfig, replicas int) int {
	n := 0
	for _, p := range s.Ports {
		lo, hi, isRange := strings.Cut(p.Published, "-")
		a, errA := strconv.Atoi(lo)
		b, errB := strconv.Atoi(hi)
		if isRange && errA == nil && errB == nil && b >= a {
			n += min(b-a+1, replicas)
		} else {
			n += replicas
		}
	}
	return n
}

// ownService tells whether name is a service of the project (network_mode: service:name).
func ownService(p *types.Project, name, mode string) bool {
	if !strings.HasPrefix(mode, "service:") {
		return false
	}
	_, ok := p.Services[name]
	return ok
}

// hostPath says why a path the engine would mount or read is not a file or folder of the
// submission: outside it (links resolved), or a special file (a socket, a device). "" when fine.
func hostPath(dir, p string) check.Text {
	if !filepath.IsAbs(p) || !inside(dir, rel(dir, p)) {
		return check.T("seuls les fichiers du dossier rendu sont permis", "only the files of the submission folder are allowed")
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return check.Text{} // missing: the engine creates an empty folder inside the copy
	}
	if rd, err := filepath.EvalSymlinks(dir); err == nil && !inside(rd, rel(rd, real)) {
		return check.T("lien symbolique qui sort du dossier rendu", "symbolic link that leaves the submission folder")
	}
	if st, err := os.Stat(real); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		return check.T("fichier spécial (socket, périphérique)", "special file (socket, device)")
	}
	return check.Text{}
}

// dockerfileOutside is the refusal of a Dockerfile named outside the submission.
func dockerfileOutside(name string) check.Text {
	return sayf("Dockerfile %s hors du dossier rendu : placez-le dans le dossier rendu",
		"Dockerfile %s outside the submission folder: put it inside the submission folder", quote(name))
}

func replicas(s types.ServiceConfig) int {
	n := 1
	if s.Scale != nil {
		n = *s.Scale
	}
	if s.Deploy != nil && s.Deploy.Replicas != nil && *s.Deploy.Replicas > n {
		n = *s.Deploy.Replicas
	}
	return n
}

// deployDevices tells whether deploy.resources asks for devices: Compose turns them into
// device requests (GPUs) as it does gpus:.
func deployDevices(s types.ServiceConfig) bool {
	if s.Deploy == nil {
		return false
	}
	r := s.Deploy.Resources
	return r.Limits != nil && len(r.Limits.Devices) > 0 || r.Reservations != nil && len(r.Reservations.Devices) > 0
}

type fileRef struct{ key, path string }

// fileRefs are the host files a service's secrets and configs would bind-mount.
func fileRefs(p *types.Project, s types.ServiceConfig) []fileRef {
	var out []fileRef
	for _, sec := range s.Secrets {
		if def, ok := p.Secrets[sec.Source]; ok && def.File != "" {
			out = append(out, fileRef{"secrets", def.File})
		}
	}
	for _, c := range s.Configs {
		if def, ok := p.Configs[c.Source]; ok && def.File != "" {
			out = append(out, fileRef{"configs", def.File})
		}
	}
	return out
}

// display is a path as a student recognises it: relative inside the submission (never the
// grader's private copy), as it is outside. A path near the copy (its parent, a sibling: a
// student's `..`) is relative too, so that the folders the grader keeps its copies in do not
// show either.
func display(dir, p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	r := rel(dir, p)
	if inside(dir, r) {
		return "./" + r
	}
	if top(dir) != "" && top(dir) == top(p) {
		return r
	}
	return p
}

// top is the first element of an absolute path ("tmp" for /tmp/x), "" for the root.
func top(p string) string {
	first, _, _ := strings.Cut(strings.TrimPrefix(filepath.Clean(p), string(filepath.Separator)), string(filepath.Separator))
	return first
}

// rel makes an absolute path relative to dir for inside; a relative one stays as it is.
func rel(dir, p string) string {
	if !filepath.IsAbs(p) {
		return p
	}
	r, err := filepath.Rel(dir, p)
	if err != nil {
		return "../" + p
	}
	return r
}

func allowed(list []string, c string) bool {
	c = strings.TrimPrefix(strings.ToUpper(c), "CAP_")
	for _, a := range list {
		if strings.TrimPrefix(strings.ToUpper(a), "CAP_") == c {
			return true
		}
	}
	return false
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
