package engine

import (
	"context"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
)

// Composer runs Compose projects on the engine with the real Compose engine (embedded as a
// library, not the `docker compose` plugin). Projects are compose-go's: internal/compose
// loads them and applies the grader's policy before they get here.
type Composer interface {
	// Up creates and starts the project's services (or only Services), like `docker compose
	// up -d [--wait] [--force-recreate --no-deps]`. It never builds and never pulls: images
	// must exist (the grader builds build: services itself).
	Up(ctx context.Context, p *types.Project, opts UpOptions) error
	// Down removes the project's containers and networks, and its volumes when asked.
	Down(ctx context.Context, p *types.Project, volumes bool) error
	Stop(ctx context.Context, p *types.Project, services ...string) error
	Start(ctx context.Context, p *types.Project, services ...string) error
	Pause(ctx context.Context, p *types.Project, services ...string) error
	Unpause(ctx context.Context, p *types.Project, services ...string) error
}

// UpOptions tune Up.
type UpOptions struct {
	Services    []string      // only these (and, unless NoDeps, what they depend on)
	NoDeps      bool          // --no-deps
	Recreate    bool          // --force-recreate
	Wait        bool          // --wait: return once every started service runs and is healthy
	WaitTimeout time.Duration // bound for Wait
}

// Compose is the engine's role that runs Compose projects: Composer makes the runner of
// projects, with Compose's own progress lines going to progress.
type Compose interface {
	Composer(progress func(line string)) (Composer, error)
}
