// Package grade is the `grade labN [<dir>]` command: it grades one submission and writes its
// reports.
package grade

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"
	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/buildctx"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/report"
	"github.com/ddlab/grade/internal/runner"
)

// Options are the command's inputs.
type Options struct {
	F       *cliutil.Factory
	Lab     string
	Dir     string
	Format  string
	JSON    []string
	JUnit   []string
	Lang    string
	Static  bool
	Strict  bool
	Timeout time.Duration
	Spec    string // an instructor's spec file replacing the embedded one
	RunID   string // set by `grade batch`, which sweeps the run's objects if it must kill us
	Sandbox string // where scripts run; "" means GRADE_SANDBOX, else the default (sandboxMode)
	CI      CIOptions
}

// NewCmdGrade builds `grade <lab> [<dir>]` for one lab of the catalog.
func NewCmdGrade(f *cliutil.Factory, e lab.Entry, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f, Lab: e.Lab}
	cmd := &cobra.Command{
		Use:     e.Lab + " [<dir>]",
		Short:   fmt.Sprintf("Corriger le lab %d : %s", e.Chapter, e.Title.FR),
		GroupID: "labs",
		Args:    cliutil.Args(0, 1),
		Example: fmt.Sprintf("  $ grade %[1]s\n  $ grade %[1]s ./%[1]s --junit report.xml --json report.json\n  $ grade %[1]s --static --lang en", e.Lab),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Dir = "."
			if len(args) == 1 {
				opts.Dir = args[0]
			}
			if err := checkFormat(opts.Format); err != nil {
				return err
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runGrade(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Format, "format", "text", "what goes to stdout: "+strings.Join(formats, ", "))
	fl.StringArrayVar(&opts.JSON, "json", nil, "also write the JSON report to `FILE` (- is stdout)")
	fl.StringArrayVar(&opts.JUnit, "junit", nil, "also write the JUnit XML report to `FILE` (- is stdout)")
	fl.StringVar(&opts.Lang, "lang", "", "report language: fr or en (default: from LANG, else fr)")
	fl.BoolVar(&opts.Static, "static", false, "grade only the checks that need no Docker engine")
	fl.BoolVar(&opts.Strict, "strict", false, "count checks skipped by the environment as failed")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "overall time limit (default: the lab's)")
	fl.StringVar(&opts.Spec, "spec", "", "grade with this lab spec `FILE` (points, hints, limits) instead of the embedded one")
	fl.StringVar(&opts.RunID, "run-id", "", "use this run `UUID` (labels every engine object): for grade batch")
	_ = fl.MarkHidden("run-id")
	fl.StringVar(&opts.Sandbox, "sandbox", "", "where student scripts run: auto, require or off (default: GRADE_SANDBOX, else require on CI and auto elsewhere)")
	addCIFlags(fl, &opts.CI)
	return cmd
}

