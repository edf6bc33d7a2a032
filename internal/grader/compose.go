package grader

import (
	"context"
	"errors"
	"fmt"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/engine"
)

// ProjectName is the Compose project name of this run for a lab: unique, so that grading never
// touches the student's own `docker compose up` of the same lab, nor another run.
func (r *Run) ProjectName() string {
	return fmt.Sprintf("%s-%s", r.Spec.Lab, check.ShortID(r.ID))
}

// Composer returns the engine's Compose runner, created once per run, with Compose's progress
// on the run's detail output.
func (r *Run) Composer() (engine.Composer, error) {
	if r.composer != nil {
		return r.composer, nil
	}
	c, err := r.Engine.Composer(r.Detail)
	if err != nil {
		return nil, err
	}
	r.composer = c
	return c, nil
}

// ComposeLimits bound every service a student's project starts on the grading host.
func ComposeLimits() compose.Limits { return compose.Limits{Memory: 512 << 20, Pids: 512, CPUs: 1} }

// BuildProject builds the project's build: services through the grader's build path and
// registers each image for removal.
func (r *Run) BuildProject(ctx context.Context, p *types.Project) ([]compose.Built, error) {
	return compose.Build(ctx, r.Engine, p, compose.BuildOptions{
		CacheScope: r.CacheScope(),
		Labels:     r.Labels(),
		Progress: func(service string) {
			r.Progress(check.T("construction du service %s…", "building service %s…", service))
		},
		Detail: r.Detail,
		Done: func(tag string) {
			r.Cleanup.Add("image "+tag, func(ctx context.Context) error {
				err := r.Engine.RemoveImage(ctx, tag, true)
				if errors.Is(err, engine.ErrNotFound) {
					return nil
				}
				return err
			})
		},
	})
}

// Up runs the project (prepared: labels, limits, no pull) and registers, once per project,
// its removal with its volumes, which also runs after Ctrl-C or a timeout.
func (r *Run) Up(ctx context.Context, p *types.Project, o engine.UpOptions) error {
	c, err := r.Composer()
	if err != nil {
		return err
	}
	if r.projects == nil {
		r.projects = map[string]bool{}
	}
	if !r.projects[p.Name] {
		r.projects[p.Name] = true
		r.Cleanup.Add("compose project "+p.Name, func(ctx context.Context) error {
			return c.Down(ctx, p, true)
		})
	}
	compose.Prepare(p, r.Labels(), ComposeLimits())
	return c.Up(ctx, p, o)
}
