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

	"github.com/spf13/cobra"

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

// Run executes one command line and maps its outcome to an exit code. The language of
// everything said is decided here, once, before the command tree is built: --lang, else
// LC_ALL, LC_MESSAGES or LANG, else French.
func Run(ctx context.Context, f *cliutil.Factory, args []string) int {
	f.Language = cliutil.DecideLang(args, f.Getenv)
	cmd, err := root.NewCmdRoot(f)
	if err != nil {
		return exitCode(ctx, f, nil, err)
	}
	cmd.SetArgs(args)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	ran, err := cmd.ExecuteContextC(ctx)
	return exitCode(ctx, f, ran, err)
}

// exitCode says what went wrong, if anything, in f's language, and returns the exit code. ran
// is the command that ran, or that cobra was looking at when it failed.
func exitCode(ctx context.Context, f *cliutil.Factory, ran *cobra.Command, err error) int {
	var exit *cliutil.ExitError
	w, lang := f.IO.ErrOut, f.Lang()
	say := func(format string, args ...any) {
		fmt.Fprintf(w, f.Say("grade : ", "grade: ")+format+"\n", args...)
	}
	if err == nil {
		return cliutil.ExitOK
	}
	if errors.As(err, &exit) {
		return exit.Code
	}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) {
		say("%s", f.Say("interrompu", "interrupted"))
		return cliutil.ExitInterrupted
	}
	if usage := cliutil.UsageError(ran, err); usage != nil {
		path := "grade"
		if ran != nil {
			path = ran.CommandPath()
		}
		say("%s", oneLine(usage.In(lang)))
		fmt.Fprintln(w, f.Sayf("Voir : %s --help", "See: %s --help", path))
		return cliutil.ExitUsage
	}
	switch {
	case errors.Is(err, cliutil.ErrSpec):
		msg := cliutil.Message(err, lang)
		if strings.Contains(msg, "\n") {
			say("%s", f.Say("spécification de lab invalide :", "invalid lab spec:"))
			fmt.Fprintln(w, "  "+strings.ReplaceAll(strings.TrimSpace(msg), "\n", "\n  "))
		} else {
			say("%s", f.Sayf("spécification de lab invalide : %s", "invalid lab spec: %s", msg))
		}
		return cliutil.ExitUsage
	case errors.Is(err, engine.ErrUnavailable):
		say("%s", f.Sayf("le moteur Docker est injoignable (%s) : démarrez Docker ou vérifiez DOCKER_HOST et --context, puis relancez.",
			"the Docker engine is unreachable (%s): start Docker or check DOCKER_HOST and --context, then run again.", cliutil.Message(err, lang)))
		return cliutil.ExitEngine
	}
	say("%s", f.Sayf("échec : %s", "failed: %s", oneLine(cliutil.Message(err, lang))))
	return cliutil.ExitEngine
}

// oneLine joins the lines of s with spaces (non-breaking ones stay).
func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		lines[i] = strings.Trim(l, " \t\r")
	}
	return strings.Join(lines, " ")
}
