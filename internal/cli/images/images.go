// Package images is `grade images`: build the ddlab/* base images offline, or say which exist.
package images

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/images"
)

// NewCmdImages builds `grade images [build|check|pull|push]`.
func NewCmdImages(f *cliutil.Factory) *cobra.Command {
	b := &images.Builder{}
	d := &distOptions{}
	var force bool
	cmd := &cobra.Command{
		Use:   "images [build|check|pull|push] [<image>...]",
		Short: "Construire hors ligne les images de base ddlab/* (ou vérifier leur présence, les télécharger, les publier)",
		Long: "Sans argument ou avec build : construit, sans rien télécharger, les images ddlab/* manquantes\n" +
			"à partir du busybox statique et de la chaîne Go de la machine. Avec check : dit lesquelles sont présentes.\n" +
			"Avec pull : les télécharge du registre du cours (--registry, par défaut " + images.DefaultRegistry + "),\n" +
			"vérifiées par leur digest (--pins, par défaut ceux livrés avec grade), et construit hors ligne\n" +
			"celles qui n'ont pu l'être. Avec push (enseignant) : les publie et écrit leurs digests (--write-pins).",
		Example: "  $ grade images\n  $ grade images check\n  $ grade images build ddlab/go:1 --force\n" +
			"  $ grade images pull\n  $ grade images push --registry ghcr.io/moncours --write-pins internal/images/pins.txt",
		RunE: func(cmd *cobra.Command, args []string) error {
			action := "build"
			if len(args) > 0 && (args[0] == "build" || args[0] == "check" || args[0] == "pull" || args[0] == "push") {
				action, args = args[0], args[1:]
			}
			if action == "pull" || action == "push" {
				return distribute(cmd.Context(), f, b, d, action, args)
			}
			return run(cmd.Context(), f, b, action, args, force)
		},
	}
	addDistFlags(cmd, d)
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
