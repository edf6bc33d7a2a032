// Package batch is the `grade batch LAB DIR` command: it grades a whole class, one submission
// per child process, and writes the gradebooks and the class report.
package batch

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/gradebook"
)

// Options are the command's inputs.
type Options struct {
	F           *cliutil.Factory
	Lab, Dir    string
	CSV         string        // roster: student id → folder
	Out         string        // results folder
	Jobs        int           // submissions graded at once
	Timeout     time.Duration // per submission; 0 is the lab's
	Grace       time.Duration // after Timeout, to clean up before being killed
	Regrade     bool
	RetryErrors bool
	Shard       string // "i/N"
	Shards      int    // N, with i from JOB_COMPLETION_INDEX
	Deadline    string // deadline file
	Assignment  string // the LMS column name
	Lang        string

	// Grade grades one job; nil runs a child process of this binary (runChild). Tests swap it.
	Grade func(ctx context.Context, j *Job) Outcome
	// Exe is the binary the children run; nil is os.Executable.
	Exe func() (string, error)
}

// NewCmdBatch builds `grade batch LAB DIR`.
func NewCmdBatch(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   "batch <lab> <dir>",
		Short: "Corriger tous les rendus d'une promotion / grade a whole class",
		Long: `Corrige chaque sous-dossier de <dir> (ou chaque ligne de --csv) comme un rendu, chacun dans
son propre processus avec sa propre limite de temps : un rendu qui boucle ou attaque ne bloque
pas les autres. Les résultats vont dans --out, un dossier par rendu ; relancer la commande
reprend là où elle s'est arrêtée. À la fin : gradebook-canvas.csv, gradebook-moodle.csv et
class-report.html dans --out (voir docs/batch.md).

Grades each sub-folder of <dir> (or each row of --csv) in its own process with its own time
limit; results go to --out and a rerun resumes. Exit code: 0 when every submission was
graded, 1 when some could not be (error or timeout), 2 usage, 130 interrupted.`,
		Args: cliutil.Args(2, 2),
		Example: `  $ grade batch lab5 ./rendus -j 2
  $ grade batch lab5 ./export --csv roster.csv --deadline deadline.yaml --out results
  $ grade batch lab5 ./rendus --shard 0/4 --out shard-0`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Lab, opts.Dir = args[0], args[1]
			if opts.Jobs < 1 {
				return cliutil.FlagErrorf("-j: %d is not a number of jobs (1 or more)", opts.Jobs)
			}
			if opts.Shard != "" && opts.Shards != 0 {
				return cliutil.FlagErrorf("--shard and --shards exclude each other")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runBatch(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.CSV, "csv", "", "roster `FILE`: columns id and folder (and name, email, section, submitted_at…)")
	fl.StringVar(&opts.Out, "out", "grade-results", "results `DIR` (kept per submission, so a rerun resumes)")
	fl.IntVarP(&opts.Jobs, "jobs", "j", 1, "submissions graded at once on the engine")
	fl.DurationVar(&opts.Timeout, "timeout", 0, "time limit per submission (default: the lab's)")
	fl.DurationVar(&opts.Grace, "grace", 30*time.Second, "after the time limit, time to clean up before being killed")
	fl.BoolVar(&opts.Regrade, "regrade", false, "grade again the submissions already graded")
	fl.BoolVar(&opts.RetryErrors, "retry-errors", false, "grade again the submissions that ended in an error or a timeout")
	fl.StringVar(&opts.Shard, "shard", "", "grade only shard `i/N` of the class (see grade merge)")
	fl.IntVar(&opts.Shards, "shards", 0, "`N` shards, this one's index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job)")
	fl.StringVar(&opts.Deadline, "deadline", "", "deadline `FILE` with the late-penalty rule (see docs/batch.md)")
	fl.StringVar(&opts.Assignment, "assignment", "", "assignment column `NAME` in the gradebooks, e.g. \"Lab 5 (123456)\" for Canvas")
	fl.StringVar(&opts.Lang, "lang", "", "report language: fr or en (default: from LANG, else fr)")
	return cmd
}

func runBatch(ctx context.Context, opts *Options) error {
	f := opts.F
	lang, err := f.Lang(opts.Lang)
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
	reg, err := f.Graders()
	if err != nil {
		return err
	}
	g, ok := reg.Get(spec.Lab)
	if !ok {
		return cliutil.FlagErrorf("%s has a spec but no grader in this build", spec.Lab)
	}
	meta := gradebook.Meta{Lab: spec.Lab, Title: spec.Title.In(lang), Assignment: opts.Assignment, Lang: lang}
	if meta.Assignment == "" {
		meta.Assignment = spec.Lab + ": " + meta.Title
	}
	if opts.Deadline != "" {
		b, err := os.ReadFile(opts.Deadline)
		if err != nil {
			return cliutil.FlagErrorf("--deadline: %v", err)
		}
		if meta.Deadline, err = gradebook.ParsePolicy(b); err != nil {
			return cliutil.FlagErrorf("--deadline %s: %v", opts.Deadline, err)
		}
	}
	subs, err := submissions(opts)
	if err != nil {
		return err
	}
	if subs, err = pickShard(opts, subs); err != nil {
		return err
	}
	if err := prepareOut(opts.Out, &meta); err != nil {
		return err
	}

	jobs := opts.Jobs
	if g.Meta().Exclusive && jobs > 1 {
		// The lab's contract fixes names and ports: two gradings on one engine would collide,
		// and each child would wait for the engine lock inside its own time limit.
		fmt.Fprintf(f.IO.ErrOut, "%s : noms et ports fixés par le contrat, un rendu à la fois (-j 1) / fixed names and ports: one at a time\n", spec.Lab)
		jobs = 1
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Duration(spec.Timeout)
	}
	todo, kept := resume(opts, subs)
	if kept > 0 {
		fmt.Fprintf(f.IO.ErrOut, "%d rendu(s) déjà corrigé(s) dans %s, repris tels quels (--regrade pour tout refaire)\n", kept, opts.Out)
	}
	gradeOne, err := gradeFunc(opts, lang)
	if err != nil {
		return err
	}
	prog := newProgress(f.IO.ErrOut, f.IO.ErrTTY, len(todo), f.Now)
	sw := &sweeper{f: f}
	defer sw.close()
	failed := runAll(ctx, jobs, todo, func(ctx context.Context, s Submission) bool {
		return gradeSubmission(ctx, opts, s, timeout, gradeOne, prog, sw)
	})
	prog.Done()

	book, err := gradebook.WriteAll(opts.Out)
	if err != nil {
		return err
	}
	fmt.Fprintf(f.IO.Out, "%d rendu(s), %d corrigé(s), %d non corrigé(s) ; moyenne %.2f / %.2f\n%s\n%s\n%s\n",
		len(book.Rows), book.Graded, book.Errors, book.Mean, book.MaxScore,
		filepath.Join(opts.Out, gradebook.CanvasFile), filepath.Join(opts.Out, gradebook.MoodleFile), filepath.Join(opts.Out, gradebook.HTMLFile))
	switch {
	case ctx.Err() != nil:
		return &cliutil.ExitError{Code: cliutil.ExitInterrupted}
	case failed > 0 || book.Errors > 0:
		return &cliutil.ExitError{Code: cliutil.ExitFailed}
	}
	return nil
}

// submissions lists the class: the roster's rows, or the sub-folders of opts.Dir.
func submissions(opts *Options) ([]Submission, error) {
	if st, err := os.Stat(opts.Dir); err != nil || !st.IsDir() {
		return nil, cliutil.FlagErrorf("%s n'est pas un dossier / is not a folder", opts.Dir)
	}
	if opts.CSV != "" {
		fh, err := os.Open(opts.CSV)
		if err != nil {
			return nil, cliutil.FlagErrorf("--csv: %v", err)
		}
		defer fh.Close()
		subs, err := parseRoster(fh, opts.Dir)
		if err != nil {
			return nil, cliutil.FlagErrorf("--csv %s: %v", opts.CSV, err)
		}
		return subs, nil
	}
	subs, skipped, err := listFolders(opts.Dir)
	if err != nil {
		return nil, err
	}
	for _, s := range skipped {
		fmt.Fprintf(opts.F.IO.ErrOut, "%q ignoré : ce nom ne peut pas nommer un dossier de résultats / skipped: unusable name\n", s)
	}
	return subs, nil
}

func pickShard(opts *Options, subs []Submission) ([]Submission, error) {
	i, n := 0, 1
	switch {
	case opts.Shard != "":
		var err error
		if i, n, err = parseShard(opts.Shard); err != nil {
			return nil, cliutil.FlagErrorf("%v", err)
		}
	case opts.Shards > 0:
		v := opts.F.Getenv("JOB_COMPLETION_INDEX")
		idx, err := strconv.Atoi(v)
		if err != nil || idx < 0 || idx >= opts.Shards {
			return nil, cliutil.FlagErrorf("--shards %d: JOB_COMPLETION_INDEX=%q is not an index below %d", opts.Shards, v, opts.Shards)
		}
		i, n = idx, opts.Shards
	}
	return shard(subs, i, n), nil
}

// prepareOut creates the results folder, refusing one made for another lab.
func prepareOut(out string, meta *gradebook.Meta) error {
	if err := os.MkdirAll(filepath.Join(out, gradebook.SubDir), 0o755); err != nil {
		return err
	}
	old, err := gradebook.ReadMeta(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case old.Lab != meta.Lab:
		return cliutil.FlagErrorf("--out %s holds results of %s, not %s", out, old.Lab, meta.Lab)
	}
	return gradebook.WriteJSON(filepath.Join(out, gradebook.MetaFile), meta)
}

// resume drops the submissions whose record says they are done, unless asked to redo them.
func resume(opts *Options, subs []Submission) (todo []Submission, kept int) {
	for _, s := range subs {
		rec, err := gradebook.ReadRecord(opts.Out, s.ID)
		if err != nil || opts.Regrade || (opts.RetryErrors && rec.Status != gradebook.Graded) {
			todo = append(todo, s)
			continue
		}
		kept++
	}
	return todo, kept
}

// runAll runs work on each submission with at most jobs at once; it stops starting new ones
// once ctx is done, and returns how many returned false.
func runAll(ctx context.Context, jobs int, subs []Submission, work func(context.Context, Submission) bool) int {
	var wg sync.WaitGroup
	var mu sync.Mutex
	failed := 0
	next := make(chan Submission)
	for range jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for s := range next {
				if !work(ctx, s) {
					mu.Lock()
					failed++
					mu.Unlock()
				}
			}
		}()
	}
