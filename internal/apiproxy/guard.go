package apiproxy

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Guard is what the proxy lets a student's script ask of the engine: the Compose policy of
// labs 8 and 13 (internal/compose.Policy) said for raw API requests. Whatever would reach
// the grading host (privileges, its namespaces, devices, its files, the engine's socket) or
// other users' objects on the engine is refused before the engine sees it.
type Guard struct {
	// Dir is the script's copy of the lab folder: the only host path a bind mount may name.
	Dir string
	// CapAdd lists the capabilities the lab teaches ("NET_ADMIN"); any other is refused.
	CapAdd []string
	// Names are the objects the lab's contract names ("lab6-data"), this run's during its turn.
	Names []string
	// Labels ("ddlab.lab=lab6", "ddlab.run=<id>") mark an object as this run's or its lab's.
	// A script may act on (stop, exec into, remove, mount, join) only what it created through
	// the proxy, what the contract names, or what carries one of these labels: never another
	// submission's containers, volumes or networks on a shared engine.
	Labels []string
}

// objects is what the guard asks about existing objects: whether a request of this proxy
// created ref, and ref's labels from the engine (found false when the engine does not know
// it: the engine will refuse or create it itself).
type objects interface {
	owns(kind, ref string) bool
	labels(kind, ref string) (labels map[string]string, found bool)
	// imageTags are the tags of an image (by ID or name); nil when unknown.
	imageTags(ref string) []string
	// hostPaths are the bind sources of an existing container, to judge again at start.
	hostPaths(ref string) []string
}

// mine tells whether a script may act on ref.
func (g Guard) mine(obj objects, kind, ref string) bool {
	ref = strings.TrimPrefix(ref, "/")
	if ref == "" || slices.Contains(g.Names, ref) || obj.owns(kind, ref) {
		return true
	}
	labels, found := obj.labels(kind, ref)
	if !found {
		return true
	}
	for _, l := range g.Labels {
		k, v, _ := strings.Cut(l, "=")
		if got, ok := labels[k]; ok && got == v {
			return true
		}
	}
	return false
}

// notMine refuses an action on ref, a container, volume or network (kind) that is not the run's.
func notMine(kind, ref string) *Refusal {
	fr := map[string]string{"container": "le conteneur", "volume": "le volume", "network": "le réseau"}[kind]
	return &Refusal{
		FR: fmt.Sprintf("%s %s n'est ni créé par vos scripts, ni un objet du lab : il peut être celui d'un autre rendu sur ce moteur ; n'y touchez pas", fr, ref),
		EN: fmt.Sprintf("%s %s was neither created by your scripts nor is an object of the lab: it may be another submission's on this engine; leave it alone", kind, ref),
	}
}

// Refusal is why the proxy refused a request, for the student (French) and in English.
type Refusal struct {
	FR, EN string
}

// maxGuardedBody bounds the body of a request the guard reads whole; the engine's own create
// bodies are a few KiB.
const maxGuardedBody = 1 << 20

var (
	// versionPrefix is any version the engine's router takes (`/v{version:[0-9.]+}`), 1.41.0
	// included: the guard judges what follows it.
	versionPrefix = regexp.MustCompile(`^/v[0-9.]+`)
	execCreate    = regexp.MustCompile(`^/containers/[^/]+/exec$`)
	netConnect    = regexp.MustCompile(`^/networks/([^/]+)/connect$`)
	netDisconnect = regexp.MustCompile(`^/networks/([^/]+)/disconnect$`)
	execStart     = regexp.MustCompile(`^/exec/([^/]+)/(start|resize)$`)
	// containerOp, volumeOp and networkOp are requests on one existing object.
	containerOp = regexp.MustCompile(`^/containers/([^/]+)(?:/[a-z]+)?$`)
	volumeOp    = regexp.MustCompile(`^/volumes/([^/]+)$`)
	networkOp   = regexp.MustCompile(`^/networks/([^/]+)(?:/(?:connect|disconnect))?$`)
	pruneOp     = regexp.MustCompile(`^/(containers|volumes|networks|images|build)/prune$`)
	imageOp     = regexp.MustCompile(`^/images/(.+)$`)
	// containerRead are the reads that reach into a container: its files, its stdin.
	containerRead = regexp.MustCompile(`^/containers/([^/]+)/(?:archive|export|attach/ws)$`)
)

// Unversioned is an API path without its version prefix: "/v1.41/containers/create" and
// "/containers/create" are both "/containers/create".
func Unversioned(path string) string { return versionPrefix.ReplaceAllString(path, "") }

