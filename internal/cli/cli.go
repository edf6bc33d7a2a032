// Package cli is grade's entry point: one signal-aware context, the factory, and the table
// from errors to exit codes.
package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ddlab/grade/graders"
	"github.com/ddlab/grade/internal/cli/root"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/docker"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/iostreams"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/labs"
)

// Version is set at link time.
var Version = "dev"

// Main runs grade with the process's arguments and returns the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return Run(ctx, NewFactory(iostreams.System()), os.Args[1:])
}

// NewFactory wires the real catalog, graders and engine to io.
func NewFactory(io *iostreams.IOStreams) *cliutil.Factory {
	f := &cliutil.Factory{
		IO:       io,
		Catalog:  func() (*lab.Catalog, error) { return lab.Load(labs.FS) },
		Graders:  func() (*grader.Registry, error) { return grader.NewRegistry(graders.All()...) },
		Now:      time.Now,
		Version:  Version,
		Getenv:   os.Getenv,
		Hostname: os.Hostname,
	}
	// Read when a command first needs the engine, after the flags are parsed.
	f.Engine = func() (engine.Engine, error) { return docker.NewForContext(f.EngineContext) }
	return f
}

// Run executes one command line and maps its outcome to an exit code.
func Run(ctx context.Context, f *cliutil.Factory, args []string) int {
	cmd, err := root.NewCmdRoot(f)
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "grade: %v\n", err)
		return cliutil.ExitUsage
	}
	cmd.SetArgs(args)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	_, err = cmd.ExecuteContextC(ctx)
	return exitCode(ctx, f, err)
}

func exitCode(ctx context.Context, f *cliutil.Factory, err error) int {
	var exit *cliutil.ExitError
	var flagErr *cliutil.FlagError
	switch {
	case err == nil:
		return cliutil.ExitOK
	case errors.As(err, &exit):
		return exit.Code
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		fmt.Fprintln(f.IO.ErrOut, "grade: interrompu / interrupted")
		return cliutil.ExitInterrupted
	case errors.As(err, &flagErr) || errors.Is(err, cliutil.ErrSpec):
		if strings.Contains(err.Error(), "--help`") {
			fmt.Fprintf(f.IO.ErrOut, "grade: %v\n", err) // it names the command's own help
		} else {
			fmt.Fprintf(f.IO.ErrOut, "grade: %v\nVoir / see: grade --help\n", err)
		}
		return cliutil.ExitUsage
	case errors.Is(err, engine.ErrUnavailable):
		fmt.Fprintf(f.IO.ErrOut, "grade: le moteur Docker est injoignable / the Docker engine is unreachable: %v\n", err)
		return cliutil.ExitEngine
	default:
		// Cobra's own usage errors (unknown command, wrong arg count) are plain errors.
		if isUsage(err) {
			fmt.Fprintf(f.IO.ErrOut, "grade: %s\nVoir / see: grade --help\n", usageMessage(err))
			return cliutil.ExitUsage
		}
		fmt.Fprintf(f.IO.ErrOut, "grade: %v\n", err)
		return cliutil.ExitEngine
	}
}
