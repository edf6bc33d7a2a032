package lab07

import (
	"context"

	"github.com/ddlab/grade/internal/probe"
)

type probeResult = probe.Result

// probe runs labprobe commands at place (a container's namespace or a network).
func (s *state) probe(ctx context.Context, place string, cmds ...[]string) ([]probeResult, error) {
	s.probes++
	return probe.Lab(ctx, s.run, s.param("probe-image"), place, s.probeTimeout, cmds...)
}

func (s *state) dnsCmd(name string) []string { return probe.DNS(name, s.probeTimeout) }

func (s *state) tcpCmd(addr string) []string { return probe.TCP(addr, s.probeTimeout) }

func (s *state) httpCmd(url string, retries int) []string {
	return probe.HTTP(url, s.probeTimeout, retries)
}
