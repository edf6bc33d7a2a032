package grader

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/lab"
)

// fakeGrader is a grader whose checks are just IDs.
type fakeGrader struct {
	lab string
	ids []string
}

func (g fakeGrader) Lab() string { return g.lab }

func (g fakeGrader) Meta() Meta { return Meta{Kind: Static} }

func (g fakeGrader) Checks(*Run) []check.Check {
	out := make([]check.Check, len(g.ids))
	for i, id := range g.ids {
		out[i] = check.Check{ID: id, Mode: check.Static, Run: func(context.Context) (check.Outcome, error) {
			return check.Passf("ok", "ok"), nil
		}}
	}
	return out
}

func TestNewRegistry(t *testing.T) {
	lab5 := fakeGrader{"lab5", []string{"lab5.a", "lab5.b"}}
	lab6 := fakeGrader{"lab6", []string{"lab6.a"}}
	tests := []struct {
		name     string
		graders  []Grader
		want     string // error substring; "" when valid
		wantLabs []string
	}{
		{"empty", nil, "", []string{}},
		{"two labs", []Grader{lab6, lab5}, "", []string{"lab5", "lab6"}},
		{"same check ID in two labs is fine", []Grader{lab5, fakeGrader{"lab7", []string{"lab5.a"}}}, "", []string{"lab5", "lab7"}},
		{"duplicate lab", []Grader{lab5, lab6, fakeGrader{"lab5", []string{"lab5.z"}}}, "grader for lab5 registered twice", nil},
		{"duplicate check ID", []Grader{lab6, fakeGrader{"lab5", []string{"lab5.a", "lab5.b", "lab5.a"}}}, "lab5: check lab5.a listed twice", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			reg, err := NewRegistry(tt.graders...)
			if tt.want != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.want)
				assert.Nil(t, reg)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantLabs, reg.Labs())
			for _, l := range tt.wantLabs {
				g, ok := reg.Get(l)
				require.True(t, ok)
				assert.Equal(t, l, g.Lab())
			}
			_, ok := reg.Get("lab99")
			assert.False(t, ok)
		})
	}
}

func TestCheckIDs(t *testing.T) {
	assert.Equal(t, []string{"lab5.a", "lab5.b"}, CheckIDs(fakeGrader{"lab5", []string{"lab5.a", "lab5.b"}}))
	assert.Empty(t, CheckIDs(fakeGrader{"lab5", nil}))
}

func TestCrossCheck(t *testing.T) {
	spec := &lab.Spec{Lab: "lab5", Checks: []lab.CheckSpec{{ID: "lab5.a"}, {ID: "lab5.b"}, {ID: "lab5.c"}}}
	tests := []struct {
		name   string
		ids    []string
		want   []string
		reject []string
	}{
		{"match", []string{"lab5.c", "lab5.a", "lab5.b"}, nil, nil},
		{"grader has a check the spec lacks", []string{"lab5.a", "lab5.b", "lab5.c", "lab5.x"},
			[]string{"lab5: check lab5.x has no entry in the spec"}, []string{"has no check in the grader"}},
		{"spec has an entry the grader lacks", []string{"lab5.a", "lab5.c"},
			[]string{"lab5: spec entry lab5.b has no check in the grader"}, []string{"has no entry in the spec"}},
		{"both directions at once", []string{"lab5.a", "lab5.x", "lab5.y"},
			[]string{"check lab5.x has no entry", "check lab5.y has no entry", "spec entry lab5.b has no check", "spec entry lab5.c has no check"}, nil},
		{"empty grader", nil,
			[]string{"spec entry lab5.a has no check", "spec entry lab5.b has no check", "spec entry lab5.c has no check"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CrossCheck(spec, fakeGrader{"lab5", tt.ids})
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			for _, r := range tt.reject {
				assert.NotContains(t, err.Error(), r)
			}
		})
	}
}

