// Package grade is the `grade labN [<dir>]` command: it grades one submission and writes its
// reports.
package grade

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
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

// Options are the command's inputs; the report's language is the factory's (the global
// --lang).
type Options struct {
	F       *cliutil.Factory
	Lab     string
	Dir     string
	Format  string
	JSON    []string
	JUnit   []string
	Static  bool
	Strict  bool
	Timeout time.Duration
	Spec    string // an instructor's spec file replacing the embedded one
	RunID   string // set by `grade batch`, which sweeps the run's objects if it must kill us
	Sandbox string // where scripts run; "" means GRADE_SANDBOX, else the default (sandboxMode)
	CI      CIOptions
	// KubeContext names the Kubernetes context of the checks that ask a cluster (lab 10).
	KubeContext string
}

// NewCmdGrade builds `grade <lab> [<dir>]` for one lab of the catalog.
func NewCmdGrade(f *cliutil.Factory, e lab.Entry, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f, Lab: e.Lab}
	cmd := &cobra.Command{
		Use:     e.Lab + f.Say(" [<dossier>]", " [<dir>]"),
		Short:   f.Sayf("Corriger le lab %d : %s", "Grade lab %d: %s", e.Chapter, f.Text(e.Title)),
		GroupID: "labs",
		Args:    cliutil.Args(0, 1),
		Example: fmt.Sprintf("  $ grade %[1]s\n  $ grade %[1]s ./%[1]s --junit %[2]s.xml --json %[2]s.json\n  $ grade %[1]s --static --lang en",
			e.Lab, f.Say("rapport", "report")),
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
	fl.StringVar(&opts.Format, "format", "text", f.Sayf("`FORMAT` du rapport sur la sortie standard : %s", "`FORMAT` of the report on stdout: %s", strings.Join(formats, ", ")))
	fl.StringArrayVar(&opts.JSON, "json", nil, f.Say("écrire aussi le rapport JSON dans `FICHIER` (- : la sortie standard)", "also write the JSON report to `FILE` (- is stdout)"))
	fl.StringArrayVar(&opts.JUnit, "junit", nil, f.Say("écrire aussi le rapport JUnit XML dans `FICHIER` (- : la sortie standard)", "also write the JUnit XML report to `FILE` (- is stdout)"))
	fl.BoolVar(&opts.Static, "static", false, f.Say("ne corriger que les vérifications qui se passent du moteur Docker", "grade only the checks that need no Docker engine"))
	fl.BoolVar(&opts.Strict, "strict", false, f.Say("compter comme échouées les vérifications que l'environnement fait ignorer", "count the checks skipped because of the environment as failed"))
	fl.DurationVar(&opts.Timeout, "timeout", 0, f.Say("limite de temps totale, une `DURÉE` comme 10m (par défaut : celle du lab)", "overall time limit, a `DURATION` such as 10m (default: the lab's)"))
	fl.StringVar(&opts.Spec, "spec", "", f.Say(
		"corriger avec ce `FICHIER` de spécification (points, indices, limites) au lieu de celle embarquée",
		"grade with this lab spec `FILE` (points, hints, limits) instead of the embedded one"))
	fl.StringVar(&opts.RunID, "run-id", "", f.Say(
		"`UUID` de cette correction, sur chaque objet du moteur : pour grade batch",
		"`UUID` of this run, on every engine object: for grade batch"))
	_ = fl.MarkHidden("run-id")
	fl.StringVar(&opts.Sandbox, "sandbox", "", f.Say(
		"`MODE` d'exécution des scripts de l'étudiant : auto, require ou off (par défaut : GRADE_SANDBOX, sinon require en CI et auto ailleurs)",
		"`MODE` the student's scripts run in: auto, require or off (default: GRADE_SANDBOX, else require on CI and auto elsewhere)"))
	fl.StringVar(&opts.KubeContext, "kube-context", "", f.Say(
		"`CONTEXTE` Kubernetes des vérifications qui interrogent un cluster (lab10.live) ; sans lui, elles sont ignorées",
		"Kubernetes `CONTEXT` of the checks that ask a cluster (lab10.live); without it they are skipped"))
	addCIFlags(f, fl, &opts.CI)
	return cmd
}

