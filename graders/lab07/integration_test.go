package lab07_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/graders/lab07"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/gradetest"
)

// TestFixtures grades the reference solution, the starter and the failing fixtures
// (testdata/<case>/) on the real engine and compares every check's status with want.json.
// The cases run one after the other: lab 7's names and port are fixed, so runs take turns.
func TestFixtures(t *testing.T) {
	gradetest.SerialFixtures(t, "lab7", lab07.New().Meta().Contract, func(t *testing.T, e engine.Engine, _ gradetest.Report) {
		require.Empty(t, labObjects(t, e), "the student's objects outlive the run")
	})
}

// labObjects lists the containers and networks named lab7-… that exist now: the run's final
// sweep must have removed what the student's scripts created, whatever cleanup.sh did.
func labObjects(t *testing.T, e engine.Engine) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var left []string
	ctrs, err := e.ListContainers(ctx, engine.ContainerFilter{All: true})
	require.NoError(t, err)
	for _, c := range ctrs {
		if strings.HasPrefix(c.Name, "lab7-") {
			left = append(left, "container "+c.Name)
		}
	}
	nets, err := e.ListNetworks(ctx, "")
	require.NoError(t, err)
	for _, n := range nets {
		if strings.HasPrefix(n.Name, "lab7-") {
			left = append(left, "network "+n.Name)
		}
	}
	return left
}
