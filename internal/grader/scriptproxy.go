package grader

import (
	"context"
	"errors"
	"sync"

	"github.com/ddlab/grade/internal/apiproxy"
	"github.com/ddlab/grade/internal/engine"
)

// scriptProxy is the recording proxy student scripts reach the engine through, started on
// the first script of a run.
type scriptProxy struct {
	mu    sync.Mutex
	proxy *apiproxy.Proxy

	// Where scripts run, decided on the first one: bwrap when in bubblewrap, else unboxedWhy
	// says why on the host, or refused why not at all (--sandbox require).
	decided    bool
	bwrap      string
	unboxedWhy string
	refused    error
}

// scriptHost is DOCKER_HOST for a student script. On a local engine it is a recording proxy
// of the run, so that every container, network and volume a script creates, whatever its
// name or labels, is removed when the run ends (a script that goes around it, straight to the
// socket, escapes only this; the lab's label and contract sweeps still apply).
func (r *Run) scriptHost(ctx context.Context) (string, error) {
	info, err := r.Engine.Info(ctx)
	if err != nil {
		return "", err
	}
	if info.Remote {
		return r.Engine.Host(), nil
	}
	r.scripts.mu.Lock()
	defer r.scripts.mu.Unlock()
	if r.scripts.proxy == nil {
		// The proxy outlives a cancelled grading: cleanup reads its records.
		p, err := apiproxy.Start(context.WithoutCancel(ctx), r.Engine.Dial, apiproxy.Options{Guard: r.ScriptGuard()})
		if err != nil {
			return "", err
		}
		r.scripts.proxy = p
		r.Cleanup.Add("objects made by the scripts", func(ctx context.Context) error {
			defer p.Close()
			return removeCreated(ctx, r.Engine, p.Records())
		})
	}
	return r.scripts.proxy.Host, nil
}

// ScriptGuard is what a student script may ask of the engine: binds from its copy of the lab
// folder only, no capability added (no script lab teaches one), and changes only to what it
// created, what the lab's contract names during this run's turn, and what carries this run's
// or this lab's label (the grader's extra containers).
func (r *Run) ScriptGuard() apiproxy.Guard {
	g := apiproxy.Guard{Dir: r.Files}
	if r.Spec != nil {
		g.Labels = append(g.Labels, "ddlab.lab="+r.Spec.Lab)
	}
	g.Labels = append(g.Labels, "ddlab.run="+r.ID)
	g.Names = append(append(append(g.Names, r.turn.Containers...), r.turn.Networks...), r.turn.Volumes...)
	return g
}

// scriptMark is where the records of the next script start.
func (r *Run) scriptMark() int {
	r.scripts.mu.Lock()
	defer r.scripts.mu.Unlock()
	if r.scripts.proxy == nil {
		return 0
	}
	return r.scripts.proxy.Len()
}

// scriptRecords are the requests the scripts made from mark on; false when no proxy records
// them (a remote engine).
func (r *Run) scriptRecords(mark int) ([]apiproxy.Record, bool) {
	r.scripts.mu.Lock()
	defer r.scripts.mu.Unlock()
	if r.scripts.proxy == nil {
		return nil, false
	}
	return r.scripts.proxy.Since(mark), true
}

// removeCreated removes what the recorded requests created: containers first, so that
// networks and volumes are free to go.
func removeCreated(ctx context.Context, e engine.System, recs []apiproxy.Record) error {
	var errs []error
	for _, kind := range []engine.Kind{engine.KindContainer, engine.KindNetwork, engine.KindVolume} {
		for _, rec := range recs {
			if rec.Created.Kind != string(kind) || rec.Created.ID == "" {
				continue
			}
			if err := e.Remove(ctx, engine.Ref{Kind: kind, ID: rec.Created.ID}); err != nil && !errors.Is(err, engine.ErrNotFound) {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}
