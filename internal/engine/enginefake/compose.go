package enginefake

import (
	"context"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/engine"
)

// Composer is a fake engine.Composer: each verb is a func field, every call is logged on the
// Fake that made it.
type Composer struct {
	UpFn      func(ctx context.Context, p *types.Project, o engine.UpOptions) error
	DownFn    func(ctx context.Context, p *types.Project, volumes bool) error
	StopFn    func(ctx context.Context, p *types.Project, services ...string) error
	StartFn   func(ctx context.Context, p *types.Project, services ...string) error
	PauseFn   func(ctx context.Context, p *types.Project, services ...string) error
	UnpauseFn func(ctx context.Context, p *types.Project, services ...string) error

	rec *recorder
}

// Compose fakes engine.Compose: Composer returns ComposerValue, whose calls are logged on the
// Compose fake (or on the Fake it is a view of).
type Compose struct {
	ComposerValue *Composer // what Composer returns; nil: not stubbed

	recorder
}

var _ engine.Compose = (*Compose)(nil)

// Composer returns ComposerValue, logging its calls here; it fails when the test set none.
func (r *Compose) Composer(progress func(string)) (engine.Composer, error) {
	r.log("Composer")
	if r.ComposerValue == nil {
		return nil, ErrNotStubbed
	}
	r.ComposerValue.rec = &r.recorder
	return r.ComposerValue, nil
}

// Composer returns f.ComposerValue, logging its calls on f; it fails when the test set none.
func (f *Fake) Composer(progress func(string)) (engine.Composer, error) {
	return (&Compose{ComposerValue: f.ComposerValue, recorder: recorder{to: &f.recorder}}).Composer(progress)
}

func (c *Composer) Up(ctx context.Context, p *types.Project, o engine.UpOptions) error {
	c.rec.log("ComposeUp %s %s", p.Name, strings.Join(o.Services, ","))
	if c.UpFn == nil {
		return ErrNotStubbed
	}
	return c.UpFn(ctx, p, o)
}

func (c *Composer) Down(ctx context.Context, p *types.Project, volumes bool) error {
	c.rec.log("ComposeDown %s volumes=%t", p.Name, volumes)
	if c.DownFn == nil {
		return ErrNotStubbed
	}
	return c.DownFn(ctx, p, volumes)
}

func (c *Composer) Stop(ctx context.Context, p *types.Project, services ...string) error {
	return c.verb("Stop", c.StopFn, ctx, p, services)
}

func (c *Composer) Start(ctx context.Context, p *types.Project, services ...string) error {
	return c.verb("Start", c.StartFn, ctx, p, services)
}

func (c *Composer) Pause(ctx context.Context, p *types.Project, services ...string) error {
	return c.verb("Pause", c.PauseFn, ctx, p, services)
}

func (c *Composer) Unpause(ctx context.Context, p *types.Project, services ...string) error {
	return c.verb("Unpause", c.UnpauseFn, ctx, p, services)
}

func (c *Composer) verb(name string, fn func(context.Context, *types.Project, ...string) error, ctx context.Context, p *types.Project, services []string) error {
	c.rec.log("Compose%s %s %s", name, p.Name, strings.Join(services, ","))
	if fn == nil {
		return ErrNotStubbed
	}
	return fn(ctx, p, services...)
}
