package compose

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// policyProject loads a project from a compose.yaml body, in a folder of its own, as the
// grader does before its policy.
func policyProject(t *testing.T, body string, extra map[string]string) (*Loaded, string) {
	t.Helper()
	files := map[string]string{"compose.yaml": body}
	for k, v := range extra {
		files[k] = v
	}
	dir := writeTree(t, files)
	return mustLoad(t, Source{Dir: dir, Name: "run-pol"}), dir
}

func TestPolicyRefuses(t *testing.T) {
	tests := []struct {
		name string
		yaml string // the whole file
		path string // the one problem's Path
		want string // a substring of its message
	}{
		{"privileged", svc("privileged: true"), "services.s.privileged", "privilégié"},
		{"network_mode host", svc("network_mode: host"), "services.s.network_mode", "network_mode: host"},
		{"network_mode container:", svc("network_mode: container:grader"), "services.s.network_mode", "container:grader"},
		{"pid host", svc("pid: host"), "services.s.pid", "pid: host"},
		{"pid container:", svc("pid: container:x"), "services.s.pid", "espace de noms"},
		{"ipc host", svc("ipc: host"), "services.s.ipc", "ipc: host"},
		{"uts host", svc("uts: host"), "services.s.uts", "uts: host"},
		{"userns_mode host", svc("userns_mode: host"), "services.s.userns_mode", "userns_mode: host"},
		{"cgroup host", svc("cgroup: host"), "services.s.cgroup", "cgroup: host"},
		{"devices", svc("devices: [/dev/kmsg:/dev/kmsg]"), "services.s.devices", "périphériques"},
		{"device_cgroup_rules", svc("device_cgroup_rules: ['c 1:3 mr']"), "services.s.devices", "périphériques"},
		{"gpus", svc("gpus: all"), "services.s.devices", "périphériques"},
		{"deploy devices", svc("deploy:\n      resources:\n        reservations:\n          devices: [{capabilities: [gpu]}]"), "services.s.devices", "périphériques"},
		{"cap_add", svc("cap_add: [SYS_ADMIN]"), "services.s.cap_add", "SYS_ADMIN"},
		{"cap_add not the one allowed", svc("cap_add: [NET_ADMIN]"), "services.s.cap_add", "NET_ADMIN"},
		{"seccomp unconfined", svc("security_opt: [seccomp=unconfined]"), "services.s.security_opt", "seccomp=unconfined"},
		{"apparmor unconfined", svc("security_opt: ['apparmor:unconfined']"), "services.s.security_opt", "seul no-new-privileges"},
		{"runtime", svc("runtime: runc-debug"), "services.s.runtime", "runc-debug"},
		{"oom_kill_disable", svc("oom_kill_disable: true"), "services.s.oom_kill_disable", "OOM"},
		{"volumes_from container:", svc("volumes_from: ['container:grader']"), "services.s.volumes_from", "container:grader"},
		{"provider", "services:\n  s:\n    provider:\n      type: model\n      options: {model: ai/x}\n", "services.s.provider", "provider"},
		{"privileged post_start", svc("post_start:\n      - command: [id]\n        privileged: true"), "services.s.post_start", "post_start et pre_stop"},
		{"docker socket", svc("volumes: [/var/run/docker.sock:/var/run/docker.sock]"), "services.s.volumes[0]", "/var/run/docker.sock"},
		{"bind of the parent folder", svc("volumes: [./data:/data, ../:/up]"), "services.s.volumes[1]", "seuls les fichiers du dossier rendu"},
		{"external_links", svc("external_links: [lab7-db]"), "services.s.external_links", "hors du projet"},
		{"cgroup_parent", svc("cgroup_parent: /"), "services.s.cgroup_parent", "cgroup_parent"},
		{"negative oom_score_adj", svc("oom_score_adj: -500"), "services.s.oom_score_adj", "oom_score_adj négatif"},
		{"use_api_socket", svc("use_api_socket: true"), "services.s.use_api_socket", "socket Docker"},
		{"network_mode bridge", svc("network_mode: bridge"), "services.s.network_mode", "network_mode: bridge"},
		{"network_mode another network", svc("network_mode: lab7-back"), "services.s.network_mode", "lab7-back"},
		{"pre_stop hook", svc("pre_stop:\n      - command: [sleep, infinity]"), "services.s.pre_stop", "pre_stop"},
		{"a container port range with ephemeral host ports, times the replicas", svc("ports: ['8000-8009']\n    deploy: {replicas: 5}"), "services.s.ports", "50 ports publiés"},
		{"one ephemeral port per replica beyond the bound", svc("ports: ['80', '443', '8080', '9090']\n    scale: 5"), "services.s.ports", "20 ports publiés"},
		{"seccomp profile", svc("security_opt: ['seccomp=prof.json']"), "services.s.security_opt", "seccomp=prof.json"},
		{"label disable", svc("security_opt: ['label=disable']"), "services.s.security_opt", "label=disable"},
		{"logging to syslog", svc("logging: {driver: syslog}"), "services.s.logging.driver", "syslog"},
		{"a thousand published ports", svc("ports: ['18000-18999:18000-18999']"), "services.s.ports", "1000 ports publiés"},
		{"remote build context", build("context: https://github.com/x/y.git"), "services.s.build.context", "github.com/x/y"},
		{"long bind outside", svc("volumes:\n      - {type: bind, source: /etc, target: /host-etc, read_only: true}"), "services.s.volumes[0]", "« /etc »"},
		{"home bind", svc("volumes: ['~/.ssh:/ssh']"), "services.s.volumes[0]", ".ssh"},
		{"secret file outside", svc("secrets: [k]") + "secrets:\n  k: {file: /etc/ssl/private/key.pem}\n", "services.s.secrets", "key.pem"},
		{"config file outside", svc("configs: [c]") + "configs:\n  c: {file: ../conf.ini}\n", "services.s.configs", "conf.ini"},
		{"build context outside", build("context: .."), "services.s.build.context", "contexte de build"},
		{"build context URL", build("context: https://github.com/ddlab/x.git#main"), "services.s.build.context", "github.com"},
		{"dockerfile outside", build("context: .\n      dockerfile: ../Dockerfile"), "services.s.build.dockerfile", "../Dockerfile"},
		{"absolute dockerfile outside", build("context: .\n      dockerfile: /etc/Dockerfile"), "services.s.build.dockerfile", "/etc/Dockerfile"},
		{"build network host", build("context: .\n      network: host"), "services.s.build", "réseau de l'hôte"},
		{"build privileged", build("context: .\n      privileged: true"), "services.s.build", "privilèges"},
		{"build entitlements", build("context: .\n      entitlements: [network.host]"), "services.s.build", "privilèges"},
		{"additional_contexts", build("context: .\n      additional_contexts: {src: ./src}"), "services.s.build", "additional_contexts"},
		{"build ssh", build("context: .\n      ssh: [default]"), "services.s.build", "ssh"},
		{"build secrets", build("context: .\n      secrets: [k]") + "secrets:\n  k: {file: ./k.txt}\n", "services.s.build", "secrets de build"},
		{"external network", svc("networks: [n]") + "networks:\n  n: {external: true, name: other_net}\n", "networks.n.external", "externe"},
		{"overlay network", svc("networks: [n]") + "networks:\n  n: {driver: overlay}\n", "networks.n.driver", "« overlay »"},
		{"macvlan network", svc("networks: [n]") + "networks:\n  n: {driver: macvlan}\n", "networks.n.driver", "seul bridge"},
		{"external volume", svc("volumes: [v:/v]") + "volumes:\n  v: {external: true, name: someone_data}\n", "volumes.v.external", "externe"},
		{"volume with a fixed name", svc("volumes: [v:/v]") + "volumes:\n  v: {name: instructor-data}\n", "volumes.v.name", "instructor-data"},
		{"network with a fixed name", svc("networks: [n]") + "networks:\n  n: {name: bridge2}\n", "networks.n.name", "bridge2"},
		{"scale beyond the bound", svc("scale: 50"), "services.s.scale", "50 répliques"},
		{"deploy.replicas beyond the bound", svc("deploy: {replicas: 9}"), "services.s.scale", "9 répliques"},
		{"volume driver", svc("volumes: [v:/v]") + "volumes:\n  v: {driver: nfs}\n", "volumes.v.driver_opts", "nfs"},
		{"volume driver_opts bind", svc("volumes: [v:/v]") + "volumes:\n  v:\n    driver_opts: {type: none, o: bind, device: /etc}\n", "volumes.v.driver_opts", "driver_opts"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, dir := policyProject(t, tc.yaml, nil)
			probs := Policy(l.Project, dir, Allow{CapAdd: []string{"NET_BIND_SERVICE"}})
			require.Len(t, probs, 1, "%v", probs)
			assert.Equal(t, tc.path, probs[0].Path)
			assert.Contains(t, probs[0].Message, tc.want)
			assert.NotContains(t, probs[0].Message, dir+"/", "a path inside is not shown with the grader's folder")
			assertBilingual(t, probs[0], dir+"/", filepath.Dir(dir))
		})
	}
}

