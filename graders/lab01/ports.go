package lab01

import (
	"net"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// judgePorts: the container port is published exactly once, on 127.0.0.1:hostPort
// (NetworkSettings.Ports["8080/tcp"] == [{127.0.0.1, 8081}]).
func judgePorts(ports []engine.PortBinding, containerPort, hostPort string) check.Outcome {
	want := check.T("127.0.0.1:%s → %s (seulement)", "127.0.0.1:%s → %s (only)", hostPort, containerPort)
	var got []string
	wide := false
	for _, p := range ports {
		if p.ContainerPort != containerPort {
			continue
		}
		got = append(got, net.JoinHostPort(p.HostIP, p.HostPort))
		if p.HostIP == "" || net.ParseIP(p.HostIP).IsUnspecified() {
			wide = true
		}
	}
	seen := strings.Join(got, ", ")
	switch {
	case len(got) == 0:
		return check.Failf("Le port %s de %s n'est pas publié.", "Port %s of %s is not published.", containerPort, webName).
			WithT(want, check.Lit("non publié", "not published"))
	case wide:
		return check.Failf("Le port %s est publié sur toutes les interfaces (%s) : toute machine du réseau peut l'atteindre.",
			"Port %s is published on every interface (%s): any machine on the network can reach it.", containerPort, seen).
			WithT(want, check.Same(seen))
	case len(got) > 1 || got[0] != net.JoinHostPort("127.0.0.1", hostPort):
		return check.Failf("Le port %s est publié sur %s.", "Port %s is published on %s.", containerPort, seen).
			WithT(want, check.Same(seen))
	}
	return check.Passf("Le port %s est publié sur %s seulement.", "Port %s is published on %s only.", containerPort, seen)
}
