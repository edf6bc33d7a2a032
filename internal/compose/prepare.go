package compose

import (
	"github.com/compose-spec/compose-go/v2/types"
)

// Limits bound every service of a student's project on the grading host.
type Limits struct {
	Memory int64 // bytes: the default when a service sets none, and the ceiling otherwise
	Pids   int64
	CPUs   float32
}

// Prepare makes a loaded, policy-checked project safe and traceable to run: the run's labels
// on every container, network and volume (so the run's sweep finds what Compose leaves), the
// limits (swap included), never a pull (a missing image is a clear failure, not a download),
// and bind mounts read-only: a container running as root must not rewrite the grader's copy
// of the submission, which later checks load again.
func Prepare(p *types.Project, labels map[string]string, lim Limits) {
	for name, s := range p.Services {
		s.Labels = withLabels(s.Labels, labels)
		s.PullPolicy = types.PullPolicyNever
		mem := int64(s.MemLimit)
		if s.Deploy != nil && s.Deploy.Resources.Limits != nil && int64(s.Deploy.Resources.Limits.MemoryBytes) > 0 {
			mem = int64(s.Deploy.Resources.Limits.MemoryBytes)
		}
		if lim.Memory > 0 && (mem <= 0 || mem > lim.Memory) {
			s.MemLimit = types.UnitBytes(lim.Memory)
			if s.Deploy != nil && s.Deploy.Resources.Limits != nil {
				s.Deploy.Resources.Limits.MemoryBytes = types.UnitBytes(lim.Memory)
			}
		}
		pids := s.PidsLimit
		if s.Deploy != nil && s.Deploy.Resources.Limits != nil && s.Deploy.Resources.Limits.Pids > 0 {
			pids = s.Deploy.Resources.Limits.Pids
		}
		if lim.Pids > 0 && (pids <= 0 || pids > lim.Pids) {
			s.PidsLimit = lim.Pids
			if s.Deploy != nil && s.Deploy.Resources.Limits != nil {
				s.Deploy.Resources.Limits.Pids = lim.Pids
			}
		}
		// Compose lets deploy.resources.limits win over the service's own keys, so the
		// ceiling applies to both.
		cpus := s.CPUS
		if s.Deploy != nil && s.Deploy.Resources.Limits != nil && s.Deploy.Resources.Limits.NanoCPUs > 0 {
			cpus = float32(s.Deploy.Resources.Limits.NanoCPUs)
		}
		if lim.CPUs > 0 && (cpus <= 0 || cpus > lim.CPUs) {
			s.CPUS = lim.CPUs
			if s.Deploy != nil && s.Deploy.Resources.Limits != nil {
				s.Deploy.Resources.Limits.NanoCPUs = types.NanoCPUs(lim.CPUs)
			}
		}
		if s.MemLimit > 0 && (s.MemSwapLimit <= 0 || s.MemSwapLimit > s.MemLimit) {
			s.MemSwapLimit = s.MemLimit
		}
		vols := make([]types.ServiceVolumeConfig, len(s.Volumes))
		for i, v := range s.Volumes {
			if v.Type == types.VolumeTypeBind {
				v.ReadOnly = true
			}
			vols[i] = v
		}
		s.Volumes = vols
		p.Services[name] = s
	}
	for name, n := range p.Networks {
		n.Labels = withLabels(n.Labels, labels)
		p.Networks[name] = n
	}
	for name, v := range p.Volumes {
		v.Labels = withLabels(v.Labels, labels)
		p.Volumes[name] = v
	}
}

func withLabels(l types.Labels, add map[string]string) types.Labels {
	out := types.Labels{}
	for k, v := range l {
		out[k] = v
	}
	for k, v := range add {
		out[k] = v
	}
	return out
}
