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
	var fr, en []string
	for _, c := range after {
		if c.Name == extra {
			fr = append(fr, c.Name+" (ajouté par le correcteur, label "+labLabel+")")
			en = append(en, c.Name+" (added by the grader, label "+labLabel+")")
			continue
		}
		fr, en = append(fr, c.Name), append(en, c.Name)
	}
	if len(after) > 0 {
		msg := check.Text{
			FR: fmt.Sprintf("Après cleanup.sh, il reste %d conteneurs du lab 4 : %s.", len(after), strings.Join(fr, ", ")),
			EN: fmt.Sprintf("After cleanup.sh, %d lab 4 containers remain: %s.", len(after), strings.Join(en, ", ")),
		}
		if len(after) == 1 {
			msg = check.Text{
				FR: fmt.Sprintf("Après cleanup.sh, il reste 1 conteneur du lab 4 : %s.", fr[0]),
				EN: fmt.Sprintf("After cleanup.sh, 1 lab 4 container remains: %s.", en[0]),
			}
		}
		return check.Outcome{Status: check.Fail, Message: msg}.
			WithT(check.Lit("aucun conteneur lab4-app, lab4-fixed ni label ddlab.lab=lab4", "no lab4-app, no lab4-fixed, no container labelled ddlab.lab=lab4"),
				check.Lit(strings.Join(fr, "\n"), strings.Join(en, "\n")))
	}
	if len(keptVolumes) > 0 {
		var fr, en []string
		for _, v := range keptVolumes {
			for _, c := range before {
				if slices.Contains(c.Volumes, v) {
					if c.Name == extra {
						fr = append(fr, fmt.Sprintf("%s… (de %s, le conteneur ajouté par le correcteur)", check.ShortID(v), c.Name))
						en = append(en, fmt.Sprintf("%s… (of %s, the container added by the grader)", check.ShortID(v), c.Name))
						continue
					}
					fr = append(fr, fmt.Sprintf("%s… (de %s)", check.ShortID(v), c.Name))
					en = append(en, fmt.Sprintf("%s… (of %s)", check.ShortID(v), c.Name))
				}
			}
		}
		msg := check.Text{
			FR: fmt.Sprintf("Les conteneurs sont supprimés, mais il reste %d volumes anonymes : %s.", len(keptVolumes), strings.Join(fr, ", ")),
			EN: fmt.Sprintf("The containers are gone, but %d anonymous volumes remain: %s.", len(keptVolumes), strings.Join(en, ", ")),
		}
		if len(keptVolumes) == 1 {
			msg = check.Text{
				FR: fmt.Sprintf("Les conteneurs sont supprimés, mais il reste 1 volume anonyme : %s.", strings.Join(fr, ", ")),
				EN: fmt.Sprintf("The containers are gone, but 1 anonymous volume remains: %s.", strings.Join(en, ", ")),
			}
		}
		return check.Outcome{Status: check.Fail, Message: msg}.
			WithT(check.Lit("aucun volume anonyme restant (docker rm -v)", "no anonymous volume left (docker rm -v)"),
				check.Lit(strings.Join(fr, "\n"), strings.Join(en, "\n")))
	}
	var gone []string
	vols := 0
	for _, c := range before {
		gone = append(gone, c.Name)
		vols += len(c.Volumes)
	}
	list := strings.Join(gone, ", ")
	removed := check.T("%d conteneurs du lab 4 (%s)", "%d lab 4 containers (%s)", len(before), list)
	if len(before) == 1 {
		removed = check.T("1 conteneur du lab 4 (%s)", "1 lab 4 container (%s)", list)
	}
	var volumes check.Text
	switch {
	case vols == 0:
		volumes = check.Lit(", sans volume anonyme", ", with no anonymous volume")
	case vols == 1:
		volumes = check.Lit(" et 1 volume anonyme", " and 1 anonymous volume")
	default:
		volumes = check.T(" et leurs %d volumes anonymes", " and their %d anonymous volumes", vols)
	}
	return check.Outcome{Status: check.Pass, Message: check.Text{
		FR: "cleanup.sh a supprimé " + removed.FR + volumes.FR + ".",
		EN: "cleanup.sh removed " + removed.EN + volumes.EN + ".",
	}}
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
