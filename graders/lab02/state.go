package lab02

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"time"

	"github.com/ddlab/grade/internal/apiproxy"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// state is what the checks of one run share: the proxy, and each script's single run.
// Checks run one after another, so no lock is needed.
type state struct {
	run   *grader.Run
	proxy *apiproxy.Proxy
	kit   *scriptlab.Session

	api     *scriptRun
	apiCtr  *engine.Container // lab2-api right after api.sh; nil when absent
	apiLogs engine.Logs       // its logs at the same moment, before any grader request adds lines
	apiEvts []engine.Event    // container events during api.sh

	cli       *scriptRun
	infoRun   *scriptRun
	clean     *scriptRun
	cleanIDs  map[string]string // name → ID of the containers cleanup.sh had to remove
	standIns  []string          // names the grader created because the scripts had not
	cleanLeft []string          // names still there after cleanup.sh
}

// stateFor starts lab 2's state for a run.
func stateFor(r *grader.Run) *state {
	return &state{run: r, kit: scriptlab.New(r)}
}

// scriptRun is one script's run and what the proxy recorded meanwhile.
type scriptRun struct {
	res          script.Result
	recs         []apiproxy.Record
	dropped      int
	since, until time.Time
}

// ensureProxy starts the recording proxy on first use; it lives until the run's cleanup.
func (s *state) ensureProxy(ctx context.Context) (*apiproxy.Proxy, error) {
	if s.proxy != nil {
		return s.proxy, nil
	}
	// The check's context ends with the check; the proxy must serve the whole run.
	p, err := apiproxy.Start(context.WithoutCancel(ctx), s.run.Engine.Dial, apiproxy.Options{Guard: s.run.ScriptGuard()})
	if err != nil {
		return nil, err
	}
	s.run.Cleanup.Add("API proxy", func(context.Context) error { return p.Close() })
	s.proxy = p
	return p, nil
}

// script runs name once with DOCKER_API_URL, and records what the proxy saw during it.
func (s *state) script(ctx context.Context, name string) (*scriptRun, error) {
	p, err := s.ensureProxy(ctx)
	if err != nil {
		return nil, err
	}
	mark, dropped := p.Len(), p.Dropped()
	sr := &scriptRun{since: time.Now()}
	sr.res, err = s.run.Script(ctx, name, "DOCKER_API_URL="+p.URL)
	sr.until = time.Now()
	if err != nil {
		return nil, err
	}
	sr.recs, sr.dropped = p.Since(mark), p.Dropped()-dropped
	grader.NoteRequests(&sr.res, sr.recs)
	return sr, nil
}

// apiRun runs api.sh once and observes lab2-api, its logs and the engine's events at once,
// before any other check touches the container.
func (s *state) apiRun(ctx context.Context) (*scriptRun, error) {
	if s.api != nil {
		return s.api, nil
	}
	sr, err := s.script(ctx, "api.sh")
	if err != nil {
		return nil, err
	}
	e := s.run.Engine
	c, err := e.InspectContainer(ctx, apiName)
	switch {
	case errors.Is(err, engine.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		s.apiCtr = &c
		if s.apiLogs, err = e.ReadLogs(ctx, c.ID, engine.LogOptions{}); err != nil {
			return nil, err
		}
	}
	// A second of margin before: the engine's clock may differ slightly from ours; no create
	// or start of lab2-api can happen between the lab's clearing and api.sh.
	evts, err := e.Events(ctx, engine.EventFilter{Since: sr.since.Add(-time.Second), Until: sr.until, Type: "container"})
	if err != nil {
		return nil, err
	}
	for _, ev := range evts {
		if ev.Name == apiName {
			s.apiEvts = append(s.apiEvts, ev)
		}
	}
	s.api = sr
	return sr, nil
}

func (s *state) cliRun(ctx context.Context) (*scriptRun, error) {
	if s.cli == nil {
		sr, err := s.script(ctx, "cli.sh")
		if err != nil {
			return nil, err
		}
		s.cli = sr
	}
	return s.cli, nil
}

func (s *state) infoScript(ctx context.Context) (*scriptRun, error) {
	if s.infoRun == nil {
		sr, err := s.script(ctx, "info.sh")
		if err != nil {
			return nil, err
		}
		s.infoRun = sr
	}
	return s.infoRun, nil
}

// scriptExists tells a missing script from one that failed, for scripts run through a wrapper.
func (s *state) scriptExists(name string) bool {
	st, err := os.Lstat(filepath.Join(s.run.Files, name))
	return err == nil && st.Mode().IsRegular()
}

// scriptMissing is the Result Run.Script gives for a missing script.
func scriptMissing(name string) script.Result {
	return script.Result{ExitCode: 127, Missing: true}
}
