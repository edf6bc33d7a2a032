package lab06

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
)

// The scenario's later steps, each run once: seed (PUT k through the app), reader.sh,
// down.sh, up.sh again, and purge.sh. Each starts the steps it follows, so the checks may be
// reordered without changing what is observed.

func (s *state) port() string { return s.run.Spec.Params["port"] }

// client returns the app's HTTP client.
func (s *state) client() kvClient {
	if s.kv.base == "" {
		s.kv.base = "http://127.0.0.1:" + s.port()
	}
	return s.kv
}

// appWait is how long the app may take to answer after up.sh or a restart.
func (s *state) appWait() (time.Duration, error) {
	ps := grader.ReadValues(s.run.Spec)
	return ps.Duration("app-wait"), ps.Err
}

// app waits for lab6-kv to answer on the published port. On a remote engine it returns the
// environment skip; when the app never answers, the failure says what is published.
func (s *state) app(ctx context.Context) (*check.Outcome, error) {
	if skip, err := s.needLocal(ctx); skip != nil || err != nil {
		return skip, err
	}
	wait, err := s.appWait()
	if err != nil {
		return nil, err
	}
	// A container that never answered is not waited for again by every later check.
	c, err := s.run.Engine.InspectContainer(ctx, kvName)
	instance := ""
	if err == nil {
		instance = c.ID + c.StartedAt.String()
		if s.deaf != nil && s.deaf.instance == instance {
			return &s.deaf.fail, nil
		}
	}
	ok, last := s.client().waitHealthy(ctx, wait)
	if ok {
		return nil, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	published := check.Lit("ports publiés : (aucun)", "published ports: (none)")
	if c, err := s.run.Engine.InspectContainer(ctx, kvName); err == nil {
		var ps []string
		for _, p := range c.Ports {
			ps = append(ps, fmt.Sprintf("%s:%s→%s", p.HostIP, p.HostPort, p.ContainerPort))
		}
		if len(ps) > 0 {
			published = check.T("ports publiés : %s", "published ports: %s", strings.Join(ps, ", "))
		}
		if !c.Running {
			stopped := check.T(" ; %s ne tourne plus (code %d)", "; %s no longer runs (code %d)", kvName, c.ExitCode)
			published.FR, published.EN = published.FR+stopped.FR, published.EN+stopped.EN
		}
	}
	o := check.Failf("L'application ne répond pas sur 127.0.0.1:%s en %s (« %s »).", "The app does not answer on 127.0.0.1:%s within %s (%s).",
		s.port(), wait, last).WithT(check.T("-p 127.0.0.1:%s:8080 et GET /health → 200", "-p 127.0.0.1:%s:8080 and GET /health → 200", s.port()), published)
	if instance != "" {
		s.deaf = &deafApp{instance: instance, fail: o}
	}
	return &o, nil
}

// seed writes the nonce at key through the app, so it lands wherever /data is mounted.
func (s *state) seed(ctx context.Context) (*check.Outcome, error) {
	if s.seeded {
		return s.seedFail, nil
	}
	fail, err := s.app(ctx)
	if err != nil {
		return nil, err
	}
	if fail == nil {
		fail, err = s.put(ctx)
		if err != nil {
			return nil, err
		}
	}
	s.seeded, s.seedFail = true, fail
	return fail, nil
}

// put writes the nonce at key.
func (s *state) put(ctx context.Context) (*check.Outcome, error) {
	r, err := s.client().do(ctx, http.MethodPut, "/kv/"+key, s.nonce)
	if err != nil || r.Status != http.StatusOK {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		seen := ""
		if err != nil {
			seen = check.OneLine(err.Error(), 200)
		} else {
			seen = r.String()
		}
		o := check.Failf("PUT /kv/%s n'a pas été enregistré par l'application (/data est-il accessible en écriture ?).",
			"PUT /kv/%s was not stored by the app (is /data writable?).", key).With(`HTTP 200 {"ok":true}`, seen)
		return &o, nil
	}
	return nil, nil
}

// get reads key through the app.
func (s *state) get(ctx context.Context) (reply, error) {
	return s.client().do(ctx, http.MethodGet, "/kv/"+key, "")
}

// reader runs reader.sh once; on a local engine after the seed, so the reader has data to see.
func (s *state) reader(ctx context.Context) (res *scriptRun, err error) {
	if !s.readerDone {
		if err := s.seedIfLocal(ctx); err != nil {
			return nil, err
		}
		s.readerRes, err = s.run.Script(ctx, "reader.sh")
		if err != nil {
			return nil, err
		}
		if err := s.observe(ctx, check.Lit("après reader.sh", "after reader.sh")); err != nil {
			return nil, err
		}
		s.readerDone = true
	}
	return &scriptRun{check.Same("reader.sh"), s.readerRes}, nil
}

// seedIfLocal seeds when the app can be reached; a failed seed is lab6.shared-ro's or
// lab6.persistence's to report.
func (s *state) seedIfLocal(ctx context.Context) error {
	info, err := s.kit.EngineInfo(ctx)
	if err != nil || !engineSeesFolder(info) {
		return err
	}
	_, err = s.seed(ctx)
	return err
}

// down runs down.sh once, after the seed and reader.sh, and notes what it left.
func (s *state) down(ctx context.Context) (*scriptRun, error) {
	if !s.downDone {
		if _, err := s.reader(ctx); err != nil {
			return nil, err
		}
		if err := s.observe(ctx, check.Lit("avant down.sh", "before down.sh")); err != nil {
			return nil, err
		}
		res, err := s.run.Script(ctx, "down.sh")
		if err != nil {
			return nil, err
		}
		if s.downLeft, err = s.leftNames(ctx); err != nil {
			return nil, err
		}
		if s.downHasVo, err = s.volumeExists(ctx); err != nil {
			return nil, err
		}
		s.downRes, s.downDone = res, true
	}
	return &scriptRun{check.Same("down.sh"), s.downRes}, nil
}

// reup runs up.sh after down.sh, once, and leaves lab6-kv running or says why not.
func (s *state) reup(ctx context.Context) (*check.Outcome, error) {
	if s.reupDone {
		return s.reupFail, nil
	}
	if _, err := s.down(ctx); err != nil {
		return nil, err
	}
	res, err := s.run.Script(ctx, "up.sh")
	if err != nil {
		return nil, err
	}
	if err := s.observe(ctx, check.Lit("après down.sh puis up.sh", "after down.sh then up.sh")); err != nil {
		return nil, err
	}
	by := check.Lit("up.sh (après down.sh)", "up.sh (after down.sh)")
	var fail *check.Outcome
	if res.ExitCode != 0 {
		o := grader.ScriptFailedAs(by, res)
		fail = &o
	} else if s.reupID, fail, err = s.running(ctx, kvName, by); err != nil {
		return nil, err
	}
	s.reupDone, s.reupFail = true, fail
	return fail, nil
}

// purge runs purge.sh once, after everything that needs the volume, and notes what it left.
func (s *state) purge(ctx context.Context) (*scriptRun, error) {
	if !s.purgeDone {
		if _, err := s.reup(ctx); err != nil {
			return nil, err
		}
		res, err := s.run.Script(ctx, "purge.sh")
		if err != nil {
			return nil, err
		}
		if s.purgeLeft, err = s.leftNames(ctx); err != nil {
			return nil, err
		}
		if s.purgeHasVo, err = s.volumeExists(ctx); err != nil {
			return nil, err
		}
		s.purgeRes, s.purgeDone = res, true
	}
	return &scriptRun{check.Same("purge.sh"), s.purgeRes}, nil
}