// guarded tells whether the guard must read a request's body to judge it.
func guarded(method, path string) bool {
	if method != "POST" {
		return false
	}
	p := Unversioned(path)
	return p == "/containers/create" || p == "/volumes/create" || p == "/networks/create" ||
		execCreate.MatchString(p) || netConnect.MatchString(p) || netDisconnect.MatchString(p)
}

// judge returns why the request must not reach the engine, nil when it may. form is the
// request's Content-Type says form-encoded: the engine would read parameters from the body
// that the guard reads from the query.
func (g Guard) judge(method string, u *url.URL, body []byte, obj objects, form bool) *Refusal {
	p := Unversioned(u.Path)
	if m := containerRead.FindStringSubmatch(p); m != nil && !g.mine(obj, "container", m[1]) {
		// Reading is not changing, but these read a container's files or write to its stdin.
		return notMine("container", m[1])
	}
	if method != "POST" && method != "PUT" && method != "DELETE" {
		return nil
	}
	if form {
		return refuse("paramètres envoyés dans un formulaire : le correcteur ne les lit que dans l'URL", "parameters sent as a form: the grader reads them only from the URL")
	}
	if why := g.target(method, p, u, obj); why != nil {
		return why
	}
	switch {
	case p == "/grpc" || p == "/session":
		// BuildKit's own API, not judged request by request: docker build without BuildKit
		// (the CLI's default on this engine) goes through /build.
		return refuse("BuildKit (DOCKER_BUILDKIT=1, buildx) : non permis aux scripts ; docker build sans BuildKit suffit",
			"BuildKit (DOCKER_BUILDKIT=1, buildx): not allowed to scripts; docker build without BuildKit is enough")
	case p == "/commit":
		if ref := u.Query().Get("container"); !g.mine(obj, "container", ref) {
			return notMine("container", ref)
		}
		if why := baseImage(u.Query().Get("repo")); why != nil {
			return why
		}
	case p == "/images/load", p == "/images/create":
		// A loaded or imported image may carry any name, ddlab/… included.
		if p == "/images/create" && u.Query().Get("fromSrc") == "" {
			return nil // a pull: no registry answers here
		}
		return refuse("docker load / docker import : non permis aux scripts (une image chargée peut remplacer celles du correcteur)",
			"docker load / docker import: not allowed to scripts (a loaded image can replace the grader's)")
	case execStart.MatchString(p):
		if id := execStart.FindStringSubmatch(p)[1]; !obj.owns("exec", id) {
			return refuse("exec %s : seules les commandes lancées par vos scripts", "exec %s: only commands your scripts started", id)
		}
	case strings.HasPrefix(p, "/plugins/"), strings.HasPrefix(p, "/swarm/"), strings.HasPrefix(p, "/services/"),
		strings.HasPrefix(p, "/nodes/"), strings.HasPrefix(p, "/secrets/"), strings.HasPrefix(p, "/configs/"):
		return refuse("%s : hors des labs par script (plugins et Swarm changent tout le moteur)",
			"%s: outside the script labs (plugins and Swarm change the whole engine)", p)
	case p == "/build":
		if m := u.Query().Get("networkmode"); m != "" && m != "default" && m != "bridge" && m != "none" {
			return refuse("docker build --network %s : interdit (`bridge` ou `none` seulement)", "docker build --network %s: not allowed (`bridge` or `none` only)", m)
		}
		for _, t := range u.Query()["t"] {
			if why := baseImage(t); why != nil {
				return why
			}
		}
	case p == "/containers/create":
		return g.container(body, obj)
	case execCreate.MatchString(p):
		var e struct{ Privileged bool }
		if err := json.Unmarshal(body, &e); err != nil {
			return unreadable()
		}
		if e.Privileged {
			return refuse("docker exec --privileged : interdit", "docker exec --privileged: not allowed")
		}
	case p == "/volumes/create":
		var v struct {
			Name       string
			Driver     string
			DriverOpts map[string]string
		}
		if err := json.Unmarshal(body, &v); err != nil {
			return unreadable()
		}
		// The engine answers 201 with the existing volume: the name would then count as the
		// script's own.
		if v.Name != "" && !g.mine(obj, "volume", v.Name) {
			return notMine("volume", v.Name)
		}
		if (v.Driver != "" && v.Driver != "local") || len(v.DriverOpts) > 0 {
			return refuse("volume avec pilote ou options (%s) : un volume local simple seulement (les options peuvent monter un chemin de l'hôte)",
				"volume with a driver or options (%s): a plain local volume only (options can mount a host path)", v.Driver)
		}
	case p == "/networks/create":
		var n struct{ Name, Driver string }
		if err := json.Unmarshal(body, &n); err != nil {
			return unreadable()
		}
		// This engine lets a second network take a name: the name would then count as the
		// script's own.
		if n.Name != "" && !g.mine(obj, "network", n.Name) {
			return notMine("network", n.Name)
		}
		if n.Driver != "" && n.Driver != "bridge" {
			return refuse("réseau de pilote %q : seul bridge est permis", "network driver %q: only bridge is allowed", n.Driver)
		}
	case netConnect.MatchString(p), netDisconnect.MatchString(p):
		var c struct{ Container string }
		if err := json.Unmarshal(body, &c); err != nil {
			return unreadable()
		}
		if !g.mine(obj, "container", c.Container) {
			return notMine("container", c.Container)
		}
	}
	return nil
}

