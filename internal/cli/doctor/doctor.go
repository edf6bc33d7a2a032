// Package doctor is `grade doctor`: can this machine grade, and if not, why.
package doctor

import (
	"context"
	"fmt"
	"os/exec"
	"syscall"
	"time"

	"github.com/docker/go-units"
	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/images"
)

// minFreeDisk is the free space under which builds start failing in odd ways.
const minFreeDisk = 2 << 30

// Options are the command's inputs.
type Options struct {
	F *cliutil.Factory
	// LookPath finds a tool on PATH (exec.LookPath); Statfs reads a file system's free space
	// (syscall.Statfs). Tests replace both.
	LookPath func(string) (string, error)
	Statfs   func(path string, st *syscall.Statfs_t) error
}

// NewCmdDoctor builds `grade doctor`; runF replaces doctorRun in tests.
func NewCmdDoctor(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f, LookPath: exec.LookPath, Statfs: syscall.Statfs}
	return &cobra.Command{
		Use:     "doctor",
		Short:   f.Say("Vérifier que le moteur Docker et les images de base sont prêts", "Check that the Docker engine and the base images are ready"),
		Args:    cliutil.Args(0, 0),
		Example: "  $ grade doctor",
		RunE: func(cmd *cobra.Command, _ []string) error {
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return doctorRun(cmd.Context(), opts)
		},
	}
}

func doctorRun(ctx context.Context, opts *Options) error {
	f := opts.F
	out := f.IO.Out
	ok := true
	// line prints a verdict: ✔ when good, ✘ (and the exit code 3) when not.
	line := func(good bool, fr, en string, args ...any) {
		mark := "✔"
		if !good {
			mark, ok = "✘", false
		}
		fmt.Fprintf(out, "%s %s\n", mark, f.Sayf(fr, en, args...))
	}
	// note prints what matters without failing.
	note := func(fr, en string, args ...any) { fmt.Fprintf(out, "• %s\n", f.Sayf(fr, en, args...)) }
	e, err := f.Engine()
	if err != nil {
		line(false, "client Docker : %s", "Docker client: %s", cliutil.Message(err, f.Lang()))
		return &cliutil.ExitError{Code: cliutil.ExitEngine}
	}
	defer e.Close()
	ictx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	info, err := e.Info(ictx)
	if err != nil {
		line(false, "moteur Docker injoignable : %s", "Docker engine unreachable: %s", cliutil.Message(err, f.Lang()))
		fmt.Fprintln(out, f.Say("  → démarrez Docker (Debian : apt-get install -y docker.io && dockerd &) ou vérifiez DOCKER_HOST",
			"  → start Docker (Debian: apt-get install -y docker.io && dockerd &) or check DOCKER_HOST"))
		return &cliutil.ExitError{Code: cliutil.ExitEngine}
	}
	line(true, "moteur Docker %s (%s/%s), API %s", "Docker engine %s (%s/%s), API %s", info.Version, info.OS, info.Arch, info.APIVersion)
	if info.BuildKit {
		line(true, "BuildKit disponible", "BuildKit available")
	} else {
		line(false, "BuildKit indisponible", "BuildKit not available")
	}
	note("swarm : %s", "swarm: %s", info.SwarmState)
	if info.Remote {
		note("moteur distant : les vérifications qui montent des dossiers locaux ou joignent des ports publiés seront ignorés",
			"remote engine: the checks that mount local folders or reach published ports will be skipped")
	}
	if !info.MemoryLimit {
		note("le moteur n'applique pas de limite mémoire : lab4.oom sera ignoré", "the engine enforces no memory limit: lab4.oom will be skipped")
	}
	// The scripts of labs 1–4, 6 and 7 run on this machine and call these.
	for _, tool := range []struct {
		name     string
		required bool
	}{{"sh", true}, {"docker", true}, {"curl", false}, {"jq", false}} {
		path, err := opts.LookPath(tool.name)
		switch {
		case err == nil:
			line(true, "%s : %s", "%s: %s", tool.name, path)
		case tool.required:
			line(false, "%s introuvable dans le PATH : les scripts des labs 1 à 4, 6 et 7 en ont besoin",
				"%s not found on the PATH: the scripts of labs 1 to 4, 6 and 7 need it", tool.name)
		default:
			note("%s introuvable : les solutions de référence du lab 2 s'en servent (apt-get install %[1]s)",
				"%s not found: the reference solutions of lab 2 use it (apt-get install %[1]s)", tool.name)
		}
	}
	st, err := images.Status(ctx, e)
	if err != nil {
		line(false, "images de base illisibles : %s", "base images unreadable: %s", cliutil.Message(err, f.Lang()))
	}
	for _, p := range st {
		switch {
		case p.Stale:
			line(false, "%s présente mais périmée → grade images", "%s present but stale → grade images", p.Ref)
		case p.Present:
			line(true, "%s présente", "%s present", p.Ref)
		default:
			line(false, "%s absente → grade images", "%s missing → grade images", p.Ref)
		}
	}
	if !info.Remote && info.RootDir != "" {
		var fs syscall.Statfs_t
		if err := opts.Statfs(info.RootDir, &fs); err == nil {
			free := int64(fs.Bavail) * int64(fs.Bsize)
			line(free >= minFreeDisk, "espace libre sous %s : %s", "free space under %s: %s", info.RootDir, units.HumanSize(float64(free)))
		}
	}
	if !ok {
		return &cliutil.ExitError{Code: cliutil.ExitEngine}
	}
	return nil
}