feed:
	for _, s := range subs {
		select {
		case <-ctx.Done():
			break feed
		case next <- s:
		}
	}
	close(next)
	wg.Wait()
	return failed
}

// childEnv is the environment of each child grade: ours, and, unless the instructor set
// GRADE_SANDBOX, scripts sandboxed or not run at all, since a cohort is graded on a shared host.
func childEnv(environ []string, getenv func(string) string) []string {
	env := append([]string(nil), environ...)
	if getenv("GRADE_SANDBOX") == "" {
		env = append(env, "GRADE_SANDBOX=require")
	}
	return env
}

// gradeFunc is how one job is graded: opts.Grade, or a child process of this binary.
func gradeFunc(opts *Options, lang string) (func(context.Context, *Job) Outcome, error) {
	if opts.Grade != nil {
		return opts.Grade, nil
	}
	exeF := opts.Exe
	if exeF == nil {
		exeF = os.Executable
	}
	exe, err := exeF()
	if err != nil {
		return nil, fmt.Errorf("cannot find grade's own binary to run each submission: %w", err)
	}
	env := childEnv(os.Environ(), opts.F.Getenv)
	return func(ctx context.Context, j *Job) Outcome {
		return runChild(ctx, exe, childArgs(opts.Lab, j, lang), env, j)
	}, nil
}