func runGrade(ctx context.Context, opts *Options) error {
	f := opts.F
	lang, err := f.Lang(opts.Lang)
	if err != nil {
		return err
	}
	outputs, err := plan(opts)
	if err != nil {
		return err
	}
	cat, err := f.Catalog()
	if err != nil {
		return fmt.Errorf("%w: %w", cliutil.ErrSpec, err)
	}
	spec, err := cat.Spec(opts.Lab)
	if err != nil {
		return cliutil.LabError(opts.Lab, err)
	}
	if opts.Spec != "" {
		if spec, err = loadSpec(opts.Spec, spec.Lab); err != nil {
			return err
		}
	}
	if opts.Timeout > 0 {
		s := *spec
		s.Timeout = lab.Duration(opts.Timeout)
		spec = &s
	}
	reg, err := f.Graders()
	if err != nil {
		return err
	}
	g, ok := reg.Get(spec.Lab)
	if !ok {
		return cliutil.FlagErrorf("%s has a spec but no grader in this build", spec.Lab)
	}
	if err := grader.CrossCheck(spec, g); err != nil {
		return fmt.Errorf("%w: %w", cliutil.ErrSpec, err)
	}
	spec = grader.WithDefaults(spec, g.Meta())
	if st, err := os.Stat(opts.Dir); err != nil {
		return cliutil.FlagErrorf("%[1]s n'existe pas : créez le dossier du lab avec `grade init %[2]s %[1]s`, ou placez-vous dans le vôtre (`cd %[2]s`) / %[1]s does not exist: create the lab folder with `grade init %[2]s %[1]s`, or cd into yours",
			opts.Dir, spec.Lab)
	} else if !st.IsDir() {
		return cliutil.FlagErrorf("%[1]s n'est pas un dossier : donnez le dossier du lab (`grade %[2]s DOSSIER`) / %[1]s is not a folder: give the lab folder (`grade %[2]s DIR`)", opts.Dir, spec.Lab)
	}

	sandbox, err := sandboxMode(opts.Sandbox, f.Getenv)
	if err != nil {
		return err
	}
	runID := uuid.NewString()
	if opts.RunID != "" {
		u, err := uuid.Parse(opts.RunID)
		if err != nil {
			return cliutil.FlagErrorf("--run-id: %v", err)
		}
		runID = u.String()
	}
	prog := &progress{w: f.IO.ErrOut, tty: f.IO.ErrTTY}
	run := &grader.Run{
		ID:       runID,
		Spec:     spec,
		Source:   opts.Dir,
		Scope:    f.Getenv("GRADE_CACHE_SCOPE"),
		Sandbox:  sandbox,
		Cleanup:  &grader.Cleanup{},
		Progress: prog.Step,
		Detail:   prog.Detail,
	}
	cleanup := func() {
		for _, err := range run.Cleanup.Run(ctx) {
			fmt.Fprintf(f.IO.ErrOut, "grade: %v\n", err)
		}
	}
	// Deferred too, so that a panic outside a check still removes what the run created;
	// Cleanup.Run empties its stack, so the second call does nothing.
	defer cleanup()
	rep, gradeErr := grade(ctx, f, run, g, opts, lang)
	prog.Done()
	cleanup()
	notStarted := rep == nil
	if notStarted {
		// Grading never started (bad limits, unreadable snapshot): CI still gets a report
		// that says so, and the exit code says the submission was not graded.
		rep = &report.Report{SchemaVersion: report.SchemaVersion, ToolVersion: f.Version, Lab: spec.Lab,
			Title: spec.Title.In(lang), Submission: opts.Dir, RunID: run.ID, Lang: lang,
			StartedAt: f.Now().UTC(), Error: gradeErr.Error()}
	}
	rep.Provenance = report.Provenance{
		SpecDigest: spec.Digest, SpecFile: opts.Spec,
		Timeout: time.Duration(spec.Timeout), TimeoutOverridden: opts.Timeout > 0,
		ScriptSandbox: run.ScriptSandbox(),
	}
	if notStarted {
		if err := write(f, rep, outputs); err != nil {
			return err
		}
		return opts.CI.exit(gradeErr)
	}
	if err := write(f, rep, outputs); err != nil {
		return err
	}
	switch {
	case errors.Is(gradeErr, context.Canceled):
		return &cliutil.ExitError{Code: cliutil.ExitInterrupted}
	case gradeErr != nil:
		return opts.CI.exit(gradeErr)
	}
	return opts.CI.exit(&cliutil.ExitError{Code: exitCode(rep)})
}

// sandboxMode is --sandbox, else GRADE_SANDBOX, checked; unset, it is "require" on a CI
// runner (CI set, as GitHub Actions and GitLab CI do) and "auto" on a student's machine.
func sandboxMode(flag string, getenv func(string) string) (string, error) {
	v := flag
	if v == "" {
		v = getenv("GRADE_SANDBOX")
	}
	switch v {
	case grader.SandboxAuto, grader.SandboxRequire, grader.SandboxOff:
		return v, nil
	case "":
		if getenv("CI") != "" {
			return grader.SandboxRequire, nil
		}
		return grader.SandboxAuto, nil
	default:
		return "", cliutil.FlagErrorf("--sandbox / GRADE_SANDBOX %q : auto, require ou off / auto, require or off", v)
	}
}

// grade prepares the run (snapshot, engine) and runs the checks. Everything it creates is
// registered on run.Cleanup before it can leak.
func grade(ctx context.Context, f *cliutil.Factory, run *grader.Run, g grader.Grader, opts *Options, lang string) (*report.Report, error) {
	dir, err := os.MkdirTemp("", "grade-"+run.ID[:8]+"-")
	if err != nil {
		return nil, err
	}
	run.Cleanup.Add("snapshot", func(context.Context) error { return os.RemoveAll(dir) })
	lim, err := limits(run.Spec)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", cliutil.ErrSpec, err)
	}
	snap, err := buildctx.Take(opts.Dir, dir, "Dockerfile", lim)
	if err != nil {
		return nil, err
	}
	run.Dir, run.Refused = snap.Dir, snap.Problems
	if g.Meta().NeedsFiles() {
		files, err := os.MkdirTemp("", "grade-"+run.ID[:8]+"-files-")
		if err != nil {
			return nil, err
		}
		run.Cleanup.Add("submission copy", func(context.Context) error { return os.RemoveAll(files) })
		all, err := buildctx.TakeAll(opts.Dir, files, lim)
		if err != nil {
			return nil, err
		}
		run.Files = all.Dir
		seen := map[string]bool{}
		for _, p := range run.Refused {
			seen[p.Path] = true
		}
		for _, p := range all.Problems {
			if !seen[p.Path] {
				run.Refused = append(run.Refused, p)
			}
		}
	}

	var eng *report.Engine
	if !opts.Static {
		run.Engine, eng, run.EngineErr = connect(ctx, f)
		if run.Engine != nil {
			e := run.Engine
			// LIFO: the label sweep runs before the client closes. It is the safety net:
			// whatever a check forgot, the run's label finds.
			run.Cleanup.Add("engine client", func(context.Context) error { return e.Close() })
			run.Cleanup.Add("engine objects", func(ctx context.Context) error { return grader.Sweep(ctx, e, run.RunLabel()) })
			if m := g.Meta(); m.Exclusive {
				if err := run.Lock(ctx, m.Contract); err != nil {
					return nil, err
				}
			}
		}
	}
	rep, err := runner.Grade(ctx, run, g, runner.Options{Lang: lang, Static: opts.Static, Strict: opts.Strict, Now: f.Now, Observe: f.Observe})
	rep.ToolVersion, rep.Engine, rep.Build, rep.RunID = f.Version, eng, run.Build, run.ID
	return rep, err
}

