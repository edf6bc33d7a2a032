package compose

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
)

// Allow lists what a lab teaches and so lets through the policy.
type Allow struct {
	CapAdd []string // capabilities a lab's services may add ("NET_BIND_SERVICE")
}

// Policy lists, in French and naming the key, everything in the project that would harm the
// grading host or other projects on its engine: host namespaces, privileges, devices, the
// engine's socket, host paths outside the submission, objects outside the project. The
// project runs only when the list is empty. dir is the folder the project was loaded from.
func Policy(p *types.Project, dir string, allow Allow) []Problem {
	var out []Problem
	add := func(path, format string, args ...any) {
		out = append(out, Problem{Path: path, Message: fmt.Sprintf(format, args...)})
	}
	names := make([]string, 0, len(p.Services))
	for n := range p.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := p.Services[n]
		key := func(k string) string { return "services." + n + "." + k }
		if r := replicas(s); r > MaxReplicas {
			add(key("scale"), "%d répliques demandées : %d au plus sur la machine du correcteur", r, MaxReplicas)
		}
		if s.Privileged {
			add(key("privileged"), "un conteneur privilégié a tous les droits sur l'hôte : interdit")
		}
		// Compose hands any other network_mode to the engine as it is: `bridge` or another
		// project's network would bypass the refusal of external networks.
		if m := s.NetworkMode; m != "" && m != "none" && !ownService(p, strings.TrimPrefix(m, "service:"), m) {
			add(key("network_mode"), "network_mode: %s sort le service des réseaux du projet : seuls `none` et `service:<un service du projet>` sont permis", m)
		}
		for _, ns := range []struct{ k, v string }{{"pid", s.Pid}, {"ipc", s.Ipc}, {"uts", s.Uts}, {"userns_mode", s.UserNSMode}, {"cgroup", s.Cgroup}} {
			if ns.v == "host" || strings.HasPrefix(ns.v, "container:") {
				add(key(ns.k), "%s: %s partage un espace de noms hors du projet (l'hôte ou un autre conteneur) : interdit ; `service:<nom>` est permis", ns.k, ns.v)
			}
		}
		if len(s.Devices) > 0 || len(s.DeviceCgroupRules) > 0 || len(s.Gpus) > 0 || deployDevices(s) {
			add(key("devices"), "accès aux périphériques de l'hôte : interdit")
		}
		for _, c := range s.CapAdd {
			if !allowed(allow.CapAdd, c) {
				add(key("cap_add"), "capacité %s ajoutée : interdit dans ce lab (retirez cap_add)", c)
			}
		}
		for _, o := range s.SecurityOpt {
			// A seccomp profile from the submission can allow everything, and one naming a
			// device would be read forever by Compose: only the option the labs teach.
			if o != "no-new-privileges" && o != "no-new-privileges:true" && o != "no-new-privileges=true" {
				add(key("security_opt"), "%q : seul no-new-privileges:true est permis", o)
			}
		}
		if s.UseAPISocket {
			add(key("use_api_socket"), "use_api_socket donne au conteneur le socket Docker de l'hôte et ses identifiants : interdit")
		}
		if len(s.Models) > 0 {
			add(key("models"), "les modèles lancent un programme de l'hôte et se téléchargent : interdit")
		}
		if l := s.Logging; l != nil && l.Driver != "" && l.Driver != "json-file" && l.Driver != "local" && l.Driver != "none" {
			add(key("logging.driver"), "pilote de journaux %q : json-file, local ou none seulement (les autres envoient hors de la machine)", l.Driver)
		}
		if n := publishedPorts(s, replicas(s)); n > MaxPublished {
			add(key("ports"), "%d ports publiés sur l'hôte : %d au plus", n, MaxPublished)
		}
		if s.Runtime != "" {
			add(key("runtime"), "runtime %q : seul le runtime par défaut du moteur est permis", s.Runtime)
		}
		if len(s.ExternalLinks) > 0 {
			add(key("external_links"), "external_links relie le service à des conteneurs hors du projet : interdit")
		}
		if s.CgroupParent != "" {
			add(key("cgroup_parent"), "cgroup_parent place le conteneur hors des limites du correcteur : interdit")
		}
		if s.OomScoreAdj < 0 {
			add(key("oom_score_adj"), "oom_score_adj négatif : l'hôte tuerait d'autres processus avant celui-ci ; interdit")
		}
		if s.OomKillDisable {
			add(key("oom_kill_disable"), "désactiver l'OOM killer peut geler l'hôte : interdit")
		}
		for _, v := range s.VolumesFrom {
			if strings.HasPrefix(v, "container:") {
				add(key("volumes_from"), "%q monte les volumes d'un conteneur hors du projet : interdit", v)
			}
		}
		if s.Provider != nil {
			add(key("provider"), "les services « provider » lancent un programme sur l'hôte : interdit")
		}
		// Hooks run as execs during up and during the grader's own down, where a privileged or
		// endless one would act with every capability or hold the cleanup.
		if len(s.PostStart) > 0 {
			add(key("post_start"), "post_start et pre_stop ne sont pas pris en charge par le correcteur : retirez-les")
		}
		if len(s.PreStop) > 0 {
			add(key("pre_stop"), "post_start et pre_stop ne sont pas pris en charge par le correcteur : retirez-les")
		}
		for i, v := range s.Volumes {
			if v.Type == types.VolumeTypeImage {
				add(fmt.Sprintf("%s[%d]", key("volumes"), i), "montage d'une image (type: image) : non pris en charge par le correcteur")
			}
			if v.Type == types.VolumeTypeBind || v.Type == "npipe" {
				if why := hostPath(dir, v.Source); why != "" {
					add(fmt.Sprintf("%s[%d]", key("volumes"), i), "montage de %q : %s (jamais le socket Docker ni un chemin de l'hôte)", display(dir, v.Source), why)
				}
			}
		}
		for _, f := range fileRefs(p, s) {
			if why := hostPath(dir, f.path); why != "" {
				add(key(f.key), "%q : %s", display(dir, f.path), why)
			}
		}
		if b := s.Build; b != nil {
			switch {
			case !filepath.IsAbs(b.Context) || !inside(dir, rel(dir, b.Context)):
				// compose-go leaves remote forms (git URLs, service:x) as they are.
				add(key("build.context"), "contexte de build %q : il doit être un dossier du rendu", display(dir, b.Context))
			case b.Dockerfile != "" && !filepath.IsAbs(b.Dockerfile) && !inside(dir, rel(dir, filepath.Join(b.Context, b.Dockerfile))):
				add(key("build.dockerfile"), "Dockerfile %q hors du dossier rendu", b.Dockerfile)
			case b.Dockerfile != "" && filepath.IsAbs(b.Dockerfile) && !inside(dir, rel(dir, b.Dockerfile)):
				add(key("build.dockerfile"), "Dockerfile %q hors du dossier rendu", b.Dockerfile)
			}
			if b.Network == "host" || b.Privileged || len(b.Entitlements) > 0 {
				add(key("build"), "build avec le réseau de l'hôte ou des privilèges : interdit")
			}
			if len(b.AdditionalContexts) > 0 || len(b.SSH) > 0 || len(b.Secrets) > 0 {
				add(key("build"), "additional_contexts, ssh et secrets de build ne sont pas pris en charge par le correcteur")
			}
		}
	}
	for _, n := range sortedKeys(p.Networks) {
		nw := p.Networks[n]
		if bool(nw.External) {
			add("networks."+n+".external", "un réseau externe relie le projet à des conteneurs hors du projet : interdit")
		}
		if nw.Driver != "" && nw.Driver != "bridge" {
			add("networks."+n+".driver", "pilote réseau %q : seul bridge est permis", nw.Driver)
		}
		if !bool(nw.External) && nw.Name != p.Name+"_"+n {
			add("networks."+n+".name", "nom fixe %q : le réseau sortirait du projet (et pourrait être celui d'un autre) ; retirez `name:`", nw.Name)
		}
	}
	for _, n := range sortedKeys(p.Volumes) {
		v := p.Volumes[n]
		if bool(v.External) {
			add("volumes."+n+".external", "un volume externe touche des données hors du projet : interdit")
		}
		if (v.Driver != "" && v.Driver != "local") || len(v.DriverOpts) > 0 {
			add("volumes."+n+".driver_opts", "pilote ou options de volume (%s) : un volume local simple seulement (driver_opts peut monter un chemin de l'hôte)", v.Driver)
		}
		// `down -v` at the end of the run removes the project's volumes: a fixed name could be
		// anyone's data on this engine.
		if !bool(v.External) && v.Name != p.Name+"_"+n {
			add("volumes."+n+".name", "nom fixe %q : le volume sortirait du projet, et `down -v` du correcteur pourrait effacer les données d'un autre ; retirez `name:`", v.Name)
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
func hostPath(dir, p string) string {
	if !filepath.IsAbs(p) || !inside(dir, rel(dir, p)) {
		return "seuls les fichiers du dossier rendu sont permis"
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "" // missing: the engine creates an empty folder inside the copy
	}
	if rd, err := filepath.EvalSymlinks(dir); err == nil && !inside(rd, rel(rd, real)) {
		return "lien symbolique qui sort du dossier rendu"
	}
	if st, err := os.Stat(real); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		return "fichier spécial (socket, périphérique)"
	}
	return ""
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
// grader's private copy), as it is outside.
func display(dir, p string) string {
	if filepath.IsAbs(p) && inside(dir, rel(dir, p)) {
		return "./" + rel(dir, p)
	}
	return p
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
