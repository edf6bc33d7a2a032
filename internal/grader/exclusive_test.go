package grader

import (
	"context"
	"fmt"
	"github.com/ddlab/grade/internal/check"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/lab"
)

// lockEngine is an engine where container names are unique, like the real one.
type lockEngine struct {
	*enginefake.Fake
	mu      sync.Mutex
	byName  map[string]engine.Container
	removed []string
}

func newLockEngine() *lockEngine {
	le := &lockEngine{Fake: &enginefake.Fake{}, byName: map[string]engine.Container{}}
	le.CreateFn = func(_ context.Context, spec engine.RunSpec) (string, error) {
		le.mu.Lock()
		defer le.mu.Unlock()
		if _, taken := le.byName[spec.Name]; taken {
			return "", fmt.Errorf("%w: name in use", engine.ErrConflict)
		}
		id := "id-" + spec.Labels["ddlab.run"]
		le.byName[spec.Name] = engine.Container{ID: id, Name: spec.Name, Labels: spec.Labels}
		return id, nil
	}
	le.InspectContainerFn = func(_ context.Context, name string) (engine.Container, error) {
		le.mu.Lock()
		defer le.mu.Unlock()
		c, ok := le.byName[name]
		if !ok {
			return c, engine.ErrNotFound
		}
		return c, nil
	}
	le.RemoveFn = func(_ context.Context, r engine.Ref) error {
		le.mu.Lock()
		defer le.mu.Unlock()
		le.removed = append(le.removed, string(r.Kind)+" "+r.ID)
		for n, c := range le.byName {
			if c.ID == r.ID || n == r.ID {
				delete(le.byName, n)
			}
		}
		return nil
	}
	le.ListFn = func(context.Context, string) ([]engine.Ref, error) {
		return []engine.Ref{{Kind: engine.KindVolume, ID: "labelled-vol"}, {Kind: engine.KindContainer, ID: "labelled-ctr"}}, nil
	}
	anon, other := strings.Repeat("a1", 32), strings.Repeat("b2", 32)
	le.EventsFn = func(context.Context, engine.EventFilter) ([]engine.Event, error) {
		return []engine.Event{
			{Type: "container", Action: "create", ID: "c-ours", Name: "x", Attrs: map[string]string{"ddlab.lab": "lab1"}},
			{Type: "container", Action: "create", ID: "c-web", Name: "lab1-web"},
			{Type: "container", Action: "create", ID: "c-other", Name: "lab2-api", Attrs: map[string]string{"ddlab.lab": "lab2"}},
			{Type: "volume", Action: "mount", ID: anon, Attrs: map[string]string{"container": "c-ours"}},
			{Type: "volume", Action: "mount", ID: "named-data", Attrs: map[string]string{"container": "c-web"}},
			{Type: "volume", Action: "mount", ID: other, Attrs: map[string]string{"container": "c-other"}},
		}, nil
	}
	le.RemoveImageFn = func(_ context.Context, ref string, _ bool) error {
		le.mu.Lock()
		defer le.mu.Unlock()
		le.removed = append(le.removed, "image "+ref)
		return nil
	}
	return le
}

func lockRun(e engine.Engine, id string, timeout time.Duration) *Run {
	return &Run{ID: id, Engine: e, Cleanup: &Cleanup{}, Progress: func(check.Text) {},
		Spec: &lab.Spec{Lab: "lab1", Timeout: lab.Duration(timeout)}}
}

func TestLockClearsTheLabBeforeAndAfter(t *testing.T) {
	e := newLockEngine()
	r := lockRun(e, "run-a", time.Minute)
	c := Contract{Containers: []string{"lab1-web"}, Images: []string{"lab1/x:1"}}
	require.NoError(t, r.Lock(context.Background(), c))
	assert.Contains(t, e.byName, "ddlab-lock-lab1")
	assert.Equal(t, "lab1", e.byName["ddlab-lock-lab1"].Labels["ddlab.lock"])
	assert.NotContains(t, e.byName["ddlab-lock-lab1"].Labels, "ddlab.lab", "the lab sweep must not remove another run's lock")
	// Containers go before volumes, named objects with the labelled ones, images last.
	assert.Equal(t, []string{"container labelled-ctr", "container lab1-web", "volume labelled-vol", "image lab1/x:1"}, e.removed)

	e.removed = nil
	require.Empty(t, r.Cleanup.Run(context.Background()))
	anon := strings.Repeat("a1", 32)
	assert.Equal(t, []string{"container labelled-ctr", "container lab1-web", "volume labelled-vol", "image lab1/x:1",
		"volume " + anon, "container id-run-a"}, e.removed,
		"cleared again after the run, with the anonymous volume a lab container mounted (not a named one, not another lab's), then the lock released")
	assert.NotContains(t, e.byName, "ddlab-lock-lab1")
}

func TestLockWaitsForTheOtherRun(t *testing.T) {
	e := newLockEngine()
	first := lockRun(e, "run-a", time.Minute)
	require.NoError(t, first.Lock(context.Background(), Contract{}))

	var said []string
	second := lockRun(e, "run-b", time.Minute)
	second.Progress = func(s check.Text) { said = append(said, s.FR) }
	done := make(chan error, 1)
	go func() { done <- second.Lock(context.Background(), Contract{}) }()
	select {
	case err := <-done:
		t.Fatalf("the second run did not wait: %v", err)
	case <-time.After(1500 * time.Millisecond):
	}
	first.Cleanup.Run(context.Background())
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(5 * time.Second):
		t.Fatal("the second run never got its turn")
	}
	require.NotEmpty(t, said)
	assert.Contains(t, said[0], "attente de son tour")
	assert.Equal(t, "id-run-b", e.byName["ddlab-lock-lab1"].ID)
}

func TestLockBreaksAnExpiredLock(t *testing.T) {
	e := newLockEngine()
	e.byName["ddlab-lock-lab1"] = engine.Container{ID: "stale", Labels: map[string]string{
		"ddlab.lock.expires": strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10)}}
	r := lockRun(e, "run-a", time.Minute)
	require.NoError(t, r.Lock(context.Background(), Contract{}))
	assert.Equal(t, "id-run-a", e.byName["ddlab-lock-lab1"].ID)
	assert.Contains(t, e.removed, "container stale")
}

func TestLockGivesUp(t *testing.T) {
	e := newLockEngine()
	e.byName["ddlab-lock-lab1"] = engine.Container{ID: "busy", Labels: map[string]string{
		"ddlab.lock.expires": strconv.FormatInt(time.Now().Add(time.Hour).Unix(), 10)}}
	ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
	defer cancel()
	err := lockRun(e, "run-a", time.Hour).Lock(ctx, Contract{})
	require.ErrorIs(t, err, context.DeadlineExceeded)

	err = lockRun(e, "run-b", time.Second).Lock(context.Background(), Contract{})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "longer than the lab's timeout")
}
