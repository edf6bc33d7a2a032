package graders_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/graders"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/labs"
)

func TestGradersMatchCatalog(t *testing.T) {
	cat, err := lab.Load(labs.FS)
	require.NoError(t, err)
	all := graders.All()
	require.NotEmpty(t, all)

	byLab := map[string]grader.Grader{}
	for _, g := range all {
		byLab[g.Lab()] = g
		t.Run(g.Lab(), func(t *testing.T) {
			assert.Equal(t, g.Lab(), lab.Normalize(g.Lab()), "a grader names its lab as the catalog does")
			spec, err := cat.Spec(g.Lab())
			require.NoError(t, err, "the catalog has a spec for %s", g.Lab())
			assert.NoError(t, grader.CrossCheck(spec, g))
			_, err = cat.Starter(g.Lab())
			assert.NoError(t, err)
		})
	}
	for _, e := range cat.Labs {
		if e.Spec == nil {
			continue
		}
		assert.Contains(t, byLab, e.Lab, "%s has a spec but no grader", e.Lab)
	}

	reg, err := grader.NewRegistry(all...)
	require.NoError(t, err)
	var want []string
	for _, e := range cat.Labs {
		if e.Spec != nil {
			want = append(want, e.Lab)
		}
	}
	assert.ElementsMatch(t, want, reg.Labs())
}