// createBody is the part of a container create request the guard reads. Field names match
// the engine's the way encoding/json matches them, as the engine decodes the same body. This
// engine (20.10) still reads host settings at the top level of the body when HostConfig is
// absent (its deprecated ContainerConfigWrapper): both are judged.
type createBody struct {
	HostConfig *hostConfig
	hostConfig
	NetworkingConfig struct {
		EndpointsConfig map[string]json.RawMessage
	}
}

type hostConfig struct {
	Privileged                                                       bool
	NetworkMode, PidMode, IpcMode, UTSMode, UsernsMode, CgroupnsMode string
	Devices, DeviceRequests                                          []json.RawMessage
	DeviceCgroupRules, CapAdd, SecurityOpt, Binds, VolumesFrom       []string
	Mounts                                                           []struct {
		Type, Source  string
		VolumeOptions *struct {
			DriverConfig *struct {
				Name    string
				Options map[string]string
			}
		}
	}
	CgroupParent, Runtime string
	OomKillDisable        *bool
	OomScoreAdj           int
	// --security-opt systempaths=unconfined sends these empty: /proc/sys writable.
	MaskedPaths, ReadonlyPaths *[]string
	Links                      []string
}

// target refuses a change to an object that is not the run's (see Guard.Labels), a prune
// that is not limited to the lab's label, and the removal of the grader's base images.
func (g Guard) target(method, p string, u *url.URL, obj objects) *Refusal {
	if m := pruneOp.FindStringSubmatch(p); m != nil && method == "POST" {
		var filters map[string]map[string]bool
		_ = json.Unmarshal([]byte(u.Query().Get("filters")), &filters)
		for _, l := range g.Labels {
			if filters["label"][l] {
				return nil
			}
		}
		return refuse("prune sans filtre label=%s : il effacerait aussi ce qui n'est pas au lab (ajoutez --filter label=%s)",
			"prune without a label=%s filter: it would also remove what is not the lab's (add --filter label=%s)", first(g.Labels), first(g.Labels))
	}
	if m := imageOp.FindStringSubmatch(p); m != nil {
		ref, _ := url.PathUnescape(m[1])
		switch {
		case method == "DELETE":
			if why := baseImage(ref); why != nil {
				return why
			}
			// By ID or another name: the image's tags decide.
			for _, tag := range obj.imageTags(ref) {
				if why := baseImage(tag); why != nil {
					return why
				}
			}
		case strings.HasSuffix(ref, "/tag"):
			if why := baseImage(u.Query().Get("repo")); why != nil {
				return why
			}
		}
		return nil
	}
	var kind, ref string
	switch {
	case containerOp.MatchString(p):
		kind, ref = "container", containerOp.FindStringSubmatch(p)[1]
	case volumeOp.MatchString(p) && method == "DELETE":
		kind, ref = "volume", volumeOp.FindStringSubmatch(p)[1]
	case networkOp.MatchString(p):
		kind, ref = "network", networkOp.FindStringSubmatch(p)[1]
	default:
		return nil
	}
	if ref == "create" || ref == "prune" {
		return nil
	}
	if r, err := url.PathUnescape(ref); err == nil {
		ref = r
	}
	if !g.mine(obj, kind, ref) {
		return notMine(kind, ref)
	}
	// The engine mounts at start, following links then: a folder swapped for a link after the
	// create is judged again here.
	if kind == "container" && method == "POST" && (strings.HasSuffix(p, "/start") || strings.HasSuffix(p, "/restart")) {
		for _, src := range obj.hostPaths(ref) {
			if why := g.hostPath(src); why != nil {
				return why
			}
		}
	}
	return nil
}

