package lab13

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// checkOneProcess: PID 1 of gateway, catalog and orders is the service's binary (exec form,
// no shell, no supervisor), and each has its own image.
func (s *state) checkOneProcess(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	cs, err := s.ServiceContainers(ctx, goServices...)
	if err != nil {
		return check.Outcome{}, err
	}
	obs := oneProcessObs{Containers: cs, Processes: map[string][]engine.Process{}}
	for _, n := range goServices {
		if c, down := composelab.FirstRunning(n, cs[n]); down == nil {
			if obs.Processes[n], err = s.Sess.Run.Engine.Processes(ctx, c.ID); err != nil {
				return check.Outcome{}, err
			}
		}
	}
	return judgeOneProcess(obs), nil
}

// checkInitJob: orders-migrate exited 0 before orders started, and was not restarted.
func (s *state) checkInitJob(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	cs, err := s.ServiceContainers(ctx, migrate, orders)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeInitJob(cs[migrate], cs[orders]), nil
}

// checkDBPerService: from orders, catalog-db neither resolves nor connects, and from catalog
// orders-db; positive controls show each service reaches its own; no volume is mounted by two
// services but the logs volume the sidecar reads.
func (s *state) checkDBPerService(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	t := s.ProbeTimeout
	var obs dbObs
	for _, iso := range isolations {
		res, o, err := s.Through(ctx, s.Sess.Project(), iso.From,
			probe.TCP(iso.Own+":8080", t), probe.DNS(iso.Other, t), probe.TCP(iso.Other+":8080", t))
		if o != nil || err != nil {
			return check.Verdict(o), err
		}
		obs.Probes = append(obs.Probes, res)
		if out, done := judgeDBPerService(obs); done {
			return out, nil
		}
	}
	cs, err := s.ServiceContainers(ctx, s.Sess.Project().ServiceNames()...)
	if err != nil {
		return check.Outcome{}, err
	}
	obs.Mounts = map[string][]engine.Mount{}
	for n, list := range cs {
		for _, c := range list {
			obs.Mounts[n] = append(obs.Mounts[n], c.Mounts...)
		}
	}
	out, _ := judgeDBPerService(obs)
	return out, nil
}

// checkGatewayOnly: only the gateway publishes a port, on 127.0.0.1.
func (s *state) checkGatewayOnly(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	p := s.Sess.Project()
	obs := gatewayObs{Port: fmt.Sprint(s.Port), Services: p.ServiceNames(), Declared: map[string][]types.ServicePortConfig{}}
	for _, n := range obs.Services {
		obs.Declared[n] = p.Services[n].Ports
	}
	cs, err := s.ServiceContainers(ctx, obs.Services...)
	if err != nil {
		return check.Outcome{}, err
	}
	obs.Containers = cs
	return judgeGatewayOnly(obs), nil
}

// checkAmbassador: orders-ambassador shares orders' network namespace and, from it,
// localhost:8080 is orders.
func (s *state) checkAmbassador(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	var obs ambassadorObs
	_, obs.Declared = s.Sess.Project().Services[ambassador]
	if out, done := judgeAmbassador(obs); done {
		return out, nil
	}
	a, o, err := s.Sess.Running(ctx, ambassador)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	ord, o, err := s.Sess.Running(ctx, orders)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	obs.NetworkMode, obs.Shown, obs.OrdersID, obs.OrdersHost = a.NetworkMode, a.NetworkMode, ord.ID, ord.Hostname
	// The engine names the namespace's container by ID; the student wrote its service.
	if id, ok := strings.CutPrefix(a.NetworkMode, "container:"); ok && id != ord.ID {
		if c, err := s.Run.Engine.InspectContainer(ctx, id); err == nil {
			obs.Shown = "service:" + c.Labels["com.docker.compose.service"]
		}
	}
	if out, done := judgeAmbassador(obs); done {
		return out, nil
	}
	res, o, err := s.Through(ctx, s.Sess.Project(), ambassador,
		probe.HTTP("http://localhost:8080/health", s.ProbeTimeout, 2))
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	obs.Health = &res[0]
	out, _ := judgeAmbassador(obs)
	return out, nil
}

// checkSingleDockerfile: one Dockerfile with ARG SERVICE builds gateway, catalog and orders,
// and the second and third builds found the `go mod download` step in the cache.
func (s *state) checkSingleDockerfile(ctx context.Context) (check.Outcome, error) {
	obs := dockerfileObs{Builds: s.Sess.Builds}
	if out, done := judgeSingleDockerfile(obs); done {
		return out, nil
	}
	for f := range dockerfiles(obs.Builds) {
		src, err := os.ReadFile(f)
		if err != nil {
			return check.Outcome{}, err
		}
		obs.File = dockerfile.Analyze(ctx, filepath.Base(f), src)
	}
	out, _ := judgeSingleDockerfile(obs)
	return out, nil
}
