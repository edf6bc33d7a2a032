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
	g := Guard{Dir: dir, CapAdd: []string{"NET_BIND_SERVICE"}}
	own := func(kind, ref string) bool {
		return kind == "container" && ref == "lab7-web" || kind == "network" && (ref == "lab7-front" || ref == "0123456789ab")
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
		{"a GET is never judged", "GET", "/plugins/x/json", ``, false},

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
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := url.Parse(tt.path)
			require.NoError(t, err)
			got := g.judge(tt.method, u, []byte(tt.body), own)
			if !tt.refused {
				assert.Nil(t, got)
				return
			}
			require.NotNil(t, got)
			assert.NotEmpty(t, got.FR)
			assert.NotEmpty(t, got.EN)
		})
	}
}

// TestGuardNoFolder: with no lab folder, no bind at all.
func TestGuardNoFolder(t *testing.T) {
	u, _ := url.Parse("/containers/create")
	assert.NotNil(t, Guard{}.judge("POST", u, []byte(`{"HostConfig":{"Binds":["/tmp:/x"]}}`), func(string, string) bool { return false }))
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
		_ = g.judge("POST", u, []byte(body), func(string, string) bool { return false })
	})
}
