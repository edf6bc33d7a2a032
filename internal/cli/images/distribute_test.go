package images

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/images"
	"github.com/ddlab/grade/internal/iostreams"
)

// TestDistributeRefusesUnknownImages: pull and push only move the course's images, and say
// so before dialling the engine.
func TestDistributeRefusesUnknownImages(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &cliutil.Factory{IO: ios, Engine: func() (engine.Engine, error) {
		t.Fatal("the engine must not be dialled")
		return nil, errors.New("unreachable")
	}}
	for _, action := range []string{"pull", "push"} {
		err := distribute(context.Background(), f, &images.Builder{}, &distOptions{}, action, []string{"alpine:3"})
		var fe *cliutil.FlagError
		require.ErrorAs(t, err, &fe, action)
		assert.Contains(t, err.Error(), "alpine:3")
	}
}
