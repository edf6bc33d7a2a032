package compose

import (
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestPrepareLabelsAndPull(t *testing.T) {
	l, _ := policyProject(t, `services:
  web:
    image: ddlab/webapp:1
    pull_policy: always
    labels: {fr.cours.role: entree, ddlab.run: "forged"}
    networks: [front]
  db:
    image: ddlab/kv:1
    volumes: [data:/data]
networks:
  front:
    labels: [fr.cours.net=front]
volumes:
  data:
    labels: {fr.cours.vol: data}
`, nil)
	p := l.Project
	run := map[string]string{"ddlab.run": "r-42", "ddlab.lab": "lab8"}
	Prepare(p, run, Limits{})

	web := p.Services["web"]
	assert.Equal(t, types.Labels{"fr.cours.role": "entree", "ddlab.run": "r-42", "ddlab.lab": "lab8"}, web.Labels,
		"the student's labels stay, the run's win")
	assert.Equal(t, types.Labels{"ddlab.run": "r-42", "ddlab.lab": "lab8"}, p.Services["db"].Labels)
	for _, s := range p.Services {
		assert.Equal(t, types.PullPolicyNever, s.PullPolicy, s.Name)
	}
	assert.Equal(t, "front", p.Networks["front"].Labels["fr.cours.net"])
	for n, nw := range p.Networks {
		assert.Equal(t, "r-42", nw.Labels["ddlab.run"], "network %s", n)
	}
	assert.Contains(t, p.Networks, "default", "db's implicit default network is labelled too")
	assert.Equal(t, types.Labels{"fr.cours.vol": "data", "ddlab.run": "r-42", "ddlab.lab": "lab8"}, p.Volumes["data"].Labels)

	run["ddlab.run"] = "changed"
	assert.Equal(t, "r-42", p.Services["web"].Labels["ddlab.run"], "Prepare copies the labels it is given")
}

func TestPrepareLimits(t *testing.T) {
	lim := Limits{Memory: 256 << 20, Pids: 256, CPUs: 1}
	type want struct {
		mem, deployMem   int64
		pids, deployPids int64
		cpus, deployCPUs float32
	}
	tests := []struct {
		name string
		keys string // the service's keys, indented by 4
		want want
	}{
		{"none: the defaults", "", want{mem: 256 << 20, pids: 256, cpus: 1}},
		{"higher: the ceiling", "mem_limit: 2g\n    pids_limit: 100000\n    cpus: 4", want{mem: 256 << 20, pids: 256, cpus: 1}},
		{"lower: kept", "mem_limit: 64m\n    pids_limit: 64\n    cpus: 0.25", want{mem: 64 << 20, pids: 64, cpus: 0.25}},
		{"unlimited pids (-1): the ceiling", "pids_limit: -1", want{mem: 256 << 20, pids: 256, cpus: 1}},
		{
			"deploy limits lower: honoured, no service key added",
			"deploy:\n      resources:\n        limits: {memory: 32M, pids: 50, cpus: '0.5'}",
			want{deployMem: 32 << 20, deployPids: 50, deployCPUs: 0.5},
		},
		{
			"deploy limits higher: both capped",
			"deploy:\n      resources:\n        limits: {memory: 4G, pids: 10000, cpus: '8'}",
			want{mem: 256 << 20, deployMem: 256 << 20, pids: 256, deployPids: 256, cpus: 1, deployCPUs: 1},
		},
		{
			"deploy with reservations only: the defaults",
			"deploy:\n      resources:\n        reservations: {memory: 16M}",
			want{mem: 256 << 20, pids: 256, cpus: 1},
		},
		{
			"the same limit in both places, higher: both capped",
			"mem_limit: 1g\n    cpus: 2\n    deploy:\n      resources:\n        limits: {memory: 1G, cpus: '2'}",
			want{mem: 256 << 20, deployMem: 256 << 20, pids: 256, deployPids: 256, cpus: 1, deployCPUs: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l, _ := policyProject(t, svc(tc.keys), nil)
			Prepare(l.Project, nil, lim)
			s := l.Project.Services["s"]
			var got want
			got.mem, got.pids, got.cpus = int64(s.MemLimit), s.PidsLimit, s.CPUS
			if s.Deploy != nil && s.Deploy.Resources.Limits != nil {
				r := s.Deploy.Resources.Limits
				got.deployMem, got.deployPids, got.deployCPUs = int64(r.MemoryBytes), r.Pids, float32(r.NanoCPUs)
			}
			assert.Equal(t, tc.want, got)
			assert.LessOrEqual(t, effective(s).mem, lim.Memory, "what Compose applies stays under the ceiling")
			assert.LessOrEqual(t, effective(s).pids, lim.Pids)
			assert.LessOrEqual(t, effective(s).cpus, lim.CPUs)
		})
	}

	t.Run("no limits: nothing set", func(t *testing.T) {
		l, _ := policyProject(t, svc("mem_limit: 2g"), nil)
		Prepare(l.Project, nil, Limits{})
		s := l.Project.Services["s"]
		assert.Equal(t, types.UnitBytes(2<<30), s.MemLimit)
		assert.Zero(t, s.PidsLimit)
		assert.Zero(t, s.CPUS)
	})
}

type applied struct {
	mem, pids int64
	cpus      float32
}

// effective is what Compose's getDeployResources makes of a service: deploy.resources.limits
// override the service's own keys when set.
func effective(s types.ServiceConfig) applied {
	a := applied{int64(s.MemLimit), s.PidsLimit, s.CPUS}
	if s.Deploy != nil && s.Deploy.Resources.Limits != nil {
		r := s.Deploy.Resources.Limits
		if r.MemoryBytes != 0 {
			a.mem = int64(r.MemoryBytes)
		}
		if r.NanoCPUs != 0 {
			a.cpus = float32(r.NanoCPUs)
		}
		if r.Pids > 0 {
			a.pids = r.Pids
		}
	}
	return a
}

func TestPrepareEveryService(t *testing.T) {
	l, _ := policyProject(t, "services:\n  a: {image: ddlab/busybox:1}\n  b: {image: ddlab/busybox:1, mem_limit: 1g}\n  c: {image: ddlab/busybox:1, profiles: [x]}\n", nil)
	Prepare(l.Project, map[string]string{"k": "v"}, Limits{Memory: 128 << 20})
	require.Len(t, l.Project.Services, 2, "a disabled service is not run, so not prepared")
	for n, s := range l.Project.Services {
		assert.Equal(t, types.UnitBytes(128<<20), s.MemLimit, n)
		assert.Equal(t, "v", s.Labels["k"], n)
	}
}

// TestPrepareBindsReadOnlyAndSwap: a bind mount of the submission is always read-only (a root
// container must not rewrite the copy later checks load), and swap never exceeds memory.
func TestPrepareBindsReadOnlyAndSwap(t *testing.T) {
	p := &types.Project{Name: "run", Services: types.Services{"s": {Name: "s", MemSwapLimit: -1, Volumes: []types.ServiceVolumeConfig{
		{Type: types.VolumeTypeBind, Source: "/copy/static", Target: "/app/static"},
		{Type: types.VolumeTypeVolume, Source: "data", Target: "/data"},
	}}}}
	Prepare(p, nil, Limits{Memory: 64 << 20})
	s := p.Services["s"]
	assert.True(t, s.Volumes[0].ReadOnly)
	assert.False(t, s.Volumes[1].ReadOnly, "volumes stay writable")
	assert.Equal(t, types.UnitBytes(64<<20), s.MemSwapLimit)
}
