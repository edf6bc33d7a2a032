package images

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cli/clitest"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/images"
)

func TestNewCmdImages(t *testing.T) {
	tests := []struct {
		name      string
		cli       string
		wants     Options
		wantsErr  string
		busybox   string
		goroot    string
		registry  string
		wantForce bool
	}{
		{name: "no argument builds all", cli: "", wants: Options{Action: "build", Refs: []string{}}},
		{name: "build one", cli: "build ddlab/go:1 --force", wants: Options{Action: "build", Refs: []string{"ddlab/go:1"}, Force: true}},
		{name: "images without action", cli: "ddlab/kv:1", wants: Options{Action: "build", Refs: []string{"ddlab/kv:1"}}},
		{name: "check", cli: "check", wants: Options{Action: "check", Refs: []string{}}},
		{name: "tools", cli: "--busybox /bin/busybox --goroot /usr/lib/go", wants: Options{Action: "build", Refs: []string{}},
			busybox: "/bin/busybox", goroot: "/usr/lib/go"},
		{name: "pull from a registry", cli: "pull --registry 127.0.0.1:5000/cours", wants: Options{Action: "pull", Refs: []string{}},
			registry: "127.0.0.1:5000/cours"},
		{name: "push", cli: "push ddlab/go:1", wants: Options{Action: "push", Refs: []string{"ddlab/go:1"}}},
		{name: "unknown flag", cli: "--pull", wantsErr: "unknown flag: --pull"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := clitest.Factory(t)
			var got *Options
			cmd := NewCmdImages(f, func(_ context.Context, o *Options) error { got = o; return nil })
			err := clitest.Execute(cmd, tt.cli)
			if tt.wantsErr != "" {
				require.ErrorContains(t, err, tt.wantsErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Equal(t, tt.busybox, got.Builder.Busybox)
			assert.Equal(t, tt.goroot, got.Builder.GoRoot)
			wantRegistry := tt.registry
			if wantRegistry == "" {
				wantRegistry = images.DefaultRegistry
			}
			assert.Equal(t, wantRegistry, got.Dist.registry)
			got.F, got.Builder, got.Dist = nil, nil, nil
			if got.Refs == nil {
				got.Refs = []string{}
			}
			assert.Equal(t, tt.wants, *got)
		})
	}
}

// engineWith answers ListImages with the base images, each current unless stale or missing.
func engineWith(missing, stale string) *enginefake.Fake {
	return &enginefake.Fake{ListImagesFn: func(context.Context, string) ([]engine.ImageSummary, error) {
		var out []engine.ImageSummary
		for _, img := range images.All() {
			if img.Ref == missing {
				continue
			}
			v := images.AssetsVersion
			if img.Ref == stale {
				v = "0"
			}
			out = append(out, engine.ImageSummary{ID: "sha256:" + img.Ref, Tags: []string{img.Ref}, Labels: map[string]string{"ddlab.assets": v}})
		}
		return out, nil
	}}
}

func Test_imagesRun(t *testing.T) {
	first := images.All()[0].Ref
	tests := []struct {
		name      string
		lang      string
		opts      Options
		engine    func() (engine.Engine, error)
		wantOut   []string
		wantErr   string
		wantExit  int
		wantCalls []string
	}{
		{name: "check, all present", opts: Options{Action: "check"}, engine: func() (engine.Engine, error) { return engineWith("", ""), nil },
			wantOut: []string{first + "    présente"}},
		{name: "check, one missing and one stale", opts: Options{Action: "check"},
			engine:  func() (engine.Engine, error) { return engineWith(first, "ddlab/kv:1"), nil },
			wantOut: []string{first + "    absente", "ddlab/kv:1         périmée"}, wantExit: cliutil.ExitEngine},
		{name: "build, nothing to do", opts: Options{Action: "build"}, engine: func() (engine.Engine, error) { return engineWith("", ""), nil },
			wantOut: []string{"ddlab/probe:1      présente"}, wantCalls: []string{"ListImages ddlab.assets", "ListImages ddlab.assets"}},
		{name: "build an unknown image, before dialling the engine", opts: Options{Action: "build", Refs: []string{"ddlab/nope:1"}},
			engine:  func() (engine.Engine, error) { t.Error("the engine was dialled"); return nil, engine.ErrUnavailable },
			wantErr: "ddlab/nope:1 n'est pas une image du cours"},
		{name: "check in English", opts: Options{Action: "check"}, lang: "en",
			engine:  func() (engine.Engine, error) { return engineWith(first, "ddlab/kv:1"), nil },
			wantOut: []string{first + "    missing", "ddlab/kv:1         stale", "ddlab/probe:1      present"}, wantExit: cliutil.ExitEngine},
		{name: "no engine", opts: Options{Action: "check"}, engine: func() (engine.Engine, error) { return nil, engine.ErrUnavailable },
			wantErr: "docker engine unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, _ := clitest.Factory(t)
			f.Language = tt.lang
			var fake *enginefake.Fake
			f.Engine = func() (engine.Engine, error) {
				e, err := tt.engine()
				if e != nil {
					fake = e.(*enginefake.Fake)
				}
				return e, err
			}
			opts := tt.opts
			opts.F, opts.Builder = f, &images.Builder{}
			err := imagesRun(context.Background(), &opts)
			switch {
			case tt.wantErr != "":
				require.ErrorContains(t, err, tt.wantErr)
				return
			case tt.wantExit != 0:
				var ee *cliutil.ExitError
				require.True(t, errors.As(err, &ee), "%v", err)
				assert.Equal(t, tt.wantExit, ee.Code)
			default:
				require.NoError(t, err)
			}
			for _, s := range tt.wantOut {
				assert.Contains(t, stdout.String(), s)
			}
			if tt.wantCalls != nil {
				assert.Equal(t, tt.wantCalls, fake.Calls(), "nothing built")
			}
		})
	}
}