func runGrade(ctx context.Context, opts *Options) error {
	f := opts.F
	lang := f.Lang()
	outputs, err := plan(opts)
	if err != nil {
		return err
	}
	cat, err := f.Catalog()
	if err != nil {
		return cliutil.SpecError(err)
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
		return cliutil.FlagErrorf("%s a une spécification mais pas de correcteur dans cette version de grade", "%s has a spec but no grader in this build of grade", spec.Lab)
	}
	if err := grader.CrossCheck(spec, g); err != nil {
		return cliutil.SpecError(err)
	}
	spec = grader.WithDefaults(spec, g.Meta())
	if st, err := os.Stat(opts.Dir); err != nil {
		return cliutil.FlagErrorf("%[1]s n'existe pas : créez le dossier du lab avec `grade init %[2]s %[1]s`, ou placez-vous dans le vôtre (`cd %[2]s`)",
			"%[1]s does not exist: create the lab folder with `grade init %[2]s %[1]s`, or go into yours (`cd %[2]s`)", opts.Dir, spec.Lab)
	} else if !st.IsDir() {
		return cliutil.FlagErrorf("%[1]s n'est pas un dossier : donnez le dossier du lab (`grade %[2]s DOSSIER`)",
			"%[1]s is not a folder: give the lab folder (`grade %[2]s DIR`)", opts.Dir, spec.Lab)
	}

	sandbox, err := sandboxMode(opts.Sandbox, f.Getenv)
	if err != nil {
		return err
	}
	runID := uuid.NewString()
	if opts.RunID != "" {
		u, err := uuid.Parse(opts.RunID)
		if err != nil {
			return cliutil.FlagErrorf("--run-id : « %s » n'est pas un UUID", "--run-id: %q is not a UUID", opts.RunID)
		}
		runID = u.String()
	}
	prog := &progress{w: f.IO.ErrOut, tty: f.IO.ErrTTY, lang: lang}
	run := &grader.Run{
		ID:          runID,
		Spec:        spec,
		Source:      opts.Dir,
		Scope:       f.Getenv("GRADE_CACHE_SCOPE"),
		Sandbox:     sandbox,
		KubeContext: opts.KubeContext,
		Cleanup:     &grader.Cleanup{},
		Progress:    prog.Step,
		Detail:      prog.Detail,
	}
	cleanup := func() {
		for _, err := range run.Cleanup.Run(ctx) {
			fmt.Fprintln(f.IO.ErrOut, f.Sayf("grade : nettoyage incomplet (%s)", "grade: incomplete cleanup (%s)", private(lang, err, run)))
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
			Title: f.Text(spec.Title), Submission: opts.Dir, RunID: run.ID, Lang: lang,
			StartedAt: f.Now().UTC(), Error: f.Sayf("la correction n'a pas pu commencer : %s", "grading could not start: %s", private(lang, gradeErr, run))}
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
		return "", cliutil.FlagErrorf("mode de bac à sable « %s » inconnu (--sandbox ou GRADE_SANDBOX) : auto, require ou off",
			"unknown sandbox mode %q (--sandbox or GRADE_SANDBOX): auto, require or off", v)
	}
}

