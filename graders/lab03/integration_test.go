package lab03_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/graders/lab03"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/gradetest"
)

// TestFixtures grades the reference solution, the starter and one failing fixture per check
// (testdata/<case>/) on the real engine, one after another (fixed image names: runs take
// turns), compares every check's status with want.json, and requires that nothing of the run
// or of the lab is left, registry names on the base images included.
func TestFixtures(t *testing.T) {
	gradetest.SerialFixtures(t, "lab3", lab03.New().Meta().Contract, func(t *testing.T, e engine.Engine, _ gradetest.Report) {
		assert.Empty(t, registryTags(t, e), "registry names left on the base images")
	})
}

// registryTags lists names under the grader's registry, or of the lab, left on the base
// images (a script may tag or push one).
func registryTags(t *testing.T, e engine.Engine) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var left []string
	imgs, err := e.ListImages(ctx, "ddlab.assets")
	require.NoError(t, err)
	for _, img := range imgs {
		for _, tag := range img.Tags {
			if strings.HasPrefix(tag, "127.0.0.1:") || strings.HasPrefix(tag, "lab3/") {
				left = append(left, "tag "+tag)
			}
		}
	}
	return left
}
