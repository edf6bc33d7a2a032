package lab08

import (
	"context"
	"fmt"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/composelab"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// checkUpHealthy: after up, web, api and db each run one container that reaches healthy.
func (s *state) checkUpHealthy(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	deadline := s.Sess.UpSince.Add(s.HealthWait)
	return composelab.Settle(ctx, func(ctx context.Context) (check.Outcome, bool, error) {
		cs, err := s.ServiceContainers(ctx, web, api, db)
		if err != nil {
			return check.Outcome{}, false, err
		}
		o, done := judgeUpHealthy(healthObs{Containers: cs, Late: time.Now().After(deadline), UpFailure: s.Sess.UpFailureText(),
			Wait: s.HealthWait, Elapsed: time.Since(s.Sess.UpSince)})
		return o, done, nil
	})
}

// checkDependsHealthy: api waits for db, and web for api, with condition service_healthy; in
// the engine's events of the first up, db became healthy before api started.
func (s *state) checkDependsHealthy(ctx context.Context) (check.Outcome, error) {
	p := s.Sess.Project()
	o := dependsObs{Conditions: map[[2]string]string{}}
	for _, d := range [][2]string{{api, db}, {web, api}} {
		o.Conditions[d] = p.Services[d[0]].DependsOn[d[1]].Condition
	}
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	evs, err := s.Run.Engine.Events(ctx, engine.EventFilter{Since: s.Sess.UpSince, Until: s.Sess.UpDone.Add(time.Second),
		Type: "container", Labels: []string{"com.docker.compose.project=" + p.Name}})
	if err != nil {
		return check.Outcome{}, err
	}
	o.Events = evs
	return judgeDependsHealthy(o), nil
}

// checkSegmentation: from web's namespace api resolves and answers, db neither resolves nor
// connects; back is internal. A positive control from api's namespace proves db was there.
func (s *state) checkSegmentation(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	w, o, err := s.Sess.Running(ctx, web)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	a, o, err := s.Sess.Running(ctx, api)
	if o != nil || err != nil {
		return check.Verdict(o), err
	}
	var obs segmentationObs
	ctl, err := s.probe(ctx, "container:"+a.ID, probe.TCP("db:8080", s.ProbeTimeout))
	if err != nil {
		return check.Outcome{}, err
	}
	obs.Control = ctl[0]
	if !obs.Control.OK {
		return judgeSegmentation(obs), nil // db is not there: web's view would prove nothing
	}
	obs.FromWeb, err = s.probe(ctx, "container:"+w.ID,
		probe.HTTP("http://api:8080/health", s.ProbeTimeout, 3), probe.DNS(db, s.ProbeTimeout), probe.TCP("db:8080", s.ProbeTimeout))
	if err != nil {
		return check.Outcome{}, err
	}
	back, ok := s.Sess.Project().Networks["back"]
	obs.BackDeclared = ok
	if ok {
		n, err := s.Run.Engine.InspectNetwork(ctx, back.Name)
		if err != nil {
			return check.Outcome{}, err
		}
		obs.BackInternal = n.Internal
	}
	return judgeSegmentation(obs), nil
}

// checkPorts: only web publishes, on 127.0.0.1:<port>; api and db publish nothing.
func (s *state) checkPorts(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	p := s.Sess.Project()
	o := portsObs{Port: fmt.Sprint(s.Port), Declared: map[string][]types.ServicePortConfig{}}
	for _, svc := range []string{api, db} {
		o.Declared[svc] = p.Services[svc].Ports
	}
	cs, err := s.ServiceContainers(ctx, web, api, db)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Containers = cs
	// The request from this machine is the last observation: only a project right so far
	// gets it, and a remote engine's published port is not on this machine.
	if out := judgePorts(o); out.Status != check.Pass || s.Remote {
		return out, nil
	}
	resp, err := probe.PublishedClient(s.ProbeTimeout).Get("http://127.0.0.1:" + o.Port + "/health")
	if err != nil {
		o.HostErr = err
	} else {
		resp.Body.Close()
	}
	return judgePorts(o), nil
}

// checkRestart: api and db restart unless stopped.
func (s *state) checkRestart(ctx context.Context) (check.Outcome, error) {
	if err := s.Started(ctx); err != nil {
		return check.Outcome{}, err
	}
	cs, err := s.ServiceContainers(ctx, api, db)
	if err != nil {
		return check.Outcome{}, err
	}
	return judgeRestart(cs), nil
}

// probe runs labprobe commands at place.
func (s *state) probe(ctx context.Context, place string, cmds ...[]string) ([]probe.Result, error) {
	return probe.Lab(ctx, s.Run, s.Param("probe-image"), place, s.ProbeTimeout, cmds...)
}
