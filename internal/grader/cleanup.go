package grader

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// cleanupTimeout bounds each cleanup of a run, which run even after Ctrl-C. Each has its own
// bound, so one that hangs (a Compose down waiting on a container) cannot starve the removals
// registered before it: images, the lab's sweep, the lock.
const cleanupTimeout = 60 * time.Second

// Cleanup is a LIFO stack of undo functions.
type Cleanup struct {
	mu    sync.Mutex
	funcs []cleanupFunc
}

type cleanupFunc struct {
	what string
	fn   func(ctx context.Context) error
}

// Add registers fn; what names it in error messages.
func (c *Cleanup) Add(what string, fn func(ctx context.Context) error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.funcs = append(c.funcs, cleanupFunc{what, fn})
}

// Run runs every registered function, last first, on a context that ignores ctx's
// cancellation, and returns the errors it met, so none is lost.
func (c *Cleanup) Run(ctx context.Context) []error {
	base := context.WithoutCancel(ctx)
	c.mu.Lock()
	funcs := c.funcs
	c.funcs = nil
	c.mu.Unlock()
	var errs []error
	for i := len(funcs) - 1; i >= 0; i-- {
		fctx, cancel := context.WithTimeout(base, cleanupTimeout)
		if err := funcs[i].fn(fctx); err != nil {
			errs = append(errs, fmt.Errorf("cleanup %s: %w", funcs[i].what, err))
		}
		cancel()
	}
	return errs
}
