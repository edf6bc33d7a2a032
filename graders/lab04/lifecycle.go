package lab04

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// pollEvery is how often the lifecycle checks look at the container.
const pollEvery = 200 * time.Millisecond

// restartObs is what lab4.restart observes, stage by stage: lab4-app, its answer before the
// crash, then its state once it restarted or the wait passed.
type restartObs struct {
	App     appSeen
	Retries int           // the contract's on-failure:N
	Wait    time.Duration // how long it may take to come back
	Base    string        // where the grader reached the app
	Ready   *reply        // GET /health before the crash; nil until asked
	After   *engine.Container
	Took    time.Duration // from POST /crash to After
}

func (s *state) checkRestart(ctx context.Context) (check.Outcome, error) {
	var o restartObs
	var err error
	if o.Retries, err = s.int("restart-retries"); err != nil {
		return check.Outcome{}, err
	}
	if o.Wait, err = s.duration("restart-wait"); err != nil {
		return check.Outcome{}, err
	}
	if o.App, err = s.app(ctx); err != nil {
		return check.Outcome{}, err
	}
	if out, done := judgeRestart(o); done {
		return out, nil
	}
	base, stop, err := s.baseURL(ctx, o.App.C)
	if stop != nil || err != nil {
		return check.Verdict(stop), err
	}
	rep := s.getReady(ctx, base+"/health", o.Wait, nil)
	o.Base, o.Ready = base, &rep
	if out, done := judgeRestart(o); done {
		return out, nil
	}
	s.run.Progress(check.Lit("POST /crash?code=3 : plantage volontaire de lab4-app…", "POST /crash?code=3: crashing lab4-app on purpose…"))
	start := time.Now()
	// The app answers, then exits: a reply cut short is expected.
	_ = s.do(ctx, http.MethodPost, base+"/crash?code=3", nil)
	got, err := s.waitRestart(ctx, o.App.C, o.Wait)
	if err != nil {
		return check.Outcome{}, err
	}
	o.After, o.Took = &got, time.Since(start).Round(100*time.Millisecond)
	out, _ := judgeRestart(o)
	return out, nil
}

// judgeRestart: the policy is on-failure:N, and a crash (exit code 3) makes the engine
// restart the app. A wrong policy is the answer already; crashing the app would only take it
// away from the checks that follow (with "no" it would never come back).
func judgeRestart(o restartObs) (out check.Outcome, decided bool) {
	if f := judgeApp(o.App); f != nil {
		return *f, true
	}
	c := o.App.C
	if c.Restart.Name != "on-failure" || c.Restart.MaxRetries != o.Retries {
		p := policyText(c.Restart)
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: fmt.Sprintf("La politique de redémarrage de lab4-app est %s.", p.FR),
			EN: fmt.Sprintf("lab4-app's restart policy is %s.", p.EN),
		}}.WithT(check.Same(fmt.Sprintf("on-failure:%d", o.Retries)), p), true
	}
	if o.Ready == nil {
		return check.Outcome{}, false
	}
	if o.Ready.Err != nil {
		return check.Failf("lab4-app ne répond pas sur %s : impossible de le faire planter.", "lab4-app does not answer on %s: cannot crash it.", o.Base).
			WithT(check.Same("HTTP 200"), o.Ready.text()), true
	}
	if o.After == nil {
		return check.Outcome{}, false
	}
	got := *o.After
	switch {
	case up(got) && got.RestartCount > c.RestartCount:
		return check.Passf("Après POST /crash?code=3, lab4-app a redémarré en %s (RestartCount %d).",
			"After POST /crash?code=3, lab4-app restarted within %s (RestartCount %d).", o.Took, got.RestartCount), true
	case up(got) && got.StartedAt.Equal(c.StartedAt):
		return check.Failf("lab4-app ne s'est pas arrêté après POST /crash?code=3.", "lab4-app did not stop after POST /crash?code=3.").
			WithT(check.Lit("un arrêt (code 3) puis un redémarrage", "a stop (exit code 3), then a restart"),
				check.T("toujours démarré depuis %s", "still running since %s", c.StartedAt.Format(time.RFC3339))), true
	case up(got):
		return check.Failf("lab4-app a été relancé, mais pas par sa politique de redémarrage (RestartCount %d).",
			"lab4-app was started again, but not by its restart policy (RestartCount %d).", got.RestartCount).
			With("RestartCount ≥ 1", fmt.Sprint(got.RestartCount)), true
	}
	return check.Failf("lab4-app ne redémarre pas dans les %s qui suivent son plantage.", "lab4-app does not restart within %s of its crash.", o.Wait).
		WithT(check.Lit("démarré à nouveau, RestartCount ≥ 1", "running again, RestartCount ≥ 1"), stateText(got)), true
}

