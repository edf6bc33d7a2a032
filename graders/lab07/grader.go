// Package lab07 grades lab 7, « Réseaux Docker » (docs/labs/lab7.md): network.sh builds a front and
// an internal back network and three containers on them; the grader observes the topology,
// then probes DNS, isolation, egress and publishing from the containers' own namespaces with
// ddlab/probe:1, and finally runs network.sh again and cleanup.sh.
package lab07

import (
	"context"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/script"
)

// The contract's fixed names (docs/labs/lab7.md).
const (
	front = "lab7-front"
	back  = "lab7-back"
	web   = "lab7-web"
	api   = "lab7-api"
	db    = "lab7-db"
	batch = "lab7-batch"
)

// Scripts of the submission.
const (
	networkScript    = "network.sh"
	cleanupScript    = "cleanup.sh"
	connectScript    = "connect.sh"
	disconnectScript = "disconnect.sh"
)

// Grader is lab 7's grader.
type Grader struct{}

// New returns lab 7's grader.
func New() Grader { return Grader{} }

// Lab names the lab.
func (Grader) Lab() string { return "lab7" }

// Meta: the checks run the student's scripts. The contract names what network.sh creates:
// two runs of lab 7 on one engine take turns.
func (Grader) Meta() grader.Meta {
	return grader.Meta{
		Kind:      grader.Scripts,
		Exclusive: true,
		Contract:  grader.Contract{Containers: []string{web, api, db, batch}, Networks: []string{front, back}},
		Params: []grader.Param{
			grader.StringParam("subnet"), grader.StringParam("db-ip"), grader.PortParam("port"), grader.PortParam("canary-port"),
			grader.StringParam("probe-image"), grader.DurationParam("probe-timeout"),
		},
		Fuzz: []string{"internal/probe.FuzzParseProbeOutput"},
	}
}

// Checks lists lab 7's checks in the order they must run: the observations of the topology
// network.sh built, then the checks that change it (connect-live, a second network.sh,
// cleanup.sh), last.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := &state{run: r}
	const files, deploy = "lab7.files", "lab7.deploy"
	need := []string{files, deploy}
	engineCheck := func(id string, run func(context.Context) (check.Outcome, error)) check.Check {
		return check.Check{ID: id, Mode: check.Engine, Needs: need, Run: s.ready(run)}
	}
	return []check.Check{
		{ID: files, Mode: check.Static, Run: s.checkFiles},
		{ID: deploy, Mode: check.Engine, Needs: []string{files}, Run: s.ready(s.checkDeploy)},
		engineCheck("lab7.networks", s.checkNetworks),
		engineCheck("lab7.attachments", s.checkAttachments),
		engineCheck("lab7.dns", s.checkDNS),
		engineCheck("lab7.isolation", s.checkIsolation),
		engineCheck("lab7.internal-egress", s.checkEgress),
		engineCheck("lab7.publish", s.checkPublish),
		engineCheck("lab7.alias", s.checkAlias),
		engineCheck("lab7.static-ip", s.checkStaticIP),
		engineCheck("lab7.none", s.checkNone),
		engineCheck("lab7.connect-live", s.checkConnectLive),
		engineCheck("lab7.idempotent", s.checkIdempotent),
		engineCheck("lab7.cleanup", s.checkCleanup),
	}
}

// state is what lab 7's checks share for one run.
type state struct {
	run          *grader.Run
	probeTimeout time.Duration
	remote       bool
	probes       int // probe containers started, for unique names
	deployed     *script.Result
}

// ready reads the spec parameters and the engine's locality once, before the first engine check.
func (s *state) ready(run func(context.Context) (check.Outcome, error)) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		if s.probeTimeout == 0 {
			v := grader.ReadValues(s.run.Spec)
			d := v.Duration("probe-timeout")
			if v.Err != nil {
				return check.Outcome{}, v.Err
			}
			info, err := s.run.Engine.Info(ctx)
			if err != nil {
				return check.Outcome{}, err
			}
			s.probeTimeout, s.remote = d, info.Remote
		}
		return run(ctx)
	}
}

func (s *state) param(key string) string { return s.run.Spec.Params[key] }

// inspect reads a contract container; found is false when it does not exist.
func (s *state) inspect(ctx context.Context, name string) (c engine.Container, found bool, err error) {
	c, err = s.run.Engine.InspectContainer(ctx, name)
	if isNotFound(err) {
		return engine.Container{}, false, nil
	}
	return c, err == nil, err
}

// running returns a contract container that must run for a check, or the failing verdict.
func (s *state) running(ctx context.Context, name string) (engine.Container, *check.Outcome, error) {
	c, found, err := s.inspect(ctx, name)
	if err != nil {
		return c, nil, err
	}
	if !found {
		o := check.Failf("Le conteneur %s n'existe pas après network.sh.", "Container %s does not exist after network.sh.", name).
			WithT(check.T("%s démarré", "%s running", name), missing)
		return c, &o, nil
	}
	if !c.Running {
		o := check.Failf("Le conteneur %s n'est pas démarré (%s, code %d).", "Container %s is not running (%s, exit code %d).",
			name, c.Status, c.ExitCode).WithT(check.T("%s démarré", "%s running", name), check.Same(c.Status))
		return c, &o, nil
	}
	if c.NetworkMode == "host" {
		// A probe in its namespace would be on the host's network: never.
		o := check.Failf("Le conteneur %s utilise le réseau de l'hôte (`--network host`) : il n'est isolé par aucun réseau Docker.",
			"Container %s uses the host's network (`--network host`): no Docker network isolates it.", name).
			WithT(check.T("%s sur les réseaux du contrat", "%s on the contract's networks", name), check.Same("host"))
		return c, &o, nil
	}
	return c, nil, nil
}
