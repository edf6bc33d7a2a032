package lab02

import (
	"context"
	"errors"
	"slices"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// cliObs is what lab2.cli-via-api observes: cli.sh through the proxy, then lab2-cli.
type cliObs struct {
	Res   script.Result
	Calls []call
	Found bool
	C     engine.Container
}

func (s *state) checkCLI(ctx context.Context) (check.Outcome, error) {
	sr, err := s.cliRun(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o := cliObs{Res: sr.res, Calls: parseCalls(sr.recs)}
	if scriptlab.JudgeScript("cli.sh", sr.res) == nil {
		o.C, err = s.run.Engine.InspectContainer(ctx, cliName)
		if err != nil && !errors.Is(err, engine.ErrNotFound) {
			return check.Outcome{}, err
		}
		o.Found = err == nil
	}
	return judgeCLIRun(o), nil
}

// judgeCLIRun: cli.sh succeeds, the proxy saw the CLI make lab2-cli (judgeCLI), and it runs.
func judgeCLIRun(o cliObs) check.Outcome {
	if f := scriptlab.JudgeScript("cli.sh", o.Res); f != nil {
		return *f
	}
	if !o.Found {
		return check.Failf("Le conteneur %s n'existe pas après cli.sh.", "Container %s does not exist after cli.sh.", cliName).
			WithT(check.T("%s démarré", "%s running", cliName), check.Lit("absent", "missing"))
	}
	if out := judgeCLI(o.Calls, o.C.ID); out.Status != check.Pass {
		return out
	}
	if !o.C.Running {
		return check.Failf("%s n'est pas démarré (état %s, code %d).", "%s is not running (state %s, code %d).", cliName, o.C.Status, o.C.ExitCode).
			With("running", o.C.Status)
	}
	return check.Passf("Le proxy a vu le CLI docker (/_ping, create, start) et %s tourne.",
		"The proxy saw the docker CLI (/_ping, create, start) and %s is running.", cliName)
}

// judgeCLI wants, from the docker CLI, /_ping, then the create of lab2-cli, then its start.
func judgeCLI(calls []call, id string) check.Outcome {
	var cli []call
	for _, c := range calls {
		if fromCLI(c) {
			cli = append(cli, c)
		}
	}
	if len(cli) == 0 {
		return check.Failf("Le proxy n'a vu aucune requête du CLI docker pendant cli.sh : DOCKER_HOST ne pointe pas vers lui.",
			"The proxy saw no docker CLI request during cli.sh: DOCKER_HOST does not point at it.").
			WithT(check.Same("DOCKER_HOST=tcp://${DOCKER_API_URL#http://}"), summary(calls, 12))
	}
	seen := summary(cli, 12)
	pi := slices.IndexFunc(cli, func(c call) bool { return c.rest == "/_ping" && (c.Method == "GET" || c.Method == "HEAD") })
	if pi < 0 {
		return check.Failf("Le CLI docker n'a pas fait /_ping par le proxy.", "The docker CLI did not call /_ping through the proxy.").
			WithT(check.Same("HEAD /_ping"), seen)
	}
	ci := slices.IndexFunc(cli[pi:], func(c call) bool { return isCreate(c, cliName) && c.Status == 201 })
	if ci < 0 {
		return check.Failf("Le proxy n'a pas vu le CLI créer %s (POST …/containers/create?name=%s, HTTP 201).",
			"The proxy did not see the CLI create %s (POST …/containers/create?name=%s, HTTP 201).", cliName, cliName).
			WithT(check.Same("POST /v1.41/containers/create?name="+cliName), seen)
	}
	rest := cli[pi+ci:]
	if !slices.ContainsFunc(rest, func(c call) bool { return targets(c, "POST", "/start", cliName, id) && ok2xx(c.Status) }) {
		return check.Failf("Le proxy n'a pas vu le CLI démarrer %s.", "The proxy did not see the CLI start %s.", cliName).
			WithT(check.Same("POST /v1.41/containers/<id>/start"), seen)
	}
	return check.Passf("ok", "ok")
}

func (s *state) checkCleanup(ctx context.Context) (check.Outcome, error) {
	if s.clean == nil {
		if err := s.runCleanup(ctx); err != nil {
			return check.Outcome{}, err
		}
	}
	sr := s.clean
	return judgeCleanupRun(sr.res, parseCalls(sr.recs), s.cleanIDs, s.cleanLeft, s.standIns), nil
}

// judgeCleanupRun: cleanup.sh succeeds and removed both containers through the proxy
// (judgeCleanup); standIns names the ones the grader made because the scripts had not.
func judgeCleanupRun(res script.Result, calls []call, ids map[string]string, left, standIns []string) check.Outcome {
	if f := scriptlab.JudgeScript("cleanup.sh", res); f != nil {
		return *f
	}
	o := judgeCleanup(calls, ids, left)
	if o.Status == check.Pass && len(standIns) > 0 {
		o.Message.FR += " (conteneurs de remplacement créés par le correcteur, les scripts ne les ayant pas laissés : " + strings.Join(standIns, ", ") + ")"
		o.Message.EN += " (stand-in containers made by the grader, as the scripts had not left them: " + strings.Join(standIns, ", ") + ")"
	}
	return o
}

// runCleanup makes sure both containers exist (stand-ins when api.sh or cli.sh did not leave
// them, so cleanup.sh is graded on its own), runs cleanup.sh, and sees what is left.
func (s *state) runCleanup(ctx context.Context) error {
	e, r := s.run.Engine, s.run
	s.cleanIDs = map[string]string{}
	for _, name := range []string{apiName, cliName} {
		c, err := e.InspectContainer(ctx, name)
		if err == nil {
			s.cleanIDs[name] = c.ID
			continue
		}
		if !errors.Is(err, engine.ErrNotFound) {
			return err
		}
		id, err := e.Run(ctx, engine.RunSpec{Name: name, Image: "ddlab/busybox:1", Cmd: []string{"sleep", "600"}, Labels: r.Labels()})
		if err != nil {
			return err
		}
		s.cleanIDs[name], s.standIns = id, append(s.standIns, name)
	}
	sr, err := s.script(ctx, "cleanup.sh")
	if err != nil {
		return err
	}
	for _, name := range []string{apiName, cliName} {
		_, err := e.InspectContainer(ctx, name)
		switch {
		case err == nil:
			s.cleanLeft = append(s.cleanLeft, name)
		case !errors.Is(err, engine.ErrNotFound):
			return err
		}
	}
	s.clean = sr
	return nil
}

// judgeCleanup wants both containers gone, each through a DELETE the proxy forwarded.
func judgeCleanup(calls []call, ids map[string]string, left []string) check.Outcome {
	if len(left) > 0 {
		return check.Failf("Après cleanup.sh, il reste : %s.", "After cleanup.sh, still there: %s.", strings.Join(left, ", ")).
			WithT(check.T("aucun conteneur %s ni %s", "no container %s or %s", apiName, cliName), check.Same(strings.Join(left, ", ")))
	}
	for _, name := range []string{apiName, cliName} {
		if !slices.ContainsFunc(calls, func(c call) bool { return targets(c, "DELETE", "", name, ids[name]) && ok2xx(c.Status) }) {
			return check.Failf("%s a disparu, mais le proxy n'a vu aucun `DELETE …/containers/%s` réussi : cleanup.sh est passé à côté de $DOCKER_API_URL.",
				"%s is gone, but the proxy saw no successful `DELETE …/containers/%s`: cleanup.sh went around $DOCKER_API_URL.", name, name).
				WithT(check.Same("DELETE $DOCKER_API_URL/containers/"+name+"?force=1"), summary(calls, 12))
		}
	}
	return check.Passf("%s et %s supprimés par DELETE via le proxy.", "%s and %s removed by DELETE through the proxy.", apiName, cliName)
}