// waitRestart inspects the container until it has restarted since before, or wait passes.
func (s *state) waitRestart(ctx context.Context, before engine.Container, wait time.Duration) (engine.Container, error) {
	deadline := time.Now().Add(wait)
	for {
		c, err := s.run.Engine.InspectContainer(ctx, before.ID)
		if err != nil {
			return c, err
		}
		if up(c) && c.RestartCount > before.RestartCount || time.Now().After(deadline) {
			return c, nil
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return c, err
		}
	}
}

// oomObs is what lab4.oom observes, stage by stage: whether the engine limits memory,
// lab4-app, its answer before, then after POST /alloc one look at a time until a verdict.
type oomObs struct {
	MemoryLimit bool // the engine has a memory cgroup
	App         appSeen
	MB          int           // how much the grader makes the app allocate
	Limit       int64         // the contract's memory limit
	Wait        time.Duration // how long the kill and the restart may take
	Base        string        // where the grader reached the app
	Ready       *reply        // GET /health before; nil until asked
	Before      engine.Container
	Alloc       *reply // POST /alloc's reply; nil until sent
	Got         engine.Container
	Kill        kill          // what the events since POST /alloc say
	Since       time.Duration // since POST /alloc
	Late        bool          // Wait has passed
}

func (s *state) checkOOM(ctx context.Context) (check.Outcome, error) {
	var o oomObs
	var err error
	if o.MB, err = s.int("oom-mb"); err != nil {
		return check.Outcome{}, err
	}
	if o.Wait, err = s.duration("oom-wait"); err != nil {
		return check.Outcome{}, err
	}
	o.Limit, _ = s.int64("memory")
	info, err := s.kit.EngineInfo(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o.MemoryLimit = info.MemoryLimit
	if o.MemoryLimit {
		if o.App, err = s.app(ctx); err != nil {
			return check.Outcome{}, err
		}
	}
	if out, done := judgeOOM(o); done {
		return out, nil
	}
	base, stop, err := s.baseURL(ctx, o.App.C)
	if stop != nil || err != nil {
		return check.Verdict(stop), err
	}
	rep := s.getReady(ctx, base+"/health", o.Wait/2, nil)
	o.Base, o.Ready = base, &rep
	if out, done := judgeOOM(o); done {
		return out, nil
	}
	if o.Before, err = s.run.Engine.InspectContainer(ctx, o.App.C.ID); err != nil {
		return check.Outcome{}, err
	}
	s.run.Progress(check.T("POST /alloc?mb=%d : dépassement volontaire de la limite mémoire…", "POST /alloc?mb=%d: exceeding the memory limit on purpose…", o.MB))
	start := time.Now()
	alloc := s.do(ctx, http.MethodPost, fmt.Sprintf("%s/alloc?mb=%d", base, o.MB), nil)
	o.Alloc = &alloc
	deadline := time.Now().Add(o.Wait)
	for {
		if o.Got, err = s.run.Engine.InspectContainer(ctx, o.Before.ID); err != nil {
			return check.Outcome{}, err
		}
		evs, err := s.run.Engine.Events(ctx, engine.EventFilter{Since: start, Until: time.Now(), Type: "container"})
		if err != nil {
			return check.Outcome{}, err
		}
		o.Kill, o.Since, o.Late = killedBy(evs, o.Before.ID), time.Since(start), time.Now().After(deadline)
		if out, done := judgeOOM(o); done {
			return out, nil
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return check.Outcome{}, err
		}
	}
}

// judgeOOM: allocating more than the limit gets the app killed by the kernel (an "oom"
// event, OOMKilled or exit code 137), and its policy restarts it.
func judgeOOM(o oomObs) (out check.Outcome, decided bool) {
	if !o.MemoryLimit {
		out := check.Skipf("Non évalué : ce moteur Docker ne peut pas limiter la mémoire (pas de cgroup mémoire).",
			"Not evaluated: this Docker engine cannot limit memory (no memory cgroup).")
		out.Excluded = true
		return out, true
	}
	if f := judgeApp(o.App); f != nil {
		return *f, true
	}
	if o.Ready == nil {
		return check.Outcome{}, false
	}
	if o.Ready.Err != nil {
		return check.Failf("lab4-app ne répond pas sur %s.", "lab4-app does not answer on %s.", o.Base).WithT(check.Same("HTTP 200"), o.Ready.text()), true
	}
	if o.Alloc == nil {
		return check.Outcome{}, false
	}
	k, got, rep := o.Kill, o.Got, *o.Alloc
	killed := check.Lit("un arrêt par le noyau (OOMKilled, code 137)", "killed by the kernel (OOMKilled, exit code 137)")
	k.oom = k.oom || got.OOMKilled && !o.Before.OOMKilled
	restarted := up(got) && got.RestartCount > o.Before.RestartCount
	allocated := rep.Err == nil && rep.Status == http.StatusOK
	switch {
	case (k.oom || k.code == 137) && restarted:
		how := "OOMKilled"
		if !k.oom {
			how = "code 137"
		}
		return check.Passf("POST /alloc?mb=%d : le noyau a tué lab4-app (%s), qui a redémarré (RestartCount %d).",
			"POST /alloc?mb=%d: the kernel killed lab4-app (%s), which restarted (RestartCount %d).", o.MB, how, got.RestartCount), true
	case allocated && !k.died && o.Since > 2*time.Second:
		// The app holds the memory and answered: nothing limits it.
		return check.Failf("lab4-app a alloué %d Mio sans être tué : sa mémoire n'est pas limitée à %d Mio.",
			"lab4-app allocated %d MiB without being killed: its memory is not limited to %d MiB.", o.MB, o.Limit>>20).
			WithT(killed, rep.text()), true
	case (k.oom || k.code == 137) && (o.Late || got.Status == "exited"):
		// "exited", not "restarting", after the kill: the engine will not restart it.
		p := policyText(got.Restart)
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: fmt.Sprintf("Le noyau a tué lab4-app (OOM), mais il n'a pas redémarré (politique %s).", p.FR),
			EN: fmt.Sprintf("The kernel killed lab4-app (OOM), but it did not restart (policy %s).", p.EN),
		}}.WithT(check.Lit("un redémarrage après l'arrêt", "a restart after the stop"), stateText(got)), true
	case !o.Late:
		return check.Outcome{}, false
	case k.died:
		return check.Failf("lab4-app s'est arrêté avec le code %d, pas par un dépassement de mémoire.", "lab4-app stopped with exit code %d, not by running out of memory.", k.code).
			WithT(check.Lit("OOMKilled ou code 137", "OOMKilled or exit code 137"), stateText(got)), true
	}
	return check.Failf("POST /alloc?mb=%d n'a pas arrêté lab4-app en %s.", "POST /alloc?mb=%d did not stop lab4-app within %s.", o.MB, o.Wait).
		WithT(killed, check.Lit(rep.text().FR+" ; "+stateText(got).FR, rep.text().EN+"; "+stateText(got).EN)), true
}

