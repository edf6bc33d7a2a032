package grader

import (
	"context"
	"errors"
	"fmt"
	"github.com/ddlab/grade/internal/check"
	"strconv"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/engine"
)

// Contract names what an exclusive lab's students create under fixed names (`lab1-web`, port 8081…).
// Two runs of such a lab on one engine would fight over them, so they take turns, and what the
// contract names is removed before and after each run, along with everything labelled
// ddlab.lab=<lab> (docs/labs/README.md §0.1).
type Contract struct {
	Containers []string
	Networks   []string
	Volumes    []string
	Images     []string // references, "lab3/site:build"
}

// lockImage is the image of the lock container; it is never started.
const lockImage = "ddlab/busybox:1"

// Lock waits for this run's turn at the lab on the engine, then clears the lab's objects.
// The turn is a stopped container named ddlab-lock-<lab>: the engine makes names unique, so
// creating it is the atomic test-and-set. Its removal, and the sweep after the run, are
// registered on r.Cleanup. A lock older than its expiry (a grader killed with SIGKILL) is
// broken.
func (r *Run) Lock(ctx context.Context, c Contract) error {
	e, lab := r.Engine, r.Spec.Lab
	name := "ddlab-lock-" + lab
	expires := time.Now().Add(time.Duration(r.Spec.Timeout) + 5*time.Minute)
	waitUntil := time.Now().Add(time.Duration(r.Spec.Timeout))
	spec := engine.RunSpec{Name: name, Image: lockImage, Cmd: []string{"true"}, Labels: map[string]string{
		"ddlab.run": r.ID, "ddlab.tool": "grade", "ddlab.lock": lab,
		"ddlab.lock.expires": strconv.FormatInt(expires.Unix(), 10),
	}}
	told := false
	for {
		id, err := e.Create(ctx, spec)
		if err == nil {
			r.Cleanup.Add("lock "+lab, func(ctx context.Context) error {
				return e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id})
			})
			r.turn = c
			break
		}
		if !errors.Is(err, engine.ErrConflict) {
			if errors.Is(err, engine.ErrNotFound) {
				return fmt.Errorf("%s is missing: run `grade images` first: %w", lockImage, err)
			}
			return fmt.Errorf("lock %s: %w", lab, err)
		}
		holder, err := e.InspectContainer(ctx, name)
		if errors.Is(err, engine.ErrNotFound) {
			continue // released meanwhile
		} else if err != nil {
			return fmt.Errorf("lock %s: %w", lab, err)
		}
		if exp, err := strconv.ParseInt(holder.Labels["ddlab.lock.expires"], 10, 64); err != nil || time.Now().Unix() > exp {
			r.Progress(check.T("%s : verrou périmé d'une correction interrompue, supprimé", "%s: stale lock of an interrupted grading, removed", lab))
			if err := e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: holder.ID}); err != nil {
				return fmt.Errorf("lock %s: %w", lab, err)
			}
			continue
		}
		if !told {
			r.Progress(check.T("%s : une autre correction de %[1]s utilise ce moteur (noms et ports fixes du contrat) ; attente de son tour…", "%s: another grading of %[1]s is using this engine (the contract's fixed names and ports); waiting for its turn…", lab))
			told = true
		}
		if time.Now().After(waitUntil) {
			return fmt.Errorf("another %s run held the engine for longer than the lab's timeout (%s); try again later", lab, time.Duration(r.Spec.Timeout))
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the other %s run on this engine: %w", lab, ctx.Err())
		case <-time.After(time.Second):
		}
	}
	since := time.Now()
	r.Cleanup.Add("objects of "+lab, func(ctx context.Context) error {
		err := r.ClearLab(ctx, c)
		// A student's `docker rm` without -v orphans the anonymous volumes of an image's
		// VOLUME: they carry no label, the engine's events tie them to the lab's containers.
		vols, verr := MountedVolumes(ctx, e, lab, c, since)
		errs := []error{err, verr}
		for _, v := range vols {
			if Anonymous(v) {
				if err := e.Remove(ctx, engine.Ref{Kind: engine.KindVolume, ID: v}); err != nil && !errors.Is(err, engine.ErrNotFound) {
					errs = append(errs, err)
				}
			}
		}
		return errors.Join(errs...)
	})
	return r.ClearLab(ctx, c)
}

// MountedVolumes lists the volumes that the lab's containers (labelled ddlab.lab=<lab>, or
// named by the contract) mounted since a time, read from the engine's events so that other
// labs' volumes never count.
func MountedVolumes(ctx context.Context, e engine.System, lab string, c Contract, since time.Time) ([]string, error) {
	evs, err := e.Events(ctx, engine.EventFilter{Since: since, Until: time.Now()})
	if err != nil {
		return nil, err
	}
	named := map[string]bool{}
	for _, n := range c.Containers {
		named[n] = true
	}
	ours := map[string]bool{}
	for _, ev := range evs {
		if ev.Type == "container" && (ev.Attrs["ddlab.lab"] == lab || named[ev.Name]) {
			ours[ev.ID] = true
		}
	}
	seen := map[string]bool{}
	var vols []string
	for _, ev := range evs {
		if ev.Type == "volume" && ev.Action == "mount" && ours[ev.Attrs["container"]] && !seen[ev.ID] {
			seen[ev.ID] = true
			vols = append(vols, ev.ID)
		}
	}
	return vols, nil
}

// Anonymous tells an anonymous volume's name (64 hex digits) from a named one.
func Anonymous(name string) bool {
	if len(name) != 64 {
		return false
	}
	for _, r := range name {
		if !strings.ContainsRune("0123456789abcdef", r) {
			return false
		}
	}
	return true
}

// ClearLab removes what the contract names and everything labelled ddlab.lab=<lab>.
func (r *Run) ClearLab(ctx context.Context, c Contract) error {
	e := r.Engine
	var errs []error
	refs, err := e.List(ctx, "ddlab.lab="+r.Spec.Lab)
	if err != nil {
		return err
	}
	for _, n := range c.Containers {
		refs = append(refs, engine.Ref{Kind: engine.KindContainer, ID: n})
	}
	for _, n := range c.Networks {
		refs = append(refs, engine.Ref{Kind: engine.KindNetwork, ID: n})
	}
	for _, n := range c.Volumes {
		refs = append(refs, engine.Ref{Kind: engine.KindVolume, ID: n})
	}
	// Containers first, so networks, volumes and images are free to go.
	for _, kind := range []engine.Kind{engine.KindContainer, engine.KindNetwork, engine.KindVolume, engine.KindImage} {
		for _, ref := range refs {
			if ref.Kind == kind {
				if err := e.Remove(ctx, ref); err != nil && !errors.Is(err, engine.ErrNotFound) {
					errs = append(errs, err)
				}
			}
		}
	}
	for _, img := range c.Images {
		if err := e.RemoveImage(ctx, img, true); err != nil && !errors.Is(err, engine.ErrNotFound) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
