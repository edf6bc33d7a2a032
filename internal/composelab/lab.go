package composelab

import (
	"context"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/probe"
)

// CheckFunc is what a check runs.
type CheckFunc = func(context.Context) (check.Outcome, error)

// Lab is the grader skeleton the Compose labs share (8 and 13): one run and its session, the
// parameters every Compose lab reads (read once, before the first check that needs the
// project), the engine's locality, the first up with its health wait, and the shape of the
// checks: <lab>.valid and <lab>.policy read the files, <lab>.build needs the policy, and every
// other check needs both gates. A lab embeds it in its own state.
type Lab struct {
	Run  *grader.Run
	Sess *Session

	Port, Scale                         int           // params port and scale
	UpTimeout, HealthWait, ProbeTimeout time.Duration // params up-timeout, health-timeout, probe-timeout
	Remote                              bool          // the engine runs on another machine

	own  func(*grader.Values) // reads the lab's own parameters
	read bool
}

// NewLab starts a Compose lab's run; own reads the parameters of that lab alone (it may be
// nil).
func NewLab(r *grader.Run, own func(*grader.Values)) *Lab {
	return &Lab{Run: r, Sess: New(r, compose.Allow{}), own: own}
}

// Param is a spec parameter as written.
func (l *Lab) Param(key string) string { return l.Run.Spec.Params[key] }

// Ready reads the parameters and the engine's facts once, and loads the project, before
// run: the wrapper of every check that needs the project.
func (l *Lab) Ready(run CheckFunc) CheckFunc {
	return func(ctx context.Context) (check.Outcome, error) {
		if !l.read {
			if err := l.readParams(ctx); err != nil {
				return check.Outcome{}, err
			}
		}
		if err := l.Sess.Load(ctx); err != nil {
			return check.Outcome{}, err
		}
		return run(ctx)
	}
}

func (l *Lab) readParams(ctx context.Context) error {
	ps := grader.ReadValues(l.Run.Spec)
	l.UpTimeout, l.HealthWait, l.ProbeTimeout = ps.Duration("up-timeout"), ps.Duration("health-timeout"), ps.Duration("probe-timeout")
	l.Port, l.Scale = ps.Int("port"), ps.Int("scale")
	if l.own != nil {
		l.own(ps)
	}
	if ps.Err != nil {
		return ps.Err
	}
	info, err := l.Run.Engine.Info(ctx)
	if err != nil {
		return err
	}
	l.Remote, l.read = info.Remote, true
	return nil
}

// Started brings the project up once, waiting for health, for the checks that observe it.
func (l *Lab) Started(ctx context.Context) error {
	return l.Sess.Up(ctx, l.UpTimeout, l.HealthWait)
}

// Through runs labprobe commands (param probe-image, within probe-timeout) in the network
// namespace of a running container of a service of project p; see [Session.ProbeIn].
func (l *Lab) Through(ctx context.Context, p *types.Project, service string, cmds ...[]string) ([]probe.Result, *check.Outcome, error) {
	return l.Sess.ProbeIn(ctx, p, service, l.Param("probe-image"), l.ProbeTimeout, cmds...)
}

// Valid is the lab's <lab>.valid check: the files load, then judge decides on the project.
func (l *Lab) Valid(id string, judge func(*compose.Loaded) check.Outcome) check.Check {
	return check.Check{ID: id, Mode: check.Static, Run: l.Sess.CheckValid(judge)}
}

// Policy is the lab's <lab>.policy gate; valid is the check that says why files do not load.
func (l *Lab) Policy(id, valid string) check.Check {
	return check.Check{ID: id, Mode: check.Static, Run: func(ctx context.Context) (check.Outcome, error) {
		return l.Sess.CheckPolicy(ctx, valid)
	}}
}

// Build is the lab's <lab>.build gate, after the policy.
func (l *Lab) Build(id, policy string) check.Check {
	return l.Engine(id, []string{policy}, l.Sess.CheckBuild)
}

// Engine is a check of the running project, after the checks it needs.
func (l *Lab) Engine(id string, needs []string, run CheckFunc) check.Check {
	return check.Check{ID: id, Mode: check.Engine, Needs: needs, Run: l.Ready(run)}
}

// ServiceContainers lists the containers of each service of the session's project.
func (l *Lab) ServiceContainers(ctx context.Context, svcs ...string) (map[string][]engine.Container, error) {
	out := map[string][]engine.Container{}
	for _, svc := range svcs {
		cs, err := Containers(ctx, l.Run.Engine, l.Sess.Project(), svc)
		if err != nil {
			return nil, err
		}
		out[svc] = cs
	}
	return out, nil
}

// Meta is what a Compose lab declares: the kit's parameters, then the lab's own, and the
// fuzz targets of the parsers the kit reads student files with. Compose labs publish a
// fixed host port (param port), so two runs take turns.
func Meta(own ...grader.Param) grader.Meta {
	return grader.Meta{
		Kind:      grader.Compose,
		Exclusive: true,
		Params: append([]grader.Param{
			grader.PortParam("port"), grader.DurationParam("up-timeout"), grader.DurationParam("health-timeout"),
			grader.IntParam("scale", 2, 20), grader.StringParam("probe-image"), grader.DurationParam("probe-timeout"),
		}, own...),
		Fuzz: []string{"internal/compose.FuzzLoadProject", "internal/compose.FuzzScreen", "internal/compose.FuzzLocate",
			"internal/probe.FuzzParseProbeOutput", "internal/dockerfile.FuzzScopeCacheMounts"},
	}
}
