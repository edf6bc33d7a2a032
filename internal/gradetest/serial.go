package gradetest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/testenv"
)

// SerialFixtures grades every case of testdata/ one after another on the real engine, for a
// lab with fixed names (runs of it take turns anyway), and after each case requires that
// nothing is left: no object of the run, nothing the contract names, nothing labelled
// ddlab.lab=<lab>. after, when set, adds the lab's own checks on what the case left.
func SerialFixtures(t *testing.T, labName string, c grader.Contract, after func(t *testing.T, e engine.Engine, rep Report)) {
	e := testenv.Engine(t)
	testenv.BaseImages(t, e)
	cases, err := os.ReadDir("testdata")
	require.NoError(t, err)
	for _, cs := range cases {
		if !cs.IsDir() || cs.Name() == "fuzz" {
			continue
		}
		t.Run(cs.Name(), func(t *testing.T) {
			caseDir := filepath.Join("testdata", cs.Name())
			fx := LoadFixture(t, caseDir)
			dir := Prepare(t, labName, caseDir, fx.Case)
			start := time.Now()
			code, rep, stderr := Grade(t, labName, dir, fx.Args...)
			t.Logf("%s graded in %s", cs.Name(), time.Since(start).Round(100*time.Millisecond))
			Check(t, rep, fx.Want)
			require.Equal(t, fx.Case.Exit, code, "exit code; stderr:\n%s", stderr)
			assert.Empty(t, Leftovers(t, e, rep.RunID), "objects of the run left on the engine")
			assert.Empty(t, LabLeftovers(t, e, labName, c), "the lab's objects outlived the run")
			assert.Empty(t, VolumesLeft(t, e, labName, c, start), "volumes the lab's containers mounted outlived the run")
			if after != nil {
				after(t, e, rep)
			}
		})
	}
}

// VolumesLeft lists the volumes that the lab's containers mounted since start and that
// still exist (anonymous volumes carry no label; see grader.MountedVolumes).
func VolumesLeft(t testing.TB, e engine.Engine, labName string, c grader.Contract, since time.Time) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	vols, err := grader.MountedVolumes(ctx, e, labName, c, since)
	require.NoError(t, err)
	var left []string
	for _, v := range vols {
		if _, err := e.InspectVolume(ctx, v); err == nil {
			left = append(left, v)
		}
	}
	return left
}

// LabLeftovers lists what exists of a lab's contract, and anything labelled ddlab.lab=<lab>.
func LabLeftovers(t testing.TB, e engine.Engine, labName string, c grader.Contract) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var left []string
	refs, err := e.List(ctx, "ddlab.lab="+labName)
	require.NoError(t, err)
	for _, r := range refs {
		left = append(left, string(r.Kind)+" "+r.ID+" (labelled)")
	}
	for _, n := range c.Containers {
		if _, err := e.InspectContainer(ctx, n); err == nil {
			left = append(left, "container "+n)
		}
	}
	for _, n := range c.Networks {
		if _, err := e.InspectNetwork(ctx, n); err == nil {
			left = append(left, "network "+n)
		}
	}
	for _, n := range c.Volumes {
		if _, err := e.InspectVolume(ctx, n); err == nil {
			left = append(left, "volume "+n)
		}
	}
	for _, n := range c.Images {
		if _, err := e.InspectImage(ctx, n); err == nil {
			left = append(left, "image "+n)
		}
	}
	return left
}

// ProjectLeftovers lists the containers, networks and volumes of a Compose project (by name
// prefix: a run's variants share it) that still exist.
func ProjectLeftovers(t testing.TB, e engine.Engine, prefix string) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var left []string
	ctrs, err := e.ListContainers(ctx, engine.ContainerFilter{All: true, Labels: []string{"com.docker.compose.project"}})
	require.NoError(t, err)
	for _, c := range ctrs {
		if strings.HasPrefix(c.Labels["com.docker.compose.project"], prefix) {
			left = append(left, "container "+c.Name)
		}
	}
	nets, err := e.ListNetworks(ctx, "")
	require.NoError(t, err)
	for _, n := range nets {
		if strings.HasPrefix(n.Name, prefix) {
			left = append(left, "network "+n.Name)
		}
	}
	vols, err := e.ListVolumes(ctx, "")
	require.NoError(t, err)
	for _, v := range vols {
		if strings.HasPrefix(v.Name, prefix) {
			left = append(left, "volume "+v.Name)
		}
	}
	return left
}
