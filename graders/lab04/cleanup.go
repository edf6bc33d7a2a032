package lab04

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// anonymousRe matches the names the engine gives anonymous volumes.
var anonymousRe = regexp.MustCompile(`^[0-9a-f]{64}$`)

// leftover is a lab 4 container, and the anonymous volumes it had, as seen before cleanup.sh.
type leftover struct {
	Name    string
	Volumes []string
}

func (s *state) checkCleanup(ctx context.Context) (check.Outcome, error) {
	r := s.run
	// webapp and broken declare no volume, so a forgotten -v would go unnoticed; the grader
	// adds a stopped lab 4 container of its own with an anonymous volume, which also tells
	// whether cleanup.sh finds the lab's containers by label, as the contract says.
	extra, err := s.plantExtra(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	before, err := s.labContainers(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	var volumes []string
	for _, c := range before {
		volumes = append(volumes, c.Volumes...)
	}
	for _, v := range volumes {
		// A volume cleanup.sh leaves behind is no object of the run's: remove it afterwards.
		r.Cleanup.Add("volume "+check.ShortID(v), func(ctx context.Context) error {
			return r.Engine.Remove(ctx, engine.Ref{Kind: engine.KindVolume, ID: v})
		})
	}
	res, err := r.Script(ctx, "cleanup.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	if scriptlab.JudgeScript("cleanup.sh", res) != nil {
		return judgeCleanup(res, before, nil, nil, extra), nil
	}
	after, err := s.labContainers(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	var kept []string
	for _, v := range volumes {
		if _, err := r.Engine.InspectVolume(ctx, v); err == nil {
			kept = append(kept, v)
		} else if !errors.Is(err, engine.ErrNotFound) {
			return check.Outcome{}, err
		}
	}
	return judgeCleanup(res, before, after, kept, extra), nil
}

// judgeCleanup wants cleanup.sh to succeed, and no lab 4 container and none of their anonymous volumes left; extra is
// the name of the grader's own container, which a student would not recognise.
func judgeCleanup(res script.Result, before, after []leftover, keptVolumes []string, extra string) check.Outcome {
	if f := scriptlab.JudgeScript("cleanup.sh", res); f != nil {
		return *f
	}
	var names []string
	for _, c := range after {
		if c.Name == extra {
			names = append(names, c.Name+" (ajouté par le correcteur, label "+labLabel+")")
			continue
		}
		names = append(names, c.Name)
	}
	if len(after) > 0 {
		return check.Failf("Après cleanup.sh, il reste %d conteneur(s) du lab 4 : %s.", "After cleanup.sh, %d lab 4 container(s) remain: %s.",
			len(after), strings.Join(names, ", ")).
			With("aucun conteneur lab4-app, lab4-fixed ni label ddlab.lab=lab4", strings.Join(names, "\n"))
	}
	if len(keptVolumes) > 0 {
		var owners []string
		for _, v := range keptVolumes {
			for _, c := range before {
				if slices.Contains(c.Volumes, v) {
					owner := c.Name
					if owner == extra {
						owner += ", le conteneur ajouté par le correcteur"
					}
					owners = append(owners, fmt.Sprintf("%s… (de %s)", check.ShortID(v), owner))
				}
			}
		}
		return check.Failf("Les conteneurs sont supprimés, mais pas leur(s) %d volume(s) anonyme(s) : %s.",
			"The containers are gone, but not their %d anonymous volume(s): %s.", len(keptVolumes), strings.Join(owners, ", ")).
			With("aucun volume anonyme restant (docker rm -v)", strings.Join(owners, "\n"))
	}
	var gone []string
	vols := 0
	for _, c := range before {
		gone = append(gone, c.Name)
		vols += len(c.Volumes)
	}
	return check.Passf("cleanup.sh a supprimé %d conteneur(s) du lab 4 (%s) et leurs %d volume(s) anonyme(s).",
		"cleanup.sh removed %d lab 4 container(s) (%s) and their %d anonymous volume(s).", len(before), strings.Join(gone, ", "), vols)
}

// labContainers lists lab 4's containers, by the contract's names and by label, with their
// anonymous volumes.
func (s *state) labContainers(ctx context.Context) ([]leftover, error) {
	e := s.run.Engine
	seen := map[string]bool{}
	var ids []string
	for _, f := range []engine.ContainerFilter{{Name: appName, All: true}, {Name: fixedName, All: true}, {Labels: []string{labLabel}, All: true}} {
		cs, err := e.ListContainers(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			if !seen[c.ID] {
				seen[c.ID] = true
				ids = append(ids, c.ID)
			}
		}
	}
	var out []leftover
	for _, id := range ids {
		c, err := e.InspectContainer(ctx, id)
		if errors.Is(err, engine.ErrNotFound) {
			continue // removed meanwhile
		} else if err != nil {
			return nil, err
		}
		l := leftover{Name: c.Name}
		for _, m := range c.Mounts {
			if m.Type == "volume" && anonymousRe.MatchString(m.Source) {
				l.Volumes = append(l.Volumes, m.Source)
			}
		}
		out = append(out, l)
	}
	slices.SortFunc(out, func(a, b leftover) int { return strings.Compare(a.Name, b.Name) })
	return out, nil
}

// plantExtra runs a lab 4 container with an anonymous volume, which exits at once, and
// returns its name.
func (s *state) plantExtra(ctx context.Context) (string, error) {
	r := s.run
	name := r.Name("extra")
	id, err := r.Engine.Run(ctx, engine.RunSpec{
		Name:   name,
		Image:  "ddlab/busybox:1",
		Cmd:    []string{"true"},
		Labels: r.Labels(),
		Mounts: []engine.Mount{{Type: "volume", Destination: "/data"}},
	})
	if id != "" {
		r.Cleanup.Add("container "+check.ShortID(id), func(ctx context.Context) error {
			return r.Engine.Remove(ctx, engine.Ref{Kind: engine.KindContainer, ID: id})
		})
	}
	return name, err
}
