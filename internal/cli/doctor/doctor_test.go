package doctor

import (
	"context"
	"errors"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/cli/clitest"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/images"
)

func TestNewCmdDoctor(t *testing.T) {
	f, _, _ := clitest.Factory(t)
	var got *Options
	cmd := NewCmdDoctor(f, func(_ context.Context, o *Options) error { got = o; return nil })
	require.NoError(t, clitest.Execute(cmd, ""))
	require.NotNil(t, got)
	assert.Same(t, f, got.F)
	assert.NotNil(t, got.LookPath)
	assert.NotNil(t, got.Statfs)

	got = nil
	require.ErrorContains(t, clitest.Execute(cmd, "lab5"), "n'attend aucun argument (1 donné)")
	assert.Nil(t, got)
}

func Test_doctorRun(t *testing.T) {
	local := engine.Info{Version: "20.10.24", APIVersion: "1.41", OS: "linux", Arch: "amd64", BuildKit: true,
		SwarmState: "inactive", RootDir: "/var/lib/docker", MemoryLimit: true}
	allImages := func(context.Context, string) ([]engine.ImageSummary, error) {
		var out []engine.ImageSummary
		for _, img := range images.All() {
			out = append(out, engine.ImageSummary{ID: "sha256:1", Tags: []string{img.Ref}, Labels: map[string]string{"ddlab.assets": images.AssetsVersion}})
		}
		return out, nil
	}
	everyTool := func(name string) (string, error) { return "/usr/bin/" + name, nil }
	freeGiB := func(gib uint64) func(string, *syscall.Statfs_t) error {
		return func(_ string, st *syscall.Statfs_t) error {
			st.Bavail, st.Bsize = gib<<30>>12, 1<<12
			return nil
		}
	}
	tests := []struct {
		name       string
		lang       string
		engine     func() (engine.Engine, error)
		lookPath   func(string) (string, error)
		statfs     func(string, *syscall.Statfs_t) error
		wantExit   int
		wantOut    []string
		wantNotOut []string
	}{
		{
			name: "ready",
			engine: func() (engine.Engine, error) {
				return &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) { return local, nil }, ListImagesFn: allImages}, nil
			},
			lookPath: everyTool, statfs: freeGiB(10),
			wantOut: []string{"✔ moteur Docker 20.10.24 (linux/amd64), API 1.41", "✔ BuildKit disponible\n", "✔ sh\u00a0: /usr/bin/sh",
				"✔ jq\u00a0: /usr/bin/jq", "✔ ddlab/busybox:1 présente", "✔ espace libre sous /var/lib/docker\u00a0: 10.74GB"},
			wantNotOut: []string{"✘", "moteur distant", "limite mémoire"},
		},
		{
			name: "little disk, no docker CLI, no jq, no memory limit",
			engine: func() (engine.Engine, error) {
				info := local
				info.MemoryLimit = false
				return &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) { return info, nil }, ListImagesFn: allImages}, nil
			},
			lookPath: func(name string) (string, error) {
				if name == "docker" || name == "jq" {
					return "", exec.ErrNotFound
				}
				return "/bin/" + name, nil
			},
			statfs:   freeGiB(1),
			wantExit: cliutil.ExitEngine,
			wantOut: []string{"✘ docker introuvable dans le PATH", "• jq introuvable", "✘ espace libre sous /var/lib/docker\u00a0: 1.074GB",
				"lab4.oom sera ignoré"},
		},
		{
			name: "remote engine: the local disk is not read",
			engine: func() (engine.Engine, error) {
				info := local
				info.Remote = true
				return &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) { return info, nil }, ListImagesFn: allImages}, nil
			},
			lookPath: everyTool,
			statfs: func(string, *syscall.Statfs_t) error {
				t.Error("statfs of a remote engine's folder")
				return nil
			},
			wantOut:    []string{"• moteur distant"},
			wantNotOut: []string{"espace libre"},
		},
		{
			name: "engine unreachable",
			engine: func() (engine.Engine, error) {
				return &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) { return engine.Info{}, engine.ErrUnavailable }}, nil
			},
			wantExit: cliutil.ExitEngine,
			wantOut:  []string{"✘ moteur Docker injoignable\u00a0: docker engine unavailable", "DOCKER_HOST"},
		},
		{
			name:     "no client",
			engine:   func() (engine.Engine, error) { return nil, errors.New(`docker context "gone"`) },
			wantExit: cliutil.ExitEngine,
			wantOut:  []string{"✘ client Docker\u00a0: docker context \"gone\""},
		},
		{
			name: "ready, in English",
			lang: "en",
			engine: func() (engine.Engine, error) {
				info := local
				info.MemoryLimit, info.BuildKit = false, false
				return &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) { return info, nil }, ListImagesFn: allImages}, nil
			},
			lookPath: func(name string) (string, error) {
				if name == "jq" {
					return "", exec.ErrNotFound
				}
				return "/bin/" + name, nil
			},
			statfs:   freeGiB(10),
			wantExit: cliutil.ExitEngine,
			wantOut: []string{"✔ Docker engine 20.10.24 (linux/amd64), API 1.41", "✘ BuildKit not available", "• swarm: inactive",
				"• the engine enforces no memory limit: lab4.oom will be skipped", "• jq not found: the reference solutions of lab 2 use it",
				"✔ ddlab/busybox:1 present", "✔ free space under /var/lib/docker: 10.74GB"},
		},
		{
			name:     "engine unreachable, in English",
			lang:     "en",
			engine:   func() (engine.Engine, error) { return nil, errors.New(`docker context "gone"`) },
			wantExit: cliutil.ExitEngine,
			wantOut:  []string{`✘ Docker client: docker context "gone"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, _ := clitest.Factory(t)
			f.Engine, f.Language = tt.engine, tt.lang
			err := doctorRun(context.Background(), &Options{F: f, LookPath: tt.lookPath, Statfs: tt.statfs})
			if tt.wantExit == 0 {
				require.NoError(t, err, stdout.String())
			} else {
				var ee *cliutil.ExitError
				require.True(t, errors.As(err, &ee), "%v", err)
				assert.Equal(t, tt.wantExit, ee.Code)
			}
			for _, s := range tt.wantOut {
				assert.Contains(t, stdout.String(), s)
			}
			for _, s := range tt.wantNotOut {
				assert.NotContains(t, stdout.String(), s)
			}
			lang := f.Lang()
			assert.Empty(t, check.Foreign(lang, strings.NewReplacer(`docker context "gone"`, "", "docker engine unavailable", "").Replace(stdout.String())), stdout.String())
		})
	}
}