// kill is what the events say happened to a container.
type kill struct {
	oom  bool // an "oom" event
	died bool
	code int // the exit code of its last "die"
}

// killedBy reads the events of container id.
func killedBy(evs []engine.Event, id string) kill {
	var k kill
	for _, e := range evs {
		if e.ID != id {
			continue
		}
		switch e.Action {
		case "oom":
			k.oom = true
		case "die":
			k.died = true
			if _, err := fmt.Sscan(e.Attrs["exitCode"], &k.code); err != nil {
				k.code = -1
			}
		}
	}
	return k
}

// manualStopObs is what lab4.manual-stop observes: lab4-app, then right after docker stop,
// then one look at a time until Wait has passed.
type manualStopObs struct {
	App     appSeen
	Wait    time.Duration
	Stopped *engine.Container // right after docker stop; nil until then
	Got     *engine.Container // the latest look since; nil until one
	Over    bool              // Wait has passed since the stop
}

func (s *state) checkManualStop(ctx context.Context) (check.Outcome, error) {
	var o manualStopObs
	var err error
	if o.Wait, err = s.duration("manual-stop-wait"); err != nil {
		return check.Outcome{}, err
	}
	if o.App, err = s.app(ctx); err != nil {
		return check.Outcome{}, err
	}
	if out, done := judgeManualStop(o); done {
		return out, nil
	}
	c := o.App.C
	// Freshly restarted, the app may not handle SIGTERM yet; PID 1 ignores a signal it does not
	// handle, and the stop would end in a SIGKILL 10 s later. Wait until it answers.
	if base, stop, err := s.baseURL(ctx, c); err != nil {
		return check.Outcome{}, err
	} else if stop == nil {
		s.getReady(ctx, base+"/health", 5*time.Second, nil)
	}
	s.run.Progress(check.Same("docker stop lab4-app…"))
	if err := s.run.Engine.Stop(ctx, c.ID, 10*time.Second); err != nil {
		return check.Outcome{}, err
	}
	stopped, err := s.run.Engine.InspectContainer(ctx, c.ID)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Stopped = &stopped
	deadline := time.Now().Add(o.Wait)
	for time.Now().Before(deadline) {
		if err := sleep(ctx, pollEvery); err != nil {
			return check.Outcome{}, err
		}
		got, err := s.run.Engine.InspectContainer(ctx, c.ID)
		if err != nil {
			return check.Outcome{}, err
		}
		o.Got = &got
		if out, done := judgeManualStop(o); done {
			return out, nil
		}
	}
	o.Over = true
	out, _ := judgeManualStop(o)
	return out, nil
}

