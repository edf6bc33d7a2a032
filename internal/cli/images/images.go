// Package images is `grade images`: build the ddlab/* base images offline, or say which exist.
package images

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/images"
)

// NewCmdImages builds `grade images [build|check]`.
func NewCmdImages(f *cliutil.Factory) *cobra.Command {
	b := &images.Builder{}
	var force bool
	cmd := &cobra.Command{
		Use:   "images [build|check] [<image>...]",
		Short: "Construire hors ligne les images de base ddlab/* (ou vérifier leur présence)",
		Long: "Sans argument ou avec build : construit, sans rien télécharger, les images ddlab/* manquantes\n" +
			"à partir du busybox statique et de la chaîne Go de la machine. Avec check : dit lesquelles sont présentes.",
		Example: "  $ grade images\n  $ grade images check\n  $ grade images build ddlab/go:1 --force",
		RunE: func(cmd *cobra.Command, args []string) error {
			action := "build"
			if len(args) > 0 && (args[0] == "build" || args[0] == "check") {
				action, args = args[0], args[1:]
			}
			return run(cmd.Context(), f, b, action, args, force)
		},
	}
	cmd.Flags().StringVar(&b.Busybox, "busybox", "", "static busybox binary to use (default: busybox on PATH)")
	cmd.Flags().StringVar(&b.GoRoot, "goroot", "", "Go toolchain to copy into ddlab/go:1 (default: this grade's GOROOT)")
	cmd.Flags().BoolVar(&force, "force", false, "rebuild even when present")
	return cmd
}

func run(ctx context.Context, f *cliutil.Factory, b *images.Builder, action string, refs []string, force bool) error {
	e, err := f.Engine()
	if err != nil {
		return err
	}
	defer e.Close()
	if action == "build" {
		b.Engine = e
		b.Progress = func(s string) { fmt.Fprintln(f.IO.ErrOut, s) }
		if err := b.Ensure(ctx, refs, force); err != nil {
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
	if missing && action == "check" {
		return &cliutil.ExitError{Code: cliutil.ExitEngine}
	}
	return nil
}
