package apiproxy

import (
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestGuard judges the requests a script can send: what the labs' reference scripts send
// passes, and each way around the Compose policy through the raw API is refused.
func TestGuard(t *testing.T) {
	dir := t.TempDir()
	require.NoError(t, os.Mkdir(filepath.Join(dir, "config"), 0o755))
	require.NoError(t, os.Symlink("/etc", filepath.Join(dir, "etc-link")))
	require.NoError(t, os.Symlink("config", filepath.Join(dir, "inner-link")))
	outside := t.TempDir()
	g := Guard{Dir: dir, CapAdd: []string{"NET_BIND_SERVICE"}, Names: []string{"lab6-data", "lab7-back"}, Labels: []string{"ddlab.lab=lab7", "ddlab.run=r1"}}
	own := fakeObjects{
		owned: map[string]bool{"container/lab7-web": true, "network/lab7-front": true, "network/0123456789ab": true,
			"container/swapped": true, "container/fine": true, "exec/e-own": true},
		tags:  map[string][]string{"sha256:0abc": {"ddlab/busybox:1"}, "sha256:0def": {"lab3/site:build"}},
		binds: map[string][]string{"swapped": {dir + "/etc-link"}, "fine": {dir + "/config"}},
		labelled: map[string]map[string]string{
			"container/grader-extra":   {"ddlab.lab": "lab7"},
			"container/grade-probe":    {"ddlab.run": "someone-else"},
			"container/lab8-x-db-1":    {"ddlab.lab": "lab8"},
			"volume/lab8-x_data":       {"ddlab.lab": "lab8"},
			"volume/victimvol":         {},
			"network/victimnet":        {},
			"network/lab8_abc_default": {"com.docker.compose.project": "lab8_abc"},
			"network/lab8_abc_back":    {},
			"network/0123":             {},
		},
	}
	tests := []struct {
		name, method, path, body string
		refused                  bool
	}{
		// What the reference scripts do.
		{"plain run", "POST", "/v1.41/containers/create?name=lab4-app", `{"Image":"ddlab/webapp:1","HostConfig":{"Memory":67108864,"PidsLimit":64,"RestartPolicy":{"Name":"on-failure"}}}`, false},
		{"named volume and bind of the lab folder", "POST", "/v1.41/containers/create", `{"HostConfig":{"Binds":["lab6-data:/data:ro"],"Mounts":[{"Type":"volume","Source":"lab6-data","Target":"/data"},{"Type":"bind","Source":"` + dir + `/config","Target":"/etc/kv","ReadOnly":true}]}}`, false},
		{"a bind the engine will create inside the folder", "POST", "/containers/create", `{"HostConfig":{"Binds":["` + dir + `/new/deeper:/x"]}}`, false},
		{"a link that stays inside", "POST", "/containers/create", `{"HostConfig":{"Binds":["` + dir + `/inner-link:/x"]}}`, false},
		{"own network and namespace", "POST", "/containers/create", `{"HostConfig":{"NetworkMode":"lab7-front","PidMode":"container:lab7-web"},"NetworkingConfig":{"EndpointsConfig":{"lab7-front":{}}}}`, false},
		{"own network by ID prefix", "POST", "/containers/create", `{"HostConfig":{"NetworkMode":"0123456789ab"}}`, false},
		{"taught capability", "POST", "/containers/create", `{"HostConfig":{"CapAdd":["CAP_NET_BIND_SERVICE"],"CapDrop":["ALL"],"SecurityOpt":["no-new-privileges:true"]}}`, false},
		{"plain volume", "POST", "/v1.41/volumes/create", `{"Name":"lab6-data","Labels":{"ddlab.lab":"lab6"}}`, false},
		{"internal bridge network", "POST", "/networks/create", `{"Name":"lab7-back","Internal":true,"Driver":"bridge"}`, false},
		{"connect own to own", "POST", "/networks/lab7-front/connect", `{"Container":"lab7-web"}`, false},
		{"plain exec", "POST", "/containers/lab7-web/exec", `{"Cmd":["id"]}`, false},
		{"a build", "POST", "/v1.41/build?t=x", ``, false},
		{"a GET is not judged", "GET", "/plugins/x/json", ``, false},
		{"reading an own container's files", "GET", "/containers/lab7-web/archive?path=/etc", ``, false},
		{"remove what the contract names", "DELETE", "/v1.41/volumes/lab6-data", ``, false},
		{"remove the grader's labelled extra container", "DELETE", "/v1.41/containers/grader-extra?force=1", ``, false},
		{"stop an own container", "POST", "/v1.41/containers/lab7-web/stop", ``, false},
		{"something the engine does not know: it answers itself", "DELETE", "/containers/nothing-here", ``, false},
		{"prune limited to the lab's label", "POST", "/v1.41/images/prune?filters=" + url.QueryEscape(`{"label":{"ddlab.lab=lab7":true}}`), ``, false},
		{"remove a student image", "DELETE", "/v1.41/images/lab3%2Fsite:build", ``, false},
		{"the contract's network", "POST", "/containers/create", `{"HostConfig":{"NetworkMode":"lab7-back"}}`, false},
		{"start a container whose binds stay inside", "POST", "/v1.41/containers/fine/start", ``, false},
		{"remove a student image by ID", "DELETE", "/v1.41/images/sha256:0def", ``, false},
		{"tag a student image", "POST", "/v1.41/images/lab3-site/tag?repo=lab3/site&tag=v2", ``, false},
		{"start an own exec", "POST", "/v1.41/exec/e-own/start", `{}`, false},
		{"a classic build", "POST", "/v1.41/build?t=lab3/site:build&networkmode=default", ``, false},
		{"a new volume", "POST", "/volumes/create", `{"Name":"brand-new"}`, false},

		// Shortcuts to the host.
		{"privileged", "POST", "/containers/create", `{"HostConfig":{"Privileged":true}}`, true},
		{"privileged, lower case keys", "POST", "/containers/create", `{"hostconfig":{"privileged":true}}`, true},
		{"host pid", "POST", "/containers/create", `{"HostConfig":{"PidMode":"host"}}`, true},
		{"host network", "POST", "/containers/create", `{"HostConfig":{"NetworkMode":"host"}}`, true},
		{"host userns", "POST", "/containers/create", `{"HostConfig":{"UsernsMode":"host"}}`, true},
		{"another project's network", "POST", "/containers/create", `{"HostConfig":{"NetworkMode":"lab8_abc_default"}}`, true},
		{"another project's network as an endpoint", "POST", "/containers/create", `{"NetworkingConfig":{"EndpointsConfig":{"lab8_abc_back":{}}}}`, true},
		{"short ID prefix is not enough", "POST", "/containers/create", `{"HostConfig":{"NetworkMode":"0123"}}`, true},
		{"another container's namespace", "POST", "/containers/create", `{"HostConfig":{"IpcMode":"container:grade-probe"}}`, true},
		{"root bind", "POST", "/containers/create", `{"HostConfig":{"Binds":["/:/host"]}}`, true},
		{"the engine's socket", "POST", "/containers/create", `{"HostConfig":{"Binds":["/var/run/docker.sock:/var/run/docker.sock"]}}`, true},
		{"a sibling folder", "POST", "/containers/create", `{"HostConfig":{"Mounts":[{"Type":"bind","Source":"` + outside + `","Target":"/x"}]}}`, true},
		{"dot-dot out of the folder", "POST", "/containers/create", `{"HostConfig":{"Binds":["` + dir + `/../` + filepath.Base(outside) + `:/x"]}}`, true},
		{"a link that leads out", "POST", "/containers/create", `{"HostConfig":{"Binds":["` + dir + `/etc-link:/x"]}}`, true},
		{"a volume that is a bind", "POST", "/containers/create", `{"HostConfig":{"Mounts":[{"Type":"volume","Source":"v","VolumeOptions":{"DriverConfig":{"Name":"local","Options":{"type":"none","o":"bind","device":"/"}}}}]}}`, true},
		{"volume create with device", "POST", "/volumes/create", `{"Name":"v","DriverOpts":{"type":"none","o":"bind","device":"/etc"}}`, true},
		{"devices", "POST", "/containers/create", `{"HostConfig":{"Devices":[{"PathOnHost":"/dev/sda"}]}}`, true},
		{"capability not taught", "POST", "/containers/create", `{"HostConfig":{"CapAdd":["SYS_ADMIN"]}}`, true},
		{"seccomp off", "POST", "/containers/create", `{"HostConfig":{"SecurityOpt":["seccomp=unconfined"]}}`, true},
		{"cgroup parent", "POST", "/containers/create", `{"HostConfig":{"CgroupParent":"/"}}`, true},
		{"volumes of a stranger", "POST", "/containers/create", `{"HostConfig":{"VolumesFrom":["grade-probe:ro"]}}`, true},
		{"privileged exec", "POST", "/v1.41/containers/lab7-web/exec", `{"Cmd":["sh"],"Privileged":true}`, true},
		{"macvlan", "POST", "/networks/create", `{"Name":"n","Driver":"macvlan","Options":{"parent":"eth0"}}`, true},
		{"connect to a stranger's network", "POST", "/networks/lab8_abc_default/connect", `{"Container":"lab7-web"}`, true},
		{"plugin install", "POST", "/v1.41/plugins/pull?remote=x", `[]`, true},
		{"swarm init", "POST", "/swarm/init", `{}`, true},
		{"host network build", "POST", "/build?networkmode=host", ``, true},
		{"not JSON", "POST", "/containers/create", `{"HostConfig":`, true},

		// Another submission's objects on a shared engine.
		{"exec into another project's container", "POST", "/v1.41/containers/lab8-x-db-1/exec", `{"Cmd":["sh"]}`, true},
		{"remove another run's probe", "DELETE", "/v1.41/containers/grade-probe?force=1", ``, true},
		{"copy into another project's container", "PUT", "/v1.41/containers/lab8-x-db-1/archive?path=/", ``, true},
		{"mount another project's volume", "POST", "/containers/create", `{"HostConfig":{"Binds":["lab8-x_data:/steal"]}}`, true},
		{"mount another project's volume with --mount", "POST", "/containers/create", `{"HostConfig":{"Mounts":[{"Type":"volume","Source":"lab8-x_data","Target":"/steal"}]}}`, true},
		{"remove another project's volume", "DELETE", "/volumes/lab8-x_data", ``, true},
		{"remove another project's network", "DELETE", "/networks/lab8_abc_default", ``, true},
		{"disconnect from another project's network", "POST", "/networks/lab8_abc_default/disconnect", `{"Container":"lab7-web"}`, true},
		{"connect a stranger to an own network", "POST", "/networks/lab7-front/connect", `{"Container":"lab8-x-db-1"}`, true},
		{"prune everything", "POST", "/v1.41/volumes/prune", ``, true},
		{"prune with another label", "POST", "/containers/prune?filters=" + url.QueryEscape(`{"label":{"ddlab.lab=lab8":true}}`), ``, true},
		{"remove a base image", "DELETE", "/v1.41/images/ddlab%2Fwebapp:1?force=1", ``, true},

		// Found in review.
		{"a three-part API version", "POST", "/v1.41.0/containers/create", `{"HostConfig":{"Privileged":true}}`, true},
		{"host settings at the top level of the body", "POST", "/v1.41/containers/create", `{"Image":"alpine","Privileged":true}`, true},
		{"a top-level bind beside an innocent HostConfig", "POST", "/containers/create", `{"Binds":["/:/h"],"HostConfig":{}}`, true},
		{"dot-dot after a link that stays inside", "POST", "/containers/create", `{"HostConfig":{"Binds":["` + dir + `/inner-link/../..:/h"]}}`, true},
		{"a folder swapped for a link before start", "POST", "/v1.41/containers/swapped/start", ``, true},
		{"a base image by another name", "DELETE", "/images/docker.io%2Fddlab%2Fbusybox:1", ``, true},
		{"a base image by ID", "DELETE", "/images/sha256:0abc?force=1", ``, true},
		{"a tag over a base image", "POST", "/images/evil/tag?repo=ddlab/busybox&tag=1", ``, true},
		{"a build tagged as a base image", "POST", "/build?t=ddlab/probe:1", ``, true},
		{"a commit of a stranger", "POST", "/commit?container=lab8-x-db-1&repo=loot", ``, true},
		{"a commit over a base image", "POST", "/commit?container=lab7-web&repo=ddlab/webapp&tag=1", ``, true},
		{"load an image", "POST", "/images/load", ``, true},
		{"import an image", "POST", "/images/create?fromSrc=-&repo=ddlab/busybox", ``, true},
		{"take over a stranger's volume by name", "POST", "/volumes/create", `{"Name":"victimvol"}`, true},
		{"take over a stranger's network by name", "POST", "/networks/create", `{"Name":"victimnet","CheckDuplicate":false}`, true},
		{"systempaths=unconfined", "POST", "/containers/create", `{"HostConfig":{"MaskedPaths":[],"ReadonlyPaths":[]}}`, true},
		{"a link to a stranger", "POST", "/containers/create", `{"HostConfig":{"Links":["lab8-x-db-1:db"]}}`, true},
		{"a build in a stranger's namespace", "POST", "/build?networkmode=container:lab8-x-db-1", ``, true},
		{"start a stranger's exec", "POST", "/exec/e-victim/start", `{}`, true},
		{"BuildKit's session", "POST", "/session", ``, true},
		{"read a stranger's files", "GET", "/v1.41/containers/lab8-x-db-1/archive?path=/data", ``, true},
		{"export a stranger", "GET", "/containers/lab8-x-db-1/export", ``, true},
		{"a stranger's stdin over a websocket", "GET", "/containers/lab8-x-db-1/attach/ws?stdin=1", ``, true},
		{"disconnect a stranger from an own network", "POST", "/networks/lab7-front/disconnect", `{"Container":"lab8-x-db-1"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.path)
			require.NoError(t, err)
			got := g.judge(tt.method, u, []byte(tt.body), own, false)
			if !tt.refused {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			assert.NotEmpty(t, got.FR)
			assert.NotEmpty(t, got.EN)
			// Each language wholly itself.
			assert.NotRegexp(t, `(?i)\b(le|la|les|des|vos|interdit|seul|n'est|refusée?)\b`, got.EN)
			assert.NotRegexp(t, `(?i)\b(the|not allowed|only|your)\b`, got.FR)
		})
	}
}

// fakeObjects stands for the proxy's records and the engine's labels ("kind/ref").
type fakeObjects struct {
	owned    map[string]bool
	labelled map[string]map[string]string
	tags     map[string][]string
	binds    map[string][]string
}

func (f fakeObjects) owns(kind, ref string) bool { return f.owned[kind+"/"+ref] }

func (f fakeObjects) imageTags(ref string) []string { return f.tags[ref] }

func (f fakeObjects) hostPaths(ref string) []string { return f.binds[ref] }

func (f fakeObjects) labels(kind, ref string) (map[string]string, bool) {
	l, ok := f.labelled[kind+"/"+ref]
	return l, ok
}

// TestGuardNoFolder: with no lab folder, no bind at all.
func TestGuardNoFolder(t *testing.T) {
	u, _ := url.Parse("/containers/create")
	assert.NotNil(t, Guard{}.judge("POST", u, []byte(`{"HostConfig":{"Binds":["/tmp:/x"]}}`), fakeObjects{}, false))
}

// TestGuardRefusesForms: the engine reads form parameters from the body before the query,
// where the guard reads them; a form-encoded request is refused whatever it asks.
func TestGuardRefusesForms(t *testing.T) {
	u, _ := url.Parse("/volumes/prune?filters=" + url.QueryEscape(`{"label":{"ddlab.lab=lab7":true}}`))
	g := Guard{Labels: []string{"ddlab.lab=lab7"}}
	assert.Nil(t, g.judge("POST", u, nil, fakeObjects{}, false))
	assert.NotNil(t, g.judge("POST", u, []byte("filters={}"), fakeObjects{}, true))
}

// FuzzGuard: whatever a script sends, the guard answers without panicking.
func FuzzGuard(f *testing.F) {
	f.Add("/v1.41/containers/create", `{"HostConfig":{"Binds":["/:/h"],"Mounts":[{"Type":"bind","Source":"/x"}]}}`)
	f.Add("/networks/n/connect", `{"Container":"c"}`)
	f.Add("/volumes/create", `{"DriverOpts":{"o":"bind"}}`)
	g := Guard{Dir: f.TempDir()}
	f.Fuzz(func(t *testing.T, path, body string) {
		u, err := url.Parse(path)
		if err != nil {
			return
		}
		_ = g.judge("POST", u, []byte(body), fakeObjects{}, false)
	})
}

func TestUnversioned(t *testing.T) {
	for in, want := range map[string]string{
		"/v1.41/containers/create": "/containers/create", "/v1.41.0/containers/create": "/containers/create",
		"/containers/create": "/containers/create", "/_ping": "/_ping", "/volumes/v1": "/volumes/v1",
	} {
		assert.Equal(t, want, Unversioned(in), in)
	}
}