func TestCleanupLIFO(t *testing.T) {
	var c Cleanup
	var order []string
	for _, name := range []string{"first", "second", "third"} {
		c.Add(name, func(context.Context) error {
			order = append(order, name)
			return nil
		})
	}
	assert.Empty(t, c.Run(context.Background()))
	assert.Equal(t, []string{"third", "second", "first"}, order)

	// Run empties the stack: a second Run does nothing.
	order = nil
	assert.Empty(t, c.Run(context.Background()))
	assert.Empty(t, order)
}

func TestCleanupReturnsEveryError(t *testing.T) {
	errA, errC := errors.New("boom a"), errors.New("boom c")
	var c Cleanup
	ran := 0
	c.Add("a", func(context.Context) error { ran++; return errA })
	c.Add("b", func(context.Context) error { ran++; return nil })
	c.Add("c", func(context.Context) error { ran++; return errC })
	errs := c.Run(context.Background())
	assert.Equal(t, 3, ran, "an error does not stop the others")
	require.Len(t, errs, 2)
	assert.ErrorIs(t, errs[0], errC, "last registered, first run")
	assert.ErrorIs(t, errs[1], errA)
	assert.Contains(t, errs[0].Error(), "cleanup c")
	assert.Contains(t, errs[1].Error(), "cleanup a")
}

type ctxKey struct{}

func TestCleanupIgnoresCancellation(t *testing.T) {
	tests := []struct {
		name string
		ctx  func() context.Context
	}{
		{"cancelled", func() context.Context {
			ctx, cancel := context.WithCancel(context.WithValue(context.Background(), ctxKey{}, "v"))
			cancel()
			return ctx
		}},
		{"deadline passed", func() context.Context {
			ctx, cancel := context.WithDeadline(context.WithValue(context.Background(), ctxKey{}, "v"), time.Now().Add(-time.Second))
			t.Cleanup(cancel)
			return ctx
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parent := tt.ctx()
			require.Error(t, parent.Err())
			var c Cleanup
			var got []error
			var deadlines []time.Time
			var values []any
			for range 2 {
				c.Add("x", func(ctx context.Context) error {
					got = append(got, ctx.Err())
					d, ok := ctx.Deadline()
					require.True(t, ok, "cleanups are bounded")
					deadlines = append(deadlines, d)
					values = append(values, ctx.Value(ctxKey{}))
					return nil
				})
			}
			assert.Empty(t, c.Run(parent))
			assert.Equal(t, []error{nil, nil}, got, "cleanups see a live context")
			for _, d := range deadlines {
				assert.WithinDuration(t, time.Now().Add(cleanupTimeout), d, 5*time.Second)
			}
			assert.Equal(t, []any{"v", "v"}, values, "values of the parent are kept")
		})
	}
}

func TestCleanupConcurrentAdd(t *testing.T) {
	var c Cleanup
	var mu sync.Mutex
	count := 0
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Add("n", func(context.Context) error {
				mu.Lock()
				count++
				mu.Unlock()
				return nil
			})
		}()
	}
	wg.Wait()
	assert.Empty(t, c.Run(context.Background()))
	assert.Equal(t, 50, count)
}

func TestRunNames(t *testing.T) {
	r := &Run{ID: "0123456789abcdef0123", Spec: &lab.Spec{Lab: "lab5"}}
	assert.Equal(t, "ddlab-0123456789ab-build", r.Name("build"))
	assert.Equal(t, "ddlab.run=0123456789abcdef0123", r.RunLabel())
	assert.Equal(t, map[string]string{"ddlab.run": r.ID, "ddlab.lab": "lab5", "ddlab.tool": "grade"}, r.Labels())
}

func TestCacheScope(t *testing.T) {
	dir := t.TempDir()
	other := t.TempDir()
	a := (&Run{Source: dir}).CacheScope()
	assert.Regexp(t, `^grade-[0-9a-f]{16}$`, a)
	assert.Equal(t, a, (&Run{Source: dir + "/."}).CacheScope(), "the same folder, written otherwise: the same scope, a warm re-grade")
	assert.NotEqual(t, a, (&Run{Source: other}).CacheScope(), "another student's folder never shares it")
	assert.Equal(t, "ddlab-fixtures", (&Run{Source: dir, Scope: "ddlab-fixtures"}).CacheScope(), "GRADE_CACHE_SCOPE wins")
}
