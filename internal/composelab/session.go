// Package composelab is what the graders of Compose labs (8 and 13) share: one student project
// per run, loaded, checked against the policy, built by the grader and started on the embedded
// Compose engine once, then observed service by service.
package composelab

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/probe"
)

// Session is one run's view of the student's project.
type Session struct {
	Run   *grader.Run
	Allow compose.Allow

	loaded   bool
	Loaded   *compose.Loaded   // nil when the files do not load
	Problems []compose.Problem // why they do not load
	Policy   []compose.Problem

	built  bool
	Builds []compose.Built

	started         bool
	UpErr           error     // Compose's own error from the first up (unhealthy, exited…)
	UpSince, UpDone time.Time // the first up, for the engine's events
}

// New starts a session for a run.
func New(r *grader.Run, allow compose.Allow) *Session {
	return &Session{Run: r, Allow: allow}
}

// Project is the loaded project (nil before a successful Load).
func (s *Session) Project() *types.Project {
	if s.Loaded == nil {
		return nil
	}
	return s.Loaded.Project
}

// Load loads the submission's default files (main file, override, .env) once.
func (s *Session) Load(ctx context.Context) error {
	if s.loaded {
		return nil
	}
	l, probs, err := compose.Load(ctx, s.source(nil, nil))
	if err != nil {
		return err
	}
	s.loaded, s.Loaded, s.Problems = true, l, probs
	if l != nil {
		s.Policy = compose.Place(s.Run.Files, l.Files, compose.Policy(l.Project, s.Run.Files, s.Allow))
	}
	return nil
}

// LoadVariant loads the project again with other environment values or profiles, checked
// against the policy as well, under the run's project name, or another one when suffix is set.
func (s *Session) LoadVariant(ctx context.Context, suffix string, env map[string]string, profiles []string) (*types.Project, []compose.Problem, error) {
	src := s.source(env, profiles)
	if suffix != "" {
		src.Name += "-" + suffix
	}
	l, probs, err := compose.Load(ctx, src)
	if err != nil || len(probs) > 0 {
		return nil, probs, err
	}
	if pol := compose.Place(s.Run.Files, l.Files, compose.Policy(l.Project, s.Run.Files, s.Allow)); len(pol) > 0 {
		return nil, pol, nil
	}
	return l.Project, nil, nil
}

func (s *Session) source(env map[string]string, profiles []string) compose.Source {
	return compose.Source{Dir: s.Run.Files, Env: env, Profiles: profiles, Name: s.Run.ProjectName()}
}

// CheckPolicy is the gate every engine check needs: the files load and nothing in them would
// harm the grading host.
func (s *Session) CheckPolicy(ctx context.Context, valid string) (check.Outcome, error) {
	if o := s.Run.RefusedOutcome(); o != nil {
		return *o, nil
	}
	if err := s.Load(ctx); err != nil {
		return check.Outcome{}, err
	}
	return JudgePolicy(valid, s.Loaded, s.Problems, s.Policy), nil
}

// LoadFailure is the verdict on files Compose does not load, with the first place to fix.
func LoadFailure(ps []compose.Problem) check.Outcome {
	first := ps[0]
	why := first.Say()
	cause := "load"
	if first.Syntax {
		cause = "syntax"
	}
	o := check.Outcome{Status: check.Fail, Message: check.Text{
		FR: "Compose ne charge pas le projet : " + why.FR,
		EN: "Compose does not load the project: " + why.EN,
	}}
	if len(ps) > 1 { // one problem is the message already: the list adds the others
		o = o.WithT(check.Lit("un projet Compose valide", "a valid Compose project"), Problems(ps))
	}
	return o.At(first.File, first.Line).Because(cause)
}

// Problems lists problems one per line, at most ten, for a report's Actual.
func Problems(ps []compose.Problem) check.Text {
	var fr, en []string
	for i, p := range ps {
		if i == 10 {
			break
		}
		t := p.Say()
		fr, en = append(fr, t.FR), append(en, t.EN)
	}
	list := check.Lit(strings.Join(fr, "\n"), strings.Join(en, "\n"))
	if len(ps) > 10 {
		return check.Lit(list.FR+fmt.Sprintf("\n… et %d autres", len(ps)-10), list.EN+fmt.Sprintf("\n… and %d more", len(ps)-10))
	}
	return list
}

// CheckBuild builds every build: service through the grader (gate of the engine checks).
func (s *Session) CheckBuild(ctx context.Context) (check.Outcome, error) {
	if err := s.build(ctx); err != nil {
		return check.Outcome{}, err
	}
	return JudgeBuild(s.Builds), nil
}

func (s *Session) build(ctx context.Context) error {
	if s.built {
		return nil
	}
	builds, err := s.Run.BuildProject(ctx, s.Loaded.Project)
	s.built, s.Builds = true, builds
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || ctx.Err() != nil {
			return fmt.Errorf("build interrupted: %w", err)
		}
		return err
	}
	return nil
}

// Up starts the project once, within timeout, waiting up to wait for every service to run and
// be healthy. Compose's own complaint (a container unhealthy or exited, a start that did not
// finish in time) is kept in UpErr: it is the student's; only the caller's cancelled context
// is an error.
func (s *Session) Up(ctx context.Context, timeout, wait time.Duration) error {
	if s.started {
		return nil
	}
	s.started = true
	s.UpSince = time.Now()
	uctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	err := s.Run.Up(uctx, s.Loaded.Project, engine.UpOptions{Wait: true, WaitTimeout: wait})
	s.UpDone = time.Now()
	switch {
	case err != nil && ctx.Err() != nil:
		return err
	case err != nil && uctx.Err() != nil:
		err = fmt.Errorf("le démarrage n'a pas fini en %s : %w", timeout, err)
	}
	s.UpErr = err
	return nil
}