func TestPolicyAllows(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		allow Allow
		files map[string]string
	}{
		{"cap_add let through by the lab", svc("cap_add: [NET_BIND_SERVICE, cap_chown]"), Allow{CapAdd: []string{"CAP_NET_BIND_SERVICE", "CHOWN"}}, nil},
		{"network_mode service:", "services:\n  a:\n    image: ddlab/busybox:1\n  s:\n    image: ddlab/busybox:1\n    network_mode: service:a\n", Allow{}, nil},
		{"network_mode none", svc("network_mode: none"), Allow{}, nil},
		{"pid service:", "services:\n  a:\n    image: ddlab/busybox:1\n  s:\n    image: ddlab/busybox:1\n    pid: service:a\n", Allow{}, nil},
		{"bind inside the folder", svc("volumes: [./static:/srv/static:ro, .:/src, {type: bind, source: ./conf/app.ini, target: /etc/app.ini}]"), Allow{},
			map[string]string{"static/index.html": "x", "conf/app.ini": "x"}},
		{"secrets and configs inside", svc("secrets: [k]\n    configs: [c]") + "secrets:\n  k: {file: ./secrets/k.txt}\nconfigs:\n  c: {file: conf.ini}\n", Allow{}, nil},
		{"the keys the labs use", `services:
  s:
    image: ddlab/busybox:1
    cap_drop: [ALL]
    security_opt: [no-new-privileges:true]
    read_only: true
    tmpfs: [/tmp:size=1m]
    volumes: [data:/data]
    networks: [back]
    pids_limit: 64
    mem_limit: 64m
    cpus: 0.5
  b:
    build:
      context: ./api
      dockerfile: Dockerfile.dev
      target: run
      args: {V: "1"}
networks:
  back: {internal: true, driver: bridge}
volumes:
  data: {driver: local}
`, Allow{}, nil},
		{"dockerfile inline", build("context: .\n      dockerfile_inline: \"FROM scratch\\n\""), Allow{}, nil},
		// Docker gives each replica one port of the host range: 5 ports, not 11 × 5.
		{"a host port range shared by the replicas", svc("ports: ['6005-6015:80']\n    deploy: {replicas: 5}"), Allow{}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, dir := policyProject(t, tc.yaml, tc.files)
			assert.Empty(t, Policy(l.Project, dir, tc.allow))
		})
	}
}

