package lab01

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// plantImage is the image of the stopped container the grader adds before cleanup.sh.
const plantImage = "ddlab/busybox:1"

// checkCleanup adds a stopped container labelled ddlab.lab=lab1 beside whatever run.sh left,
// so a cleanup.sh that forgets stopped containers (`docker ps -q`, `docker rm -f lab1-web`)
// is seen to fail, then runs cleanup.sh and lists what the label still finds.
func (s *state) checkCleanup(ctx context.Context) (check.Outcome, error) {
	r, e := s.run, s.run.Engine
	labels := r.Labels() // ddlab.lab=lab1, plus the run's label: the sweep gets it if cleanup.sh does not
	labels["ddlab.role"] = "cleanup-target"
	name := r.Name("arrete")
	// Created and never started: as stopped as a container gets (`docker ps` hides it,
	// `docker ps -a` shows it), and cheaper than running one to its end.
	id, err := e.Create(ctx, engine.RunSpec{Name: name, Image: plantImage, Cmd: []string{"true"}, Labels: labels,
		NetworkMode: "none", Limits: engine.Limits{MemoryBytes: 16 << 20, Pids: 8}})
	if id != "" {
		r.Cleanup.Add("container "+name, func(ctx context.Context) error {
			if err := e.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id}); err != nil && !errors.Is(err, engine.ErrNotFound) {
				return err
			}
			return nil
		})
	}
	if err != nil {
		return check.Outcome{}, fmt.Errorf("stopped container for cleanup.sh: %w", err)
	}
	before, err := e.ListContainers(ctx, engine.ContainerFilter{Labels: []string{"ddlab.lab=lab1"}, All: true})
	if err != nil {
		return check.Outcome{}, err
	}
	sr, err := s.kit.Script(ctx, "cleanup.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	var after []engine.ContainerSummary
	if sr.Fail == nil {
		if after, err = e.ListContainers(ctx, engine.ContainerFilter{Labels: []string{"ddlab.lab=lab1"}, All: true}); err != nil {
			return check.Outcome{}, err
		}
	}
	return judgeCleanup(sr.Fail, before, after, name), nil
}

// judgeCleanup: cleanup.sh succeeds (scriptFail is nil) and nothing labelled ddlab.lab=lab1
// is left, running or stopped.
func judgeCleanup(scriptFail *check.Outcome, before, after []engine.ContainerSummary, planted string) check.Outcome {
	if scriptFail != nil {
		return *scriptFail
	}
	if len(after) == 0 {
		if len(before) == 1 {
			return check.Passf("cleanup.sh a supprimé le seul conteneur du label ddlab.lab=lab1, %s, arrêté, ajouté par le correcteur.",
				"cleanup.sh removed the only container labelled ddlab.lab=lab1, %s, stopped, added by the grader.", planted)
		}
		return check.Passf("cleanup.sh a supprimé les %d conteneurs du label ddlab.lab=lab1, dont %s, arrêté, ajouté par le correcteur.",
			"cleanup.sh removed the %d containers labelled ddlab.lab=lab1, including %s, stopped, added by the grader.", len(before), planted)
	}
	var left []string
	onlyStopped := true
	for _, c := range after {
		left = append(left, fmt.Sprintf("%s (%s)", c.Name, c.State))
		if c.State == "running" {
			onlyStopped = false
		}
	}
	sort.Strings(left)
	got := strings.Join(left, ", ")
	want := check.Lit("aucun conteneur ddlab.lab=lab1", "no container ddlab.lab=lab1")
	switch {
	case onlyStopped && len(after) == 1:
		return check.Failf("Il reste 1 conteneur arrêté avec le label ddlab.lab=lab1 : %s. cleanup.sh oublie les conteneurs arrêtés (le correcteur en avait ajouté un).",
			"1 stopped container labelled ddlab.lab=lab1 remains: %s. cleanup.sh forgets stopped containers (the grader had added one).", got).
			WithT(want, check.Same(got))
	case onlyStopped:
		return check.Failf("Il reste %d conteneurs arrêtés avec le label ddlab.lab=lab1 : %s. cleanup.sh oublie les conteneurs arrêtés (le correcteur en avait ajouté un).",
			"%d stopped containers labelled ddlab.lab=lab1 remain: %s. cleanup.sh forgets stopped containers (the grader had added one).", len(after), got).
			WithT(want, check.Same(got))
	case len(after) == 1:
		return check.Failf("Il reste 1 conteneur avec le label ddlab.lab=lab1 : %s.", "1 container labelled ddlab.lab=lab1 remains: %s.", got).
			WithT(want, check.Same(got))
	}
	return check.Failf("Il reste %d conteneurs avec le label ddlab.lab=lab1 : %s.", "%d containers labelled ddlab.lab=lab1 remain: %s.", len(after), got).
		WithT(want, check.Same(got))
}
