package cli

import (
	"context"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
)

// Test_runGradeWithEngine grades with a fake engine whose build fails: the verdict is the
// student's (exit 1), the build carries the run's labels, and the run's objects are swept.
func Test_runGradeWithEngine(t *testing.T) {
	tests := []struct {
		name      string
		build     func(engine.BuildRequest) (engine.BuildResult, error)
		wantExit  int
		wantOut   []string
		wantSwept bool
	}{
		{
			name: "the Dockerfile breaks the build",
			build: func(engine.BuildRequest) (engine.BuildResult, error) {
				return engine.BuildResult{
					Builder: engine.BuildKit, Failed: true,
					Error: `process "/bin/sh -c go build ./..." did not complete successfully: exit code: 1`,
					Steps: []engine.Step{{Name: "[build 1/3] FROM ddlab/go:1", Cached: true}, {Name: "[build 2/3] RUN go build ./..."}},
					Log:   "#7 [build 2/3] RUN go build ./...\n#7 0.912 cmd/server/main.go:12:2: undefined: foo\n",
				}, nil
			},
			wantExit:  cliutil.ExitFailed,
			wantOut:   []string{"La construction (VERSION=1.2.3) échoue", "undefined: foo"},
			wantSwept: true,
		},
		{
			name: "the engine goes away during the build",
			build: func(engine.BuildRequest) (engine.BuildResult, error) {
				return engine.BuildResult{}, engine.ErrUnavailable
			},
			wantExit:  cliutil.ExitEngine,
			wantOut:   []string{"Le moteur Docker est injoignable"},
			wantSwept: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var builds []engine.BuildRequest
			fake := &enginefake.Fake{
				InfoFn: func(context.Context) (engine.Info, error) {
					return engine.Info{Version: "20.10.24+dfsg1", APIVersion: "1.41", OS: "linux", Arch: "amd64", BuildKit: true}, nil
				},
				BuildFn: func(_ context.Context, req engine.BuildRequest) (engine.BuildResult, error) {
					mu.Lock()
					builds = append(builds, req)
					mu.Unlock()
					return tt.build(req)
				},
				ListFn: func(context.Context, string) ([]engine.Ref, error) {
					return []engine.Ref{{Kind: engine.KindContainer, ID: "leftover"}}, nil
				},
				RemoveFn: func(context.Context, engine.Ref) error { return nil },
			}
			dir := solution(t)
			f, stdout, stderr := newFactory(t, func() (engine.Engine, error) { return fake, nil })
			code := Run(context.Background(), f, []string{"lab5", dir})
			assert.Equal(t, tt.wantExit, code, "stdout:\n%s\nstderr:\n%s", stdout, stderr)
			for _, s := range tt.wantOut {
				assert.Contains(t, stdout.String(), s)
			}
			assert.Contains(t, stdout.String(), "20.10.24+dfsg1", "the report names the engine")
			assertNoStack(t, stdout.String()+stderr.String())

			require.NotEmpty(t, builds)
			b := builds[0]
			runID := b.Labels["ddlab.run"]
			require.NotEmpty(t, runID)
			assert.Equal(t, "lab5", b.Labels["ddlab.lab"])
			assert.Equal(t, "1.2.3", b.BuildArgs["VERSION"])
			assert.NotEqual(t, dir, b.ContextDir, "builds read the private snapshot, not the submission")

			calls := fake.Calls()
			assert.Equal(t, "Info", calls[0])
			if tt.wantSwept {
				assert.Contains(t, calls, "List ddlab.run="+runID)
				assert.Contains(t, calls, "Remove container leftover")
			}
			for _, c := range calls {
				assert.False(t, strings.HasPrefix(c, "Run "), "no container may start after a failed build: %s", c)
			}
		})
	}
}
