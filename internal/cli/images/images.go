// Package images is `grade images`: build the ddlab/* base images offline, or say which exist.
package images

import (
	"context"
	"fmt"
	"github.com/ddlab/grade/internal/check"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/images"
)

// Options are the command's inputs.
type Options struct {
	F       *cliutil.Factory
	Action  string   // "build", "check", "pull" or "push"
	Refs    []string // the images to act on; none means all
	Force   bool
	Builder *images.Builder // Busybox and GoRoot from the flags; Engine and Progress set by imagesRun
	Dist    *distOptions    // registry and pins, for pull and push
}

// NewCmdImages builds `grade images [build|check|pull|push]`; runF replaces imagesRun in tests.
func NewCmdImages(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f, Builder: &images.Builder{}, Dist: &distOptions{}}
	cmd := &cobra.Command{
		Use: "images [build|check|pull|push] [<image>...]",
		Short: f.Say("Construire hors ligne les images de base ddlab/* (ou vérifier leur présence, les télécharger, les publier)",
			"Build the ddlab/* base images offline (or check they are there, pull them, push them)"),
		Long: f.Say("Sans argument ou avec build : construit, sans rien télécharger, les images ddlab/* manquantes\n"+
			"à partir du busybox statique et de la chaîne Go de la machine. Avec check : dit lesquelles sont présentes.\n"+
			"Avec pull : les télécharge du registre du cours (--registry, par défaut "+images.DefaultRegistry+"),\n"+
			"vérifiées par leur digest (--pins, par défaut ceux livrés avec grade), et construit hors ligne\n"+
			"celles qui n'ont pu l'être. Avec push (enseignant) : les publie et écrit leurs digests (--write-pins).",
			"With no argument or with build: builds the missing ddlab/* images without downloading anything,\n"+
				"from the machine's static busybox and Go toolchain. With check: says which ones are there.\n"+
				"With pull: downloads them from the course registry (--registry, default "+images.DefaultRegistry+"),\n"+
				"checked against their digests (--pins, default the ones shipped with grade), and builds offline\n"+
				"those it could not pull. With push (instructors): publishes them and writes their digests (--write-pins)."),
		Example: "  $ grade images\n  $ grade images check\n  $ grade images build ddlab/go:1 --force\n" +
			"  $ grade images pull\n  $ grade images push --registry ghcr.io/" + f.Say("moncours", "mycourse") + " --write-pins internal/images/pins.txt",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Action = "build"
			if len(args) > 0 && (args[0] == "build" || args[0] == "check" || args[0] == "pull" || args[0] == "push") {
				opts.Action, args = args[0], args[1:]
			}
			opts.Refs = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return imagesRun(cmd.Context(), opts)
		},
	}
	addDistFlags(f, cmd, opts.Dist)
	cmd.Flags().StringVar(&opts.Builder.Busybox, "busybox", "", f.Say(
		"`FICHIER` du busybox statique à utiliser (par défaut : busybox dans le PATH)",
		"static busybox `FILE` to use (default: busybox on the PATH)"))
	cmd.Flags().StringVar(&opts.Builder.GoRoot, "goroot", "", f.Say(
		"`DOSSIER` de la chaîne Go à copier dans ddlab/go:1 (par défaut : le GOROOT de ce grade)",
		"Go toolchain `DIR` to copy into ddlab/go:1 (default: this grade's GOROOT)"))
	cmd.Flags().BoolVar(&opts.Force, "force", false, f.Say("reconstruire même les images présentes", "rebuild even the images that are there"))
	return cmd
}

func imagesRun(ctx context.Context, opts *Options) error {
	f := opts.F
	if opts.Action == "pull" || opts.Action == "push" {
		return distribute(ctx, f, opts.Builder, opts.Dist, opts.Action, opts.Refs)
	}
	if err := courseImages(opts.Refs); err != nil {
		return err
	}
	e, err := f.Engine()
	if err != nil {
		return err
	}
	defer e.Close()
	if opts.Action == "build" {
		b := opts.Builder
		b.Engine = e
		b.Progress = func(t check.Text) { fmt.Fprintln(f.IO.ErrOut, f.Text(t)) }
		b.Log = func(s string) { fmt.Fprintln(f.IO.ErrOut, s) }
		if err := b.Ensure(ctx, opts.Refs, opts.Force); err != nil {
			return err
		}
	}
	st, err := images.Status(ctx, e)
	if err != nil {
		return err
	}
	missing := false
	for _, p := range st {
		state := f.Say("présente", "present")
		switch {
		case p.Stale:
			state, missing = f.Say("périmée", "stale"), true
		case !p.Present:
			state, missing = f.Say("absente", "missing"), true
		}
		fmt.Fprintf(f.IO.Out, "%-18s %s\n", p.Ref, state)
	}
	if missing && opts.Action == "check" {
		return &cliutil.ExitError{Code: cliutil.ExitEngine}
	}
	return nil
}
