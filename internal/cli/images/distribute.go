package images

import (
	"context"
	"fmt"
	"github.com/ddlab/grade/internal/check"
	"os"
	"sort"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/images"
)

// distOptions are the flags of `grade images pull` and `grade images push`.
type distOptions struct {
	registry  string
	pins      string // pull: a pins file instead of the shipped one
	writePins string // push: where to write the digests
	noBuild   bool   // pull: no offline build for what could not be pulled
}

func addDistFlags(f *cliutil.Factory, cmd *cobra.Command, d *distOptions) {
	fl := cmd.Flags()
	fl.StringVar(&d.registry, "registry", images.DefaultRegistry, f.Say("pull, push : le registre du cours, `HÔTE/CHEMIN`", "pull, push: the course registry, `HOST/PATH`"))
	fl.StringVar(&d.pins, "pins", "", f.Say(
		"pull : `FICHIER` des digests attendus des images (par défaut : ceux livrés avec grade)",
		"pull: `FILE` of the digests the images must have (default: those shipped with grade)"))
	fl.StringVar(&d.writePins, "write-pins", "", f.Say("push : écrire les digests publiés dans `FICHIER`", "push: write the published digests to `FILE`"))
	fl.BoolVar(&d.noBuild, "no-build", false, f.Say("pull : ne pas construire hors ligne ce qui n'a pu être téléchargé", "pull: do not build offline what could not be pulled"))
}

// courseImages refuses, before anything is dialled, an image that is not one of the course's.
func courseImages(refs []string) error {
	known := map[string]bool{}
	for _, im := range images.All() {
		known[im.Ref] = true
	}
	for _, r := range refs {
		if !known[r] {
			return cliutil.FlagErrorf("%s n'est pas une image du cours (grade images check les liste)", "%s is not a course image (grade images check lists them)", r)
		}
	}
	return nil
}

// distribute runs pull or push on refs (all ddlab/* images when empty).
func distribute(ctx context.Context, f *cliutil.Factory, b *images.Builder, d *distOptions, action string, refs []string) error {
	if len(refs) == 0 {
		for _, im := range images.All() {
			refs = append(refs, im.Ref)
		}
	}
	if err := courseImages(refs); err != nil {
		return err
	}
	e, err := f.Engine()
	if err != nil {
		return err
	}
	defer e.Close()
	say := func(s string) { fmt.Fprintln(f.IO.ErrOut, s) }
	step := func(t check.Text) { say(f.Text(t)) }
	dist := &images.Distributor{Engine: e, Registry: d.registry, Progress: step}

	if action == "push" {
		pins, err := dist.Push(ctx, refs)
		if err != nil {
			return err
		}
		fmt.Fprint(f.IO.Out, pins.String())
		if d.writePins != "" {
			text := "# Digests of the ddlab/* images in " + d.registry + " (grade images push).\n" + pins.String()
			if err := os.WriteFile(d.writePins, []byte(text), 0o644); err != nil {
				return cliutil.FlagErrorf("--write-pins : impossible d'écrire %s (%s)", "--write-pins: cannot write %s (%s)", d.writePins, cliutil.Why(err))
			}
		}
		return nil
	}

	pins, err := images.DefaultPins()
	if d.pins != "" {
		var b []byte
		if b, err = os.ReadFile(d.pins); err != nil {
			return cliutil.FlagErrorf("--pins : impossible de lire %s (%s)", "--pins: cannot read %s (%s)", d.pins, cliutil.Why(err))
		}
		pins, err = images.ParsePins(string(b))
	}
	if err != nil {
		return cliutil.SpecError(cliutil.Errorf("digests des images illisibles : %v", "unreadable image digests: %v", err))
	}
	failed := dist.Pull(ctx, refs, pins)
	if len(failed) == 0 {
		return nil
	}
	var missing []string
	for r := range failed {
		missing = append(missing, r)
	}
	sort.Strings(missing)
	if d.noBuild {
		return &cliutil.ExitError{Code: cliutil.ExitEngine}
	}
	say(f.Sayf("construction hors ligne de ce qui n'a pu être téléchargé : %s", "building offline what could not be pulled: %s",
		f.Count(len(missing), "image", "images", "image", "images")))
	b.Engine, b.Progress, b.Log = e, step, say
	if err := b.Ensure(ctx, missing, false); err != nil {
		return cliutil.Errorf("la construction hors ligne a échoué : %v", "the offline build failed: %v", err)
	}
	return nil
}
