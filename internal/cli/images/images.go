// Package images is `grade images`: build the ddlab/* base images offline, or say which exist.
package images

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/images"
)

// Options are the command's inputs.
type Options struct {
	F       *cliutil.Factory
	Action  string   // "build" or "check"
	Refs    []string // the images to build; none means all
	Force   bool
	Builder *images.Builder // Busybox and GoRoot from the flags; Engine and Progress set by imagesRun
}

// NewCmdImages builds `grade images [build|check]`; runF replaces imagesRun in tests.
func NewCmdImages(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f, Builder: &images.Builder{}}
	cmd := &cobra.Command{
		Use:   "images [build|check] [<image>...]",
		Short: "Construire hors ligne les images de base ddlab/* (ou vérifier leur présence)",
		Long: "Sans argument ou avec build : construit, sans rien télécharger, les images ddlab/* manquantes\n" +
			"à partir du busybox statique et de la chaîne Go de la machine. Avec check : dit lesquelles sont présentes.",
		Example: "  $ grade images\n  $ grade images check\n  $ grade images build ddlab/go:1 --force",
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Action = "build"
			if len(args) > 0 && (args[0] == "build" || args[0] == "check") {
				opts.Action, args = args[0], args[1:]
			}
			opts.Refs = args
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return imagesRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.Builder.Busybox, "busybox", "", "static busybox binary to use (default: busybox on PATH)")
	cmd.Flags().StringVar(&opts.Builder.GoRoot, "goroot", "", "Go toolchain to copy into ddlab/go:1 (default: this grade's GOROOT)")
	cmd.Flags().BoolVar(&opts.Force, "force", false, "rebuild even when present")
	return cmd
}

func imagesRun(ctx context.Context, opts *Options) error {
	f := opts.F
	e, err := f.Engine()
	if err != nil {
		return err
	}
	defer e.Close()
	if opts.Action == "build" {
		b := opts.Builder
		b.Engine = e
		b.Progress = func(s string) { fmt.Fprintln(f.IO.ErrOut, s) }
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
		state := "présente"
		switch {
		case p.Stale:
			state, missing = "périmée", true
		case !p.Present:
			state, missing = "absente", true
		}
		fmt.Fprintf(f.IO.Out, "%-18s %s\n", p.Ref, state)
	}
	if missing && opts.Action == "check" {
		return &cliutil.ExitError{Code: cliutil.ExitEngine}
	}
	return nil
}