func connect(ctx context.Context, f *cliutil.Factory) (engine.Engine, *report.Engine, error) {
	e, err := f.Engine()
	if err != nil {
		return nil, nil, err
	}
	ictx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	info, err := e.Info(ictx)
	if err != nil {
		e.Close()
		if !errors.Is(err, engine.ErrUnavailable) {
			err = fmt.Errorf("%w: %w", engine.ErrUnavailable, err)
		}
		return nil, nil, err
	}
	return e, &report.Engine{Version: info.Version, APIVersion: info.APIVersion, OS: info.OS, Arch: info.Arch}, nil
}

func limits(spec *lab.Spec) (buildctx.Limits, error) {
	var lim buildctx.Limits
	if v, ok := spec.Params["context-max"]; ok {
		n, err := units.FromHumanSize(v)
		if err != nil {
			return lim, fmt.Errorf("params.context-max: %w", err)
		}
		lim.MaxBytes = n
	}
	if v, ok := spec.Params["context-files"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return lim, fmt.Errorf("params.context-files: %w", err)
		}
		lim.MaxFiles = n
	}
	return lim, nil
}

// exitCode maps a report to the exit-code table: a check the grader could not decide wins
// over a failure, since the score is then not to be trusted.
func exitCode(r *report.Report) int {
	for _, res := range r.Results {
		if res.Status == check.Error {
			return cliutil.ExitEngine
		}
	}
	if !r.Passed {
		return cliutil.ExitFailed
	}
	return cliutil.ExitOK
}

// plan lists the report destinations; only one of them may be stdout.
func plan(opts *Options) ([]output, error) {
	outs := []output{}
	stdout := 0
	for _, p := range opts.JSON {
		outs = append(outs, output{"json", p})
	}
	for _, p := range opts.JUnit {
		outs = append(outs, output{"junit", p})
	}
	outs = append(outs, opts.CI.outputs()...)
	for _, o := range outs {
		if o.path == "-" {
			stdout++
		}
	}
	if stdout == 0 {
		outs = append(outs, output{opts.Format, "-"})
	}
	if stdout > 1 {
		return nil, cliutil.FlagErrorf("only one report can go to stdout (-)")
	}
	return outs, nil
}

func write(f *cliutil.Factory, rep *report.Report, outs []output) error {
	host, _ := f.Hostname()
	for _, o := range outs {
		w, err := writerFor(o.format, f.IO.ColorOut() && o.path == "-", host)
		if err != nil {
			return err
		}
		if o.path == "-" {
			if done, err := writeStdoutCI(f, rep, o.format); done {
				if err != nil {
					return err
				}
				continue
			}
			if err := w.Write(f.IO.Out, rep); err != nil {
				return err
			}
			continue
		}
		if err := writeAtomic(filepath.Clean(o.path), w, rep); err != nil {
			// The path is the user's: a usage error, not the engine's.
			return cliutil.FlagErrorf("impossible d'écrire le rapport %[1]s (%[2]v) : vérifiez le chemin / cannot write report %[1]s (%[2]v): check the path", o.path, err)
		}
	}
	return nil
}

func loadSpec(path, labName string) (*lab.Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, cliutil.FlagErrorf("--spec: %v", err)
	}
	spec, err := lab.Parse(path, b)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", cliutil.ErrSpec, err)
	}
	if spec.Lab != labName {
		return nil, fmt.Errorf("%w: %s describes %s, not %s", cliutil.ErrSpec, path, spec.Lab, labName)
	}
	return spec, nil
}