// gradeSubmission grades one submission and writes its record last, so that a record always
// means "finished". It returns false when the submission could not be graded.
func gradeSubmission(ctx context.Context, opts *Options, s Submission, timeout time.Duration,
	gradeOne func(context.Context, *Job) Outcome, prog *progress, sw *sweeper) bool {
	dir := filepath.Join(opts.Out, gradebook.SubDir, s.ID)
	rec := s.Record
	rec.RunID = uuid.NewString()
	if rec.SubmittedAt.IsZero() {
		if t := submittedAt(s.Folder); !t.IsZero() {
			rec.SubmittedAt, rec.SubmittedFrom = t, "mtime"
		}
	}
	start := opts.F.Now()
	rec.StartedAt = start.UTC().Format(time.RFC3339)
	// A stale record or report from an earlier run must not outlive this one if it is cut short.
	for _, name := range []string{gradebook.RecordFile, gradebook.ReportFile} {
		_ = os.Remove(filepath.Join(dir, name))
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		rec.Status, rec.Error = gradebook.Failed, err.Error()
		return finish(opts, dir, &rec, prog, start)
	}
	if st, err := os.Stat(s.Folder); err != nil || !st.IsDir() {
		rec.Status, rec.Error = gradebook.Failed, "dossier de rendu absent / no submission folder: "+s.Folder
		_ = os.WriteFile(filepath.Join(dir, gradebook.LogFile), []byte(rec.Error+"\n"), 0o644)
		return finish(opts, dir, &rec, prog, start)
	}
	prog.Started()
	job := &Job{Sub: s, Dir: dir, RunID: rec.RunID, Timeout: timeout, Grace: opts.Grace}
	out := gradeOne(ctx, job)
	elapsed := opts.F.Now().Sub(start)
	if ctx.Err() != nil && out.ExitCode != 0 && out.ExitCode != 1 {
		// Interrupted: no record, so the next run grades it again; its objects go now.
		if !cleanExit(out) {
			sw.sweep(ctx, rec.RunID, dir)
		}
		prog.Finished(&gradebook.Record{ID: s.ID, Status: "interrompu"}, "")
		return true
	}
	rec.ExitCode, rec.Error = out.ExitCode, out.Err
	_, repErr := os.Stat(filepath.Join(dir, gradebook.ReportFile))
	switch {
	case (out.ExitCode == 0 || out.ExitCode == 1) && repErr == nil:
		rec.Status, rec.Error = gradebook.Graded, ""
	case out.TimedOut || elapsed >= timeout:
		rec.Status = gradebook.Timeout
	default:
		rec.Status = gradebook.Failed
		if rec.Error == "" {
			rec.Error = "pas de rapport / no report"
		}
	}
	if !cleanExit(out) {
		// The child died before its own cleanup: whatever carries its run label goes.
		sw.sweep(ctx, rec.RunID, dir)
	}
	return finish(opts, dir, &rec, prog, start)
}