// Containers lists the containers of one service of project p (all replicas, stopped too),
// inspected, ordered by name.
func Containers(ctx context.Context, e engine.Engine, p *types.Project, service string) ([]engine.Container, error) {
	list, err := e.ListContainers(ctx, engine.ContainerFilter{All: true, Labels: []string{
		"com.docker.compose.project=" + p.Name, "com.docker.compose.service=" + service,
		"com.docker.compose.oneoff=False"}})
	if err != nil {
		return nil, err
	}
	sort.Slice(list, func(i, j int) bool { return list[i].Name < list[j].Name })
	var out []engine.Container
	for _, c := range list {
		ic, err := e.InspectContainer(ctx, c.ID)
		if errors.Is(err, engine.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, ic)
	}
	return out, nil
}

// Running returns the first running container of a service of the session's project, or the
// failing verdict that says why there is none.
func (s *Session) Running(ctx context.Context, service string) (engine.Container, *check.Outcome, error) {
	cs, err := Containers(ctx, s.Run.Engine, s.Project(), service)
	if err != nil {
		return engine.Container{}, nil, err
	}
	c, o := FirstRunning(service, cs)
	return c, o, nil
}

// UpFailureText says why the first up did not bring every service up healthy; Compose's own
// error follows in its words.
func (s *Session) UpFailureText() check.Text {
	if s.UpErr == nil {
		return check.Text{}
	}
	msg := s.UpErr.Error() // Compose's own words, quoted in the French
	switch {
	case strings.Contains(msg, "is unhealthy"):
		return check.T("un conteneur est resté « unhealthy » : « %s »", "a container stayed \"unhealthy\": %s", msg)
	case strings.Contains(msg, "exited"):
		return check.T("un conteneur s'est arrêté pendant le démarrage : « %s »", "a container stopped during startup: %s", msg)
	case strings.Contains(msg, "No such image") || strings.Contains(msg, "not found"):
		return check.T("image absente de la machine (rien n'est téléchargé) : « %s »", "image missing from this machine (nothing is downloaded): %s", msg)
	case strings.Contains(msg, "port is already allocated") || strings.Contains(msg, "address already in use"):
		return check.T("le port publié est déjà pris sur cette machine (un `docker compose up` à vous ?) : « %s »",
			"the published port is already taken on this machine (a `docker compose up` of yours?): %s", msg)
	}
	return check.T("Compose n'a pas pu démarrer le projet : « %s »", "Compose could not start the project: %s", msg)
}

// ProbeIn runs labprobe commands (internal/probe) in the network namespace of the first
// running container of a service of project p, so requests to 127.0.0.1 reach that service
// on any engine, remote ones included. A service with no running container is the verdict.
func (s *Session) ProbeIn(ctx context.Context, p *types.Project, service, image string, timeout time.Duration, cmds ...[]string) ([]probe.Result, *check.Outcome, error) {
	cs, err := Containers(ctx, s.Run.Engine, p, service)
	if err != nil {
		return nil, nil, err
	}
	for _, c := range cs {
		if c.Running {
			res, err := probe.Lab(ctx, s.Run, image, "container:"+c.ID, timeout, cmds...)
			return res, nil, err
		}
	}
	o := Unreachable(service)
	return nil, &o, nil
}

// OrAll shows an empty host address of a published port as the engine binds it.
func OrAll(ip string) string {
	if ip == "" {
		return "0.0.0.0"
	}
	return ip
}

// Scale sets a service of the session's project to n replicas and waits for them, like
// `docker compose up -d --no-deps --wait --scale service=n service`.
func (s *Session) Scale(ctx context.Context, service string, n int, wait time.Duration) error {
	p := s.Project()
	svc := p.Services[service]
	svc.Scale = &n
	if svc.Deploy != nil {
		svc.Deploy.Replicas = &n
	}
	p.Services[service] = svc
	return s.Run.Up(ctx, p, engine.UpOptions{Services: []string{service}, NoDeps: true, Wait: true, WaitTimeout: wait})
}

// ServedBy counts the distinct X-Served-By headers of the 200 answers: how many replicas
// the requests reached.
func ServedBy(res []probe.Result) int {
	seen := map[string]bool{}
	for _, r := range res {
		if by := r.Headers["X-Served-By"]; r.Status == 200 && by != "" {
			seen[by] = true
		}
	}
	return len(seen)
}

// Down removes the session's project. Without volumes its named volumes stay, as `docker
// compose down` keeps them, but the anonymous volumes its containers mounted (an image's
// VOLUME left unnamed) go too: nothing would ever find them again.
func (s *Session) Down(ctx context.Context, volumes bool) error {
	p := s.Project()
	var anon []string
	if !volumes {
		for _, n := range p.ServiceNames() {
			cs, err := Containers(ctx, s.Run.Engine, p, n)
			if err != nil {
				return err
			}
			for _, c := range cs {
				for _, m := range c.Mounts {
					if m.Type == "volume" && grader.Anonymous(m.Source) {
						anon = append(anon, m.Source)
					}
				}
			}
		}
	}
	c, err := s.Run.Composer()
	if err != nil {
		return err
	}
	if err := c.Down(ctx, p, volumes); err != nil {
		return err
	}
	for _, v := range anon {
		if err := s.Run.Engine.Remove(ctx, engine.Ref{Kind: engine.KindVolume, ID: v}); err != nil && !errors.Is(err, engine.ErrNotFound) {
			return err
		}
	}
	return nil
}