// TestPolicyListsEverything: one run tells the student every refused key, services in order.
func TestPolicyListsEverything(t *testing.T) {
	l, dir := policyProject(t, `services:
  b:
    image: ddlab/busybox:1
    privileged: true
    network_mode: host
  a:
    image: ddlab/busybox:1
    cap_add: [SYS_PTRACE]
    volumes: [/:/host]
networks:
  z: {external: true}
volumes:
  y: {driver: nfs}
`, nil)
	var paths []string
	for _, p := range Policy(l.Project, dir, Allow{}) {
		paths = append(paths, p.Path)
	}
	assert.Equal(t, []string{"services.a.cap_add", "services.a.volumes[0]", "services.b.privileged",
		"services.b.network_mode", "networks.z.external", "volumes.y.driver_opts"}, paths)
}

// svc is a file with one service s on ddlab/busybox:1 plus the given keys (indented by 4).
func svc(keys string) string {
	return "services:\n  s:\n    image: ddlab/busybox:1\n    " + keys + "\n"
}

// build is a file with one service s built with the given build keys (indented by 6).
func build(keys string) string {
	return "services:\n  s:\n    build:\n      " + keys + "\n"
}

// TestPolicyResolvesLinks: a link inside the submission that points at the engine's socket is
// the socket, whatever its name.
func TestPolicyResolvesLinks(t *testing.T) {
	l, dir := policyProject(t, svc("volumes: ['./sock:/var/run/docker.sock']"), nil)
	require.NoError(t, os.Symlink("/var/run", filepath.Join(dir, "sock")))
	probs := Policy(l.Project, dir, Allow{})
	require.Len(t, probs, 1)
	assert.Equal(t, "services.s.volumes[0]", probs[0].Path)
	assert.Contains(t, probs[0].Message, "lien symbolique qui sort du dossier rendu")
	assert.Contains(t, probs[0].Message, "« ./sock »", "the path as the student wrote it, not the grader's copy")
	assert.Contains(t, probs[0].EN, `"./sock"`, "the path as the student wrote it, not the grader's copy")
	assertBilingual(t, probs[0], dir, filepath.Dir(dir))
}