// baseImage refuses a reference to the grader's base images (ddlab/…, however written), which
// every grading on the engine runs: replacing or removing one touches other submissions.
func baseImage(ref string) *Refusal {
	r := strings.ToLower(ref)
	for _, prefix := range []string{"docker.io/library/", "docker.io/", "index.docker.io/"} {
		r = strings.TrimPrefix(r, prefix)
	}
	if !strings.HasPrefix(r, "ddlab/") {
		return nil
	}
	return refuse("%s : les images ddlab/… servent à toutes les corrections de ce moteur ; ni les remplacer ni les supprimer",
		"%s: the ddlab/… images serve every grading on this engine; neither replace nor remove them", ref)
}

func first(l []string) string {
	if len(l) == 0 {
		return "ddlab.lab=<lab>"
	}
	return l[0]
}

func (g Guard) container(body []byte, obj objects) *Refusal {
	var c createBody
	if err := json.Unmarshal(body, &c); err != nil {
		return unreadable()
	}
	for nw := range c.NetworkingConfig.EndpointsConfig {
		if why := g.network(nw, obj); why != nil {
			return why
		}
	}
	if why := g.host(c.hostConfig, obj); why != nil {
		return why
	}
	if c.HostConfig != nil {
		return g.host(*c.HostConfig, obj)
	}
	return nil
}

func (g Guard) host(h hostConfig, obj objects) *Refusal {
	if h.Privileged {
		return refuse("--privileged donne au conteneur tous les droits sur l'hôte : interdit",
			"--privileged gives the container every right on the host: not allowed")
	}
	for _, ns := range []struct{ flag, mode string }{{"--pid", h.PidMode}, {"--ipc", h.IpcMode}, {"--uts", h.UTSMode},
		{"--userns", h.UsernsMode}, {"--cgroupns", h.CgroupnsMode}} {
		if ns.mode == "host" {
			return refuse("%s=host partage un espace de noms de l'hôte : interdit", "%s=host shares a namespace of the host: not allowed", ns.flag)
		}
		if ref, ok := strings.CutPrefix(ns.mode, "container:"); ok && !g.mine(obj, "container", ref) {
			return notMine("container", ref)
		}
	}
	if why := g.network(h.NetworkMode, obj); why != nil {
		return why
	}
	if h.MaskedPaths != nil && len(*h.MaskedPaths) == 0 || h.ReadonlyPaths != nil && len(*h.ReadonlyPaths) == 0 {
		return refuse("--security-opt systempaths=unconfined rend /proc/sys modifiable : interdit", "--security-opt systempaths=unconfined makes /proc/sys writable: not allowed")
	}
	for _, l := range h.Links {
		ref, _, _ := strings.Cut(l, ":")
		if !g.mine(obj, "container", ref) {
			return notMine("container", ref)
		}
	}
	if len(h.Devices) > 0 || len(h.DeviceRequests) > 0 || len(h.DeviceCgroupRules) > 0 {
		return refuse("--device, --gpus : accès aux périphériques de l'hôte, interdit", "--device, --gpus: access to the host's devices, not allowed")
	}
	for _, cap := range h.CapAdd {
		if !taught(g.CapAdd, cap) {
			return refuse("--cap-add %s : capacité que ce lab n'enseigne pas, interdite", "--cap-add %s: a capability this lab does not teach, not allowed", cap)
		}
	}
	for _, o := range h.SecurityOpt {
		if o != "no-new-privileges" && o != "no-new-privileges:true" && o != "no-new-privileges=true" {
			return refuse("--security-opt %s : seul no-new-privileges est permis", "--security-opt %s: only no-new-privileges is allowed", firstLine(o))
		}
	}
	for _, b := range h.Binds {
		src, _, _ := strings.Cut(b, ":")
		if strings.HasPrefix(src, "/") {
			if why := g.hostPath(src); why != nil {
				return why
			}
		} else if !g.mine(obj, "volume", src) {
			return notMine("volume", src)
		}
	}
	for _, m := range h.Mounts {
		switch {
		case m.Type == "bind" || m.Type == "npipe":
			if why := g.hostPath(m.Source); why != nil {
				return why
			}
		case m.Type == "volume" && m.Source != "" && !g.mine(obj, "volume", m.Source):
			return notMine("volume", m.Source)
		case m.VolumeOptions != nil && m.VolumeOptions.DriverConfig != nil &&
			(len(m.VolumeOptions.DriverConfig.Options) > 0 || m.VolumeOptions.DriverConfig.Name != "" && m.VolumeOptions.DriverConfig.Name != "local"):
			return refuse("--mount avec volume-driver ou volume-opt : un volume local simple seulement (les options peuvent monter un chemin de l'hôte)",
				"--mount with volume-driver or volume-opt: a plain local volume only (options can mount a host path)")
		}
	}
	for _, v := range h.VolumesFrom {
		ref, _, _ := strings.Cut(v, ":")
		if !g.mine(obj, "container", ref) {
			return notMine("container", ref)
		}
	}
	switch {
	case h.CgroupParent != "":
		return refuse("--cgroup-parent place le conteneur hors des limites du correcteur : interdit", "--cgroup-parent puts the container outside the grader's limits: not allowed")
	case h.Runtime != "" && h.Runtime != "runc":
		return refuse("--runtime %s : seul le runtime par défaut est permis", "--runtime %s: only the default runtime is allowed", h.Runtime)
	case h.OomKillDisable != nil && *h.OomKillDisable:
		return refuse("--oom-kill-disable peut geler l'hôte : interdit", "--oom-kill-disable can freeze the host: not allowed")
	case h.OomScoreAdj < 0:
		return refuse("--oom-score-adj négatif : l'hôte tuerait d'autres processus avant celui-ci ; interdit",
			"negative --oom-score-adj: the host would kill other processes first; not allowed")
	}
	return nil
}