// judgeManualStop: once stopped by hand, lab4-app stays stopped, whatever its policy; only
// something outside Docker could start it again.
func judgeManualStop(o manualStopObs) (out check.Outcome, decided bool) {
	if f := judgeApp(o.App); f != nil {
		return check.Failf("lab4-app devait être démarré avant l'arrêt manuel, mais ne l'est plus.",
			"lab4-app had to be running before the manual stop, but is not.").WithT(f.Expected, stateText(o.App.C)), true
	}
	if o.Stopped == nil {
		return check.Outcome{}, false
	}
	if g := o.Got; g != nil && (g.Running || !g.StartedAt.Equal(o.Stopped.StartedAt)) {
		return check.Failf("lab4-app a redémarré après un arrêt manuel : quelque chose le relance.",
			"lab4-app started again after a manual stop: something restarts it.").
			WithT(check.T("arrêté (exited) pendant %s", "stopped (exited) for %s", o.Wait), stateText(*g)), true
	}
	if !o.Over {
		return check.Outcome{}, false
	}
	return check.Passf("Après docker stop, lab4-app est resté arrêté pendant %s (%s, code %d).",
		"After docker stop, lab4-app stayed stopped for %s (%s, exit code %d).", o.Wait, o.Stopped.Status, o.Stopped.ExitCode), true
}

// policyText is a restart policy, for a report.
func policyText(p engine.RestartPolicy) check.Text {
	switch {
	case p.Name == "" || p.Name == "no":
		return check.Lit("`no` (aucun redémarrage)", "`no` (never restart)")
	case p.Name == "on-failure":
		return check.Same(fmt.Sprintf("on-failure:%d", p.MaxRetries))
	}
	return check.Same(p.Name)
}

func stateText(c engine.Container) check.Text {
	if c.Status == "restarting" {
		return check.T("en cours de redémarrage, RestartCount %d", "restarting, RestartCount %d", c.RestartCount)
	}
	if c.Running {
		return check.T("démarré, RestartCount %d", "running, RestartCount %d", c.RestartCount)
	}
	oom := ""
	if c.OOMKilled {
		oom = ", OOMKilled"
	}
	return check.Same(fmt.Sprintf("%s, code %d%s, RestartCount %d", c.Status, c.ExitCode, oom, c.RestartCount))
}
