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

func (s *state) checkRestart(ctx context.Context) (check.Outcome, error) {
	retries, err := s.int("restart-retries")
	if err != nil {
		return check.Outcome{}, err
	}
	wait, err := s.duration("restart-wait")
	if err != nil {
		return check.Outcome{}, err
	}
	c, fail, err := s.app(ctx)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	// A wrong policy is the answer already; crashing the app would only take it away from the
	// checks that follow (with "no" it would never come back).
	if c.Restart.Name != "on-failure" || c.Restart.MaxRetries != retries {
		return check.Failf("La politique de redémarrage de lab4-app est %s.", "lab4-app's restart policy is %s.", policyText(c.Restart)).
			With(fmt.Sprintf("on-failure:%d", retries), policyText(c.Restart)), nil
	}
	base, stop, err := s.baseURL(ctx, c)
	if stop != nil || err != nil {
		return check.Verdict(stop), err
	}
	if rep := s.getReady(ctx, base+"/health", wait, nil); rep.Err != nil {
		return check.Failf("lab4-app ne répond pas sur %s : impossible de le faire planter.", "lab4-app does not answer on %s: cannot crash it.", base).
			With("HTTP 200", rep.String()), nil
	}
	s.run.Progress("POST /crash?code=3 : plantage volontaire de lab4-app…")
	start := time.Now()
	// The app answers, then exits: a reply cut short is expected.
	_ = s.do(ctx, http.MethodPost, base+"/crash?code=3", nil)
	got, err := s.waitRestart(ctx, c, wait)
	if err != nil {
		return check.Outcome{}, err
	}
	took := time.Since(start).Round(100 * time.Millisecond)
	switch {
	case up(got) && got.RestartCount > c.RestartCount:
		return check.Passf("Après POST /crash?code=3, lab4-app a redémarré en %s (RestartCount %d).",
			"After POST /crash?code=3, lab4-app restarted within %s (RestartCount %d).", took, got.RestartCount), nil
	case up(got) && got.StartedAt.Equal(c.StartedAt):
		return check.Failf("lab4-app ne s'est pas arrêté après POST /crash?code=3.", "lab4-app did not stop after POST /crash?code=3.").
			With("un arrêt (code 3) puis un redémarrage", fmt.Sprintf("toujours démarré depuis %s", c.StartedAt.Format(time.RFC3339))), nil
	case up(got):
		return check.Failf("lab4-app a été relancé, mais pas par sa politique de redémarrage (RestartCount %d).",
			"lab4-app was started again, but not by its restart policy (RestartCount %d).", got.RestartCount).
			With("RestartCount ≥ 1", fmt.Sprint(got.RestartCount)), nil
	}
	return check.Failf("lab4-app ne redémarre pas dans les %s qui suivent son plantage.", "lab4-app does not restart within %s of its crash.", wait).
		With("démarré à nouveau, RestartCount ≥ 1", stateText(got)), nil
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

func (s *state) checkOOM(ctx context.Context) (check.Outcome, error) {
	mb, err := s.int("oom-mb")
	if err != nil {
		return check.Outcome{}, err
	}
	wait, err := s.duration("oom-wait")
	if err != nil {
		return check.Outcome{}, err
	}
	info, err := s.kit.EngineInfo(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if !info.MemoryLimit {
		o := check.Skipf("Non évalué : ce moteur Docker ne peut pas limiter la mémoire (pas de cgroup mémoire).",
			"Not evaluated: this Docker engine cannot limit memory (no memory cgroup).")
		o.Excluded = true
		return o, nil
	}
	c, fail, err := s.app(ctx)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	base, stop, err := s.baseURL(ctx, c)
	if stop != nil || err != nil {
		return check.Verdict(stop), err
	}
	if rep := s.getReady(ctx, base+"/health", wait/2, nil); rep.Err != nil {
		return check.Failf("lab4-app ne répond pas sur %s.", "lab4-app does not answer on %s.", base).With("HTTP 200", rep.String()), nil
	}
	if c, err = s.run.Engine.InspectContainer(ctx, c.ID); err != nil {
		return check.Outcome{}, err
	}
	s.run.Progress(fmt.Sprintf("POST /alloc?mb=%d : dépassement volontaire de la limite mémoire…", mb))
	start := time.Now()
	rep := s.do(ctx, http.MethodPost, fmt.Sprintf("%s/alloc?mb=%d", base, mb), nil)
	deadline := time.Now().Add(wait)
	for {
		got, err := s.run.Engine.InspectContainer(ctx, c.ID)
		if err != nil {
			return check.Outcome{}, err
		}
		evs, err := s.run.Engine.Events(ctx, engine.EventFilter{Since: start, Until: time.Now(), Type: "container"})
		if err != nil {
			return check.Outcome{}, err
		}
		k := killedBy(evs, c.ID)
		k.oom = k.oom || got.OOMKilled && !c.OOMKilled
		restarted := up(got) && got.RestartCount > c.RestartCount
		allocated := rep.Err == nil && rep.Status == http.StatusOK
		late := time.Now().After(deadline)
		switch {
		case (k.oom || k.code == 137) && restarted:
			how := "OOMKilled"
			if !k.oom {
				how = "code 137"
			}
			return check.Passf("POST /alloc?mb=%d : le noyau a tué lab4-app (%s), qui a redémarré (RestartCount %d).",
				"POST /alloc?mb=%d: the kernel killed lab4-app (%s), which restarted (RestartCount %d).", mb, how, got.RestartCount), nil
		case allocated && !k.died && time.Since(start) > 2*time.Second:
			// The app holds the memory and answered: nothing limits it.
			limit, _ := s.int64("memory")
			return check.Failf("lab4-app a alloué %d Mio sans être tué : sa mémoire n'est pas limitée à %d Mio.",
				"lab4-app allocated %d MiB without being killed: its memory is not limited to %d MiB.", mb, limit>>20).
				With("un arrêt par le noyau (OOMKilled, code 137)", rep.String()), nil
		case (k.oom || k.code == 137) && (late || got.Status == "exited"):
			// "exited", not "restarting", after the kill: the engine will not restart it.
			return check.Failf("Le noyau a tué lab4-app (OOM), mais il n'a pas redémarré (politique %s).",
				"The kernel killed lab4-app (OOM), but it did not restart (policy %s).", policyText(got.Restart)).
				With("un redémarrage après l'arrêt", stateText(got)), nil
		case !late:
		case k.died:
			return check.Failf("lab4-app s'est arrêté avec le code %d, pas par un dépassement de mémoire.", "lab4-app stopped with exit code %d, not by running out of memory.", k.code).
				With("OOMKilled ou code 137", stateText(got)), nil
		default:
			return check.Failf("POST /alloc?mb=%d n'a pas arrêté lab4-app en %s.", "POST /alloc?mb=%d did not stop lab4-app within %s.", mb, wait).
				With("un arrêt par le noyau (OOMKilled, code 137)", rep.String()+" ; "+stateText(got)), nil
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return check.Outcome{}, err
		}
	}
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

func (s *state) checkManualStop(ctx context.Context) (check.Outcome, error) {
	wait, err := s.duration("manual-stop-wait")
	if err != nil {
		return check.Outcome{}, err
	}
	c, fail, err := s.app(ctx)
	if fail != nil {
		return check.Failf("lab4-app devait être démarré avant l'arrêt manuel, mais ne l'est plus.",
			"lab4-app had to be running before the manual stop, but is not.").With(fail.Expected, stateText(c)), nil
	} else if err != nil {
		return check.Outcome{}, err
	}
	// Freshly restarted, the app may not handle SIGTERM yet; PID 1 ignores a signal it does not
	// handle, and the stop would end in a SIGKILL 10 s later. Wait until it answers.
	if base, stop, err := s.baseURL(ctx, c); err != nil {
		return check.Outcome{}, err
	} else if stop == nil {
		s.getReady(ctx, base+"/health", 5*time.Second, nil)
	}
	s.run.Progress("docker stop lab4-app…")
	if err := s.run.Engine.Stop(ctx, c.ID, 10*time.Second); err != nil {
		return check.Outcome{}, err
	}
	stopped, err := s.run.Engine.InspectContainer(ctx, c.ID)
	if err != nil {
		return check.Outcome{}, err
	}
	deadline := time.Now().Add(wait)
	for time.Now().Before(deadline) {
		if err := sleep(ctx, pollEvery); err != nil {
			return check.Outcome{}, err
		}
		got, err := s.run.Engine.InspectContainer(ctx, c.ID)
		if err != nil {
			return check.Outcome{}, err
		}
		if got.Running || !got.StartedAt.Equal(stopped.StartedAt) {
			return check.Failf("lab4-app a redémarré après un arrêt manuel : quelque chose le relance.",
				"lab4-app started again after a manual stop: something restarts it.").
				With(fmt.Sprintf("arrêté (exited) pendant %s", wait), stateText(got)), nil
		}
	}
	return check.Passf("Après docker stop, lab4-app est resté arrêté pendant %s (%s, code %d).",
		"After docker stop, lab4-app stayed stopped for %s (%s, exit code %d).", wait, stopped.Status, stopped.ExitCode), nil
}

func policyText(p engine.RestartPolicy) string {
	switch {
	case p.Name == "" || p.Name == "no":
		return "no (aucun redémarrage)"
	case p.Name == "on-failure":
		return fmt.Sprintf("on-failure:%d", p.MaxRetries)
	}
	return p.Name
}

func stateText(c engine.Container) string {
	if c.Status == "restarting" {
		return fmt.Sprintf("en cours de redémarrage, RestartCount %d", c.RestartCount)
	}
	if c.Running {
		return fmt.Sprintf("démarré, RestartCount %d", c.RestartCount)
	}
	oom := ""
	if c.OOMKilled {
		oom = ", OOMKilled"
	}
	return fmt.Sprintf("%s, code %d%s, RestartCount %d", c.Status, c.ExitCode, oom, c.RestartCount)
}