// network judges a network a container joins: the engine's defaults, or one of the run's.
func (g Guard) network(mode string, obj objects) *Refusal {
	switch mode {
	case "", "default", "bridge", "none":
		return nil
	case "host":
		return refuse("--network host partage le réseau de l'hôte : interdit", "--network host shares the host's network: not allowed")
	}
	if ref, ok := strings.CutPrefix(mode, "container:"); ok {
		if g.mine(obj, "container", ref) {
			return nil
		}
		return notMine("container", ref)
	}
	if g.mine(obj, "network", mode) {
		return nil
	}
	return notMine("network", mode)
}

// hostPath refuses a bind source outside Dir, symbolic links resolved, and special files:
// the engine follows links on the host, so a link in the lab folder must not lead out of it.
func (g Guard) hostPath(src string) *Refusal {
	no := refuse("montage de %s : seul le dossier du lab (%s) peut être monté, jamais le socket Docker ni un autre chemin de l'hôte",
		"bind mount of %s: only the lab folder (%s) can be mounted, never the Docker socket nor another host path", src, g.Dir)
	if g.Dir == "" || !filepath.IsAbs(src) || slices.Contains(strings.Split(src, "/"), "..") {
		// `..` is resolved by the engine lexically, after a link the guard would follow.
		return no
	}
	dir, err := filepath.EvalSymlinks(g.Dir)
	if err != nil {
		return no
	}
	resolved, err := filepath.EvalSymlinks(src)
	if err != nil {
		// Missing: the engine would create it, in place, as an empty folder; its parent
		// decides.
		parent := filepath.Dir(filepath.Clean(src))
		if parent == filepath.Clean(src) {
			return no
		}
		if why := g.hostPath(parent); why != nil {
			return no
		}
		return nil
	}
	if !within(dir, resolved) {
		return no
	}
	if st, err := os.Stat(resolved); err != nil || !st.Mode().IsRegular() && !st.IsDir() {
		return refuse("montage de %s : fichier spécial (socket, périphérique), interdit", "bind mount of %s: a special file (socket, device), not allowed", src)
	}
	return nil
}

func within(dir, p string) bool {
	r, err := filepath.Rel(dir, p)
	return err == nil && r != ".." && !strings.HasPrefix(r, "../") && !filepath.IsAbs(r)
}

func taught(list []string, c string) bool {
	c = strings.TrimPrefix(strings.ToUpper(c), "CAP_")
	for _, a := range list {
		if strings.TrimPrefix(strings.ToUpper(a), "CAP_") == c {
			return true
		}
	}
	return false
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

func unreadable() *Refusal {
	return refuse("requête illisible (JSON invalide) : refusée", "unreadable request (invalid JSON): refused")
}

func refuse(fr, en string, args ...any) *Refusal {
	return &Refusal{FR: fmt.Sprintf(fr, args...), EN: fmt.Sprintf(en, args...)}
}