// grade prepares the run (snapshot, engine) and runs the checks. Everything it creates is
// registered on run.Cleanup before it can leak.
func grade(ctx context.Context, f *cliutil.Factory, run *grader.Run, g grader.Grader, opts *Options, lang string) (*report.Report, error) {
	dir, err := os.MkdirTemp("", "grade-"+run.ID[:8]+"-")
	if err != nil {
		return nil, cliutil.Errorf("impossible de créer la copie privée du rendu (%s)", "cannot create the private copy of the submission (%s)", cliutil.Why(err))
	}
	run.Cleanup.Add("snapshot", func(context.Context) error { return os.RemoveAll(dir) })
	lim, err := limits(run.Spec)
	if err != nil {
		return nil, cliutil.SpecError(err)
	}
	var snap *buildctx.Snapshot
	if g.Meta().Kind == grader.Static {
		snap, err = takeSubmitted(opts.Dir, dir, run.Spec.Submission, lim)
	} else {
		snap, err = buildctx.Take(opts.Dir, dir, "Dockerfile", lim)
	}
	if err != nil {
		return nil, err
	}
	run.Dir, run.Refused = snap.Dir, snap.Problems
	if g.Meta().NeedsFiles() {
		files, err := os.MkdirTemp("", "grade-"+run.ID[:8]+"-files-")
		if err != nil {
			return nil, cliutil.Errorf("impossible de créer la copie privée du rendu (%s)", "cannot create the private copy of the submission (%s)", cliutil.Why(err))
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
	// A static lab reads files only: it never asks for an engine it would not use.
	if !opts.Static && g.Meta().Kind != grader.Static {
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

// private is err in lang, every path of the run's private copies written "./" (as the runner
// does in the report): a temporary folder of grade's own tells the reader nothing.
func private(lang string, err error, run *grader.Run) string {
	msg := cliutil.Message(err, lang)
	if run == nil || len(run.ID) < 8 {
		return msg
	}
	tmp := regexp.MustCompile(regexp.QuoteMeta(filepath.Join(os.TempDir(), "grade-"+run.ID[:8]+"-")) + `(?:files-)?[0-9]+`)
	msg = tmp.ReplaceAllStringFunc(msg, func(string) string { return "." })
	for _, dir := range []string{run.Files, run.Dir} {
		if dir != "" && dir != "/" {
			msg = strings.ReplaceAll(msg, filepath.Clean(dir), ".")
		}
	}
	return strings.ReplaceAll(msg, "."+string(filepath.Separator)+"."+string(filepath.Separator), "."+string(filepath.Separator))
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
			return lim, cliutil.Errorf("params.context-max : « %s » n'est pas une taille", "params.context-max: %q is not a size", v)
		}
		lim.MaxBytes = n
	}
	if v, ok := spec.Params["context-files"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil {
			return lim, cliutil.Errorf("params.context-files : « %s » n'est pas un nombre entier", "params.context-files: %q is not a whole number", v)
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
		return nil, cliutil.FlagErrorf("un seul rapport peut aller sur la sortie standard (-)", "only one report can go to stdout (-)")
	}
	return outs, nil
}

func write(f *cliutil.Factory, rep *report.Report, outs []output) error {
	host, _ := f.Hostname()
	for _, o := range outs {
		toStdout := o.path == "-"
		width := 0
		if toStdout && f.IO.OutTTY {
			width = f.IO.OutWidth
		}
		w, err := writerFor(o.format, f.IO.ColorOut() && toStdout, width, host)
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
			return cliutil.FlagErrorf("impossible d'écrire le rapport %s (%s) : vérifiez le chemin", "cannot write the report %s (%s): check the path", o.path, cliutil.Why(err))
		}
	}
	return nil
}

func loadSpec(path, labName string) (*lab.Spec, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, cliutil.FlagErrorf("--spec : impossible de lire %s (%s)", "--spec: cannot read %s (%s)", path, cliutil.Why(err))
	}
	spec, err := lab.Parse(path, b)
	if err != nil {
		return nil, cliutil.SpecError(err)
	}
	if spec.Lab != labName {
		return nil, cliutil.SpecError(cliutil.Errorf("%s décrit %s, pas %s", "%s describes %s, not %s", path, spec.Lab, labName))
	}
	return spec, nil
}

// takeSubmitted snapshots only the folders the spec names as the submission ("k8s/"): a
// static lab reads nothing else, so a .git folder or a video beside it cannot exceed its
// limits. A folder that is missing is left for the lab's gate to report; one that is a link
// is refused, as any link leaving the submission.
func takeSubmitted(src, dst string, parts []string, lim buildctx.Limits) (*buildctx.Snapshot, error) {
	all := &buildctx.Snapshot{Dir: dst}
	for _, part := range parts {
		if !strings.HasSuffix(part, "/") {
			continue
		}
		rel := filepath.Clean(filepath.FromSlash(part))
		from := filepath.Join(src, rel)
		st, err := os.Lstat(from)
		if err != nil {
			continue
		}
		if !st.Mode().IsDir() {
			all.Problems = append(all.Problems, buildctx.Problem{Path: part, Message: check.T(
				"%s doit être un vrai dossier, pas un lien ni un fichier", "%s must be a real folder, not a link or a file", part)})
			continue
		}
		to := filepath.Join(dst, rel)
		if err := os.MkdirAll(to, 0o755); err != nil {
			return nil, err
		}
		snap, err := buildctx.Take(from, to, "", lim)
		if err != nil {
			return nil, err
		}
		all.Bytes, all.Files = all.Bytes+snap.Bytes, all.Files+snap.Files
		for _, p := range snap.Problems {
			p.Path = filepath.ToSlash(filepath.Join(rel, p.Path))
			all.Problems = append(all.Problems, p)
		}
	}
	return all, nil
}
