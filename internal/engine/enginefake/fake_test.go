package enginefake

import (
	"context"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
)

func TestRoleFakes(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name      string
		call      func() error // calls one method of an unstubbed role fake
		stubbed   func() error // the same method, stubbed
		wantCalls []string
	}{
		{"system", func() error { _, err := (&System{}).Info(ctx); return err },
			func() error {
				s := &System{InfoFn: func(context.Context) (engine.Info, error) { return engine.Info{}, nil }}
				_, err := s.Info(ctx)
				return err
			}, []string{"Info"}},
		{"builds", func() error { _, err := (&Builds{}).Build(ctx, engine.BuildRequest{Tag: "t"}); return err },
			func() error {
				b := &Builds{BuildFn: func(context.Context, engine.BuildRequest) (engine.BuildResult, error) {
					return engine.BuildResult{}, nil
				}}
				_, err := b.Build(ctx, engine.BuildRequest{Tag: "t"})
				return err
			}, []string{"Build t target="}},
		{"containers", func() error { _, err := (&Containers{}).InspectContainer(ctx, "c"); return err },
			func() error {
				c := &Containers{InspectContainerFn: func(context.Context, string) (engine.Container, error) { return engine.Container{}, nil }}
				_, err := c.InspectContainer(ctx, "c")
				return err
			}, []string{"InspectContainer c"}},
		{"images", func() error { return (&Images{}).TagImage(ctx, "a", "b") },
			func() error {
				return (&Images{TagImageFn: func(context.Context, string, string) error { return nil }}).TagImage(ctx, "a", "b")
			}, []string{"TagImage a b"}},
		{"networks", func() error { _, err := (&Networks{}).InspectNetwork(ctx, "n"); return err },
			func() error {
				n := &Networks{InspectNetworkFn: func(context.Context, string) (engine.Network, error) { return engine.Network{}, nil }}
				_, err := n.InspectNetwork(ctx, "n")
				return err
			}, []string{"InspectNetwork n"}},
		{"volumes", func() error { _, err := (&Volumes{}).InspectVolume(ctx, "v"); return err },
			func() error {
				v := &Volumes{InspectVolumeFn: func(context.Context, string) (engine.Volume, error) { return engine.Volume{}, nil }}
				_, err := v.InspectVolume(ctx, "v")
				return err
			}, []string{"InspectVolume v"}},
		{"compose", func() error { _, err := (&Compose{}).Composer(nil); return err },
			func() error { _, err := (&Compose{ComposerValue: &Composer{}}).Composer(nil); return err }, []string{"Composer"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.ErrorIs(t, tt.call(), ErrNotStubbed, "an unset method fails loudly")
			assert.NoError(t, tt.stubbed())
		})
	}
}

// Fake is a view over the role fakes: its calls, whatever the role, land in its one log, in
// the order they were made, Compose's verbs included.
func TestFakeLogsEveryRole(t *testing.T) {
	ctx := context.Background()
	f := &Fake{
		InfoFn:  func(context.Context) (engine.Info, error) { return engine.Info{Version: "20.10"}, nil },
		RunFn:   func(context.Context, engine.RunSpec) (string, error) { return "abc", nil },
		ListFn:  func(context.Context, string) ([]engine.Ref, error) { return nil, nil },
		StartFn: func(context.Context, string) error { return nil },
		ComposerValue: &Composer{UpFn: func(context.Context, *types.Project, engine.UpOptions) error {
			return nil
		}},
	}
	var e engine.Engine = f
	info, err := e.Info(ctx)
	require.NoError(t, err)
	assert.Equal(t, "20.10", info.Version)
	id, err := e.Run(ctx, engine.RunSpec{Image: "ddlab/busybox:1"})
	require.NoError(t, err)
	assert.Equal(t, "abc", id)
	_, err = e.InspectImage(ctx, "x")
	assert.ErrorIs(t, err, ErrNotStubbed)
	c, err := e.Composer(nil)
	require.NoError(t, err)
	require.NoError(t, c.Up(ctx, &types.Project{Name: "p"}, engine.UpOptions{}))
	assert.Equal(t, []string{"Info", "Run ddlab/busybox:1", "InspectImage x", "Composer", "ComposeUp p "}, f.Calls())

	// A role fake keeps its own log.
	s := &Containers{StartFn: func(context.Context, string) error { return nil }}
	require.NoError(t, s.Start(ctx, "c1"))
	assert.Equal(t, []string{"Start c1"}, s.Calls())
	assert.Len(t, f.Calls(), 5, "a role fake of its own does not write to another fake's log")
}