func finish(opts *Options, dir string, rec *gradebook.Record, prog *progress, start time.Time) bool {
	rec.Seconds = float64(opts.F.Now().Sub(start).Milliseconds()) / 1000
	score := ""
	if rec.Status == gradebook.Graded {
		if rep, err := gradebook.ReadReport(filepath.Join(dir, gradebook.ReportFile)); err == nil {
			score = fmt.Sprintf("%g/%g", rep.Score, rep.MaxScore)
		} else {
			rec.Status, rec.Error = gradebook.Failed, err.Error()
		}
	}
	if err := gradebook.WriteJSON(filepath.Join(dir, gradebook.RecordFile), rec); err != nil {
		fmt.Fprintf(opts.F.IO.ErrOut, "grade batch: %s: %v\n", rec.ID, err)
		return false
	}
	prog.Finished(rec, score)
	return rec.Status == gradebook.Graded
}

// cleanExit says whether the grading process ended through its own cleanup: it exited by
// itself with a code of grade's exit table. Killed or crashed, it did not.
func cleanExit(o Outcome) bool {
	if o.TimedOut {
		return false
	}
	switch o.ExitCode {
	case cliutil.ExitOK, cliutil.ExitFailed, cliutil.ExitUsage, cliutil.ExitEngine, cliutil.ExitInterrupted:
		return true
	}
	return false
}
