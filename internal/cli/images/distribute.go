package images

import (
	"context"
	"errors"
	"fmt"
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

func addDistFlags(cmd *cobra.Command, d *distOptions) {
	fl := cmd.Flags()
	fl.StringVar(&d.registry, "registry", images.DefaultRegistry, "pull, push: the course registry (`HOST/PATH`)")
	fl.StringVar(&d.pins, "pins", "", "pull: digests to check the images against (`FILE`; default: those shipped with grade)")
	fl.StringVar(&d.writePins, "write-pins", "", "push: write the published digests to `FILE`")
	fl.BoolVar(&d.noBuild, "no-build", false, "pull: do not build offline what could not be pulled")
}

// distribute runs pull or push on refs (all ddlab/* images when empty).
func distribute(ctx context.Context, f *cliutil.Factory, b *images.Builder, d *distOptions, action string, refs []string) error {
	if len(refs) == 0 {
		for _, im := range images.All() {
			refs = append(refs, im.Ref)
		}
	}
	known := map[string]bool{}
	for _, im := range images.All() {
		known[im.Ref] = true
	}
	for _, r := range refs {
		if !known[r] {
			return cliutil.FlagErrorf("%s n'est pas une image du cours / is not a course image", r)
		}
	}
	e, err := f.Engine()
	if err != nil {
		return err
	}
	defer e.Close()
	say := func(s string) { fmt.Fprintln(f.IO.ErrOut, s) }
	dist := &images.Distributor{Engine: e, Registry: d.registry, Progress: say}

	if action == "push" {
		pins, err := dist.Push(ctx, refs)
		if err != nil {
			return err
		}
		fmt.Fprint(f.IO.Out, pins.String())
		if d.writePins != "" {
			text := "# Digests of the ddlab/* images in " + d.registry + " (grade images push).\n" + pins.String()
			if err := os.WriteFile(d.writePins, []byte(text), 0o644); err != nil {
				return err
			}
		}
		return nil
	}

	pins, err := images.DefaultPins()
	if d.pins != "" {
		var b []byte
		if b, err = os.ReadFile(d.pins); err != nil {
			return cliutil.FlagErrorf("--pins: %v", err)
		}
		pins, err = images.ParsePins(string(b))
	}
	if err != nil {
		return fmt.Errorf("%w: %w", cliutil.ErrSpec, err)
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
	say(fmt.Sprintf("construction hors ligne de %d image(s) non téléchargée(s) / building offline what could not be pulled", len(missing)))
	b.Engine, b.Progress = e, say
	if err := b.Ensure(ctx, missing, false); err != nil {
		return errors.Join(fmt.Errorf("offline build: %w", err))
	}
	return nil
}
