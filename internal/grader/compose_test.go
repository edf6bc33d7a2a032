package grader

import (
	"context"
	"testing"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/lab"
)

// TestUpPreparesAndRegistersDownOnce: every Up runs a prepared project (run labels, limits,
// no pull), and the project's removal with its volumes is registered once, whatever the
// number of ups (scale, recreate, variants under the same name).
func TestUpPreparesAndRegistersDownOnce(t *testing.T) {
	var ups []*types.Project
	var downs []bool
	fake := &enginefake.Fake{ComposerValue: &enginefake.Composer{
		UpFn: func(_ context.Context, p *types.Project, _ engine.UpOptions) error {
			ups = append(ups, p)
			return nil
		},
		DownFn: func(_ context.Context, _ *types.Project, volumes bool) error {
			downs = append(downs, volumes)
			return nil
		},
	}}
	r := &Run{ID: "0123456789abcdef0123", Spec: &lab.Spec{Lab: "lab8"}, Engine: fake, Cleanup: &Cleanup{}, Detail: func(string) {}}
	assert.Equal(t, "lab8-0123456789ab", r.ProjectName())
	p := &types.Project{Name: r.ProjectName(), Services: types.Services{
		"api": {Name: "api", Image: "x", Labels: types.Labels{"mine": "1"}, MemLimit: 4 << 30},
	}, Networks: types.Networks{"back": {Name: "lab8-0123456789ab_back"}}}
	ctx := context.Background()
	require.NoError(t, r.Up(ctx, p, engine.UpOptions{Wait: true}))
	require.NoError(t, r.Up(ctx, p, engine.UpOptions{Services: []string{"api"}}))
	require.Len(t, ups, 2)
	api := ups[0].Services["api"]
	assert.Equal(t, "1", api.Labels["mine"], "the student's labels stay")
	assert.Equal(t, r.ID, api.Labels["ddlab.run"])
	assert.Equal(t, types.PullPolicyNever, api.PullPolicy)
	assert.Equal(t, types.UnitBytes(ComposeLimits().Memory), api.MemLimit, "4 GiB is capped")
	assert.Equal(t, ComposeLimits().Pids, api.PidsLimit)
	assert.Equal(t, r.ID, ups[0].Networks["back"].Labels["ddlab.run"])

	assert.Empty(t, r.Cleanup.Run(ctx))
	assert.Equal(t, []bool{true}, downs, "one down, with volumes")
}

func TestComposerNeedsAComposeEngine(t *testing.T) {
	r := &Run{Engine: &enginefake.Fake{}, Detail: func(string) {}}
	_, err := r.Composer()
	require.ErrorIs(t, err, enginefake.ErrNotStubbed)
}
