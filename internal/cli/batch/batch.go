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
	"strings"
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

	// Grade grades one job; nil runs a child process of this binary (runChild). Tests swap it.
	Grade func(ctx context.Context, j *Job) Outcome
	// Exe is the binary the children run; nil is os.Executable.
	Exe func() (string, error)
}

// NewCmdBatch builds `grade batch LAB DIR`.
func NewCmdBatch(f *cliutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{F: f}
	cmd := &cobra.Command{
		Use:   f.Say("batch <lab> <dossier>", "batch <lab> <dir>"),
		Short: f.Say("Corriger tous les rendus d'une promotion", "Grade every submission of a class"),
		Long: f.Say(`Corrige chaque sous-dossier de <dossier> (ou chaque ligne de --csv) comme un rendu, chacun dans
son propre processus avec sa propre limite de temps : un rendu qui boucle ou attaque ne bloque
pas les autres. Les résultats vont dans --out, un dossier par rendu ; relancer la commande
reprend là où elle s'est arrêtée. À la fin : gradebook-canvas.csv, gradebook-moodle.csv et
class-report.html dans --out (voir docs/batch.md).

Code de sortie : 0 quand chaque rendu a été corrigé, 1 quand certains n'ont pu l'être (erreur ou
délai dépassé), 2 pour une erreur d'utilisation, 130 si la correction est interrompue.`,
			`Grades each sub-folder of <dir> (or each row of --csv) as one submission, each in its own
process with its own time limit: a submission that loops or attacks does not hold the others.
Results go to --out, one folder per submission; running the command again resumes where it
stopped. At the end: gradebook-canvas.csv, gradebook-moodle.csv and class-report.html in --out
(see docs/batch.md).

Exit code: 0 when every submission was graded, 1 when some could not be (error or time limit),
2 for a usage error, 130 when interrupted.`),
		Args: cliutil.Args(2, 2),
		Example: f.Say(`  $ grade batch lab5 ./rendus -j 2
  $ grade batch lab5 ./export --csv promo.csv --deadline echeance.yaml --out resultats
  $ grade batch lab5 ./rendus --shard 0/4 --out shard-0`, `  $ grade batch lab5 ./submissions -j 2
  $ grade batch lab5 ./export --csv roster.csv --deadline deadline.yaml --out results
  $ grade batch lab5 ./submissions --shard 0/4 --out shard-0`),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Lab, opts.Dir = args[0], args[1]
			if opts.Jobs < 1 {
				return cliutil.FlagErrorf("-j : %d n'est pas un nombre de corrections simultanées (1 ou plus)",
					"-j: %d is not a number of gradings at once (1 or more)", opts.Jobs)
			}
			if opts.Shard != "" && opts.Shards != 0 {
				return cliutil.FlagErrorf("--shard et --shards s'excluent : gardez l'une des deux", "--shard and --shards exclude each other: keep one")
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return runBatch(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.CSV, "csv", "", f.Say(
		"`FICHIER` de la promotion : colonnes « id » et « folder » (et name, email, section, submitted_at…)",
		"roster `FILE`: columns \"id\" and \"folder\" (and name, email, section, submitted_at…)"))
	fl.StringVar(&opts.Out, "out", "grade-results", f.Say(
		"`DOSSIER` des résultats, gardés pour chaque rendu : une nouvelle exécution reprend",
		"results `DIR`, kept per submission so that a new run resumes"))
	fl.IntVarP(&opts.Jobs, "jobs", "j", 1, f.Say("`N` rendus corrigés à la fois sur le moteur", "`N` submissions graded at once on the engine"))
	fl.DurationVar(&opts.Timeout, "timeout", 0, f.Say(
		"limite de temps de chaque rendu, une `DURÉE` comme 10m (par défaut : celle du lab)",
		"time limit of each submission, a `DURATION` such as 10m (default: the lab's)"))
	fl.DurationVar(&opts.Grace, "grace", 30*time.Second, f.Say(
		"`DURÉE` laissée pour nettoyer, après la limite de temps, avant l'arrêt forcé",
		"`DURATION` left to clean up, after the time limit, before being killed"))
	fl.BoolVar(&opts.Regrade, "regrade", false, f.Say("corriger à nouveau les rendus déjà corrigés", "grade again the submissions already graded"))
	fl.BoolVar(&opts.RetryErrors, "retry-errors", false, f.Say(
		"corriger à nouveau les rendus qui ont fini en erreur ou en délai dépassé",
		"grade again the submissions that ended in an error or over the time limit"))
	fl.StringVar(&opts.Shard, "shard", "", f.Say("ne corriger que la part `i/N` de la promotion (voir grade merge)", "grade only shard `i/N` of the class (see grade merge)"))
	fl.IntVar(&opts.Shards, "shards", 0, f.Say(
		"`N` parts, l'indice de celle-ci venant de JOB_COMPLETION_INDEX (Indexed Job de Kubernetes)",
		"`N` shards, this one's index from JOB_COMPLETION_INDEX (Kubernetes Indexed Job)"))
	fl.StringVar(&opts.Deadline, "deadline", "", f.Say(
		"`FICHIER` d'échéance, avec la pénalité de retard (voir docs/batch.md)",
		"deadline `FILE` with the late-penalty rule (see docs/batch.md)"))
	fl.StringVar(&opts.Assignment, "assignment", "", f.Say(
		"`NOM` de la colonne du devoir dans les gradebooks, par exemple « Lab 5 (123456) » pour Canvas",
		"assignment column `NAME` in the gradebooks, such as \"Lab 5 (123456)\" for Canvas"))
	return cmd
}

func runBatch(ctx context.Context, opts *Options) error {
	f := opts.F
	lang := f.Lang()
	cat, err := f.Catalog()
	if err != nil {
		return cliutil.SpecError(err)
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
		return cliutil.FlagErrorf("%s a une spécification mais pas de correcteur dans cette version de grade", "%s has a spec but no grader in this build of grade", spec.Lab)
	}
	meta := gradebook.Meta{Lab: spec.Lab, Title: spec.Title.In(lang), Assignment: opts.Assignment, Lang: lang}
	if meta.Assignment == "" {
		meta.Assignment = spec.Lab + ": " + meta.Title
	}
	if opts.Deadline != "" {
		b, err := os.ReadFile(opts.Deadline)
		if err != nil {
			return cliutil.FlagErrorf("--deadline : impossible de lire %s (%s)", "--deadline: cannot read %s (%s)", opts.Deadline, cliutil.Why(err))
		}
		if meta.Deadline, err = gradebook.ParsePolicy(b); err != nil {
			return cliutil.FlagErrorf("--deadline : règle d'échéance illisible dans %s (%v)", "--deadline: unreadable deadline rule in %s (%v)", opts.Deadline, err)
		}
	}
	subs, err := submissions(opts)
	if err != nil {
		return err
	}
	if subs, err = pickShard(opts, subs); err != nil {
		return err
	}
	if err := prepareOut(f, opts.Out, &meta); err != nil {
		return err
	}

	jobs := opts.Jobs
	if g.Meta().Exclusive && jobs > 1 {
		// The lab's contract fixes names and ports: two gradings on one engine would collide,
		// and each child would wait for the engine lock inside its own time limit.
		fmt.Fprintln(f.IO.ErrOut, f.Sayf("%s : noms et ports fixés par le contrat, un rendu à la fois (-j 1)",
			"%s: names and ports fixed by the contract, one submission at a time (-j 1)", spec.Lab))
		jobs = 1
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = time.Duration(spec.Timeout)
	}
	todo, kept := resume(opts, subs)
	if kept > 0 {
		again := f.Say("repris tels quels (--regrade pour tout refaire)", "kept as they are (--regrade grades them again)")
		if kept == 1 {
			again = f.Say("repris tel quel (--regrade pour tout refaire)", "kept as it is (--regrade grades it again)")
		}
		fmt.Fprintln(f.IO.ErrOut, f.Sayf("%s dans %s, %s", "%s in %s, %s",
			f.Count(kept, "rendu déjà corrigé", "rendus déjà corrigés", "submission already graded", "submissions already graded"), opts.Out, again))
	}
	gradeOne, err := gradeFunc(opts, lang)
	if err != nil {
		return err
	}
	prog := newProgress(f.IO.ErrOut, f.IO.ErrTTY, len(todo), f.Now, lang)
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
	fmt.Fprintf(f.IO.Out, "%s\n%s\n%s\n%s\n",
		f.Sayf("%s : %s, %s ; moyenne %s / %s", "%s: %s, %s; mean %s / %s",
			f.Count(len(book.Rows), "rendu", "rendus", "submission", "submissions"),
			f.Count(book.Graded, "corrigé", "corrigés", "graded", "graded"),
			f.Count(book.Errors, "non corrigé", "non corrigés", "not graded", "not graded"),
			decimal(lang, book.Mean), decimal(lang, book.MaxScore)),
		filepath.Join(opts.Out, gradebook.CanvasFile), filepath.Join(opts.Out, gradebook.MoodleFile), filepath.Join(opts.Out, gradebook.HTMLFile))
	switch {
	case ctx.Err() != nil:
		return &cliutil.ExitError{Code: cliutil.ExitInterrupted}
	case failed > 0 || book.Errors > 0:
		return &cliutil.ExitError{Code: cliutil.ExitFailed}
	}
	return nil
}

// decimal says x with two decimals, with a decimal comma in French.
func decimal(lang string, x float64) string {
	s := strconv.FormatFloat(x, 'f', 2, 64)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return s
}

// submissions lists the class: the roster's rows, or the sub-folders of opts.Dir.
func submissions(opts *Options) ([]Submission, error) {
	f := opts.F
	if st, err := os.Stat(opts.Dir); err != nil || !st.IsDir() {
		return nil, cliutil.FlagErrorf("%s n'est pas un dossier : donnez le dossier des rendus", "%s is not a folder: give the folder of the submissions", opts.Dir)
	}
	if opts.CSV != "" {
		fh, err := os.Open(opts.CSV)
		if err != nil {
			return nil, cliutil.FlagErrorf("--csv : impossible de lire %s (%s)", "--csv: cannot read %s (%s)", opts.CSV, cliutil.Why(err))
		}
		defer fh.Close()
		subs, err := parseRoster(fh, opts.Dir)
		if err != nil {
			return nil, cliutil.FlagErrorf("--csv %s : %v", "--csv %s: %v", opts.CSV, err)
		}
		return subs, nil
	}
	subs, skipped, err := listFolders(opts.Dir)
	if err != nil {
		return nil, cliutil.FlagErrorf("impossible de lire le dossier %s (%s)", "cannot read the folder %s (%s)", opts.Dir, cliutil.Why(err))
	}
	for _, s := range skipped {
		q := strconv.Quote(s)
		fmt.Fprintln(f.IO.ErrOut, f.Sayf("« %s » ignoré : ce nom ne peut pas nommer un dossier de résultats",
			"%[2]s skipped: this name cannot name a results folder", q[1:len(q)-1], q))
	}
	return subs, nil
}

func pickShard(opts *Options, subs []Submission) ([]Submission, error) {
	i, n := 0, 1
	switch {
	case opts.Shard != "":
		var err error
		if i, n, err = parseShard(opts.Shard); err != nil {
			return nil, cliutil.FlagErrorf("%v", "%v", err)
		}
	case opts.Shards > 0:
		v := opts.F.Getenv("JOB_COMPLETION_INDEX")
		idx, err := strconv.Atoi(v)
		if err != nil || idx < 0 || idx >= opts.Shards {
			return nil, cliutil.FlagErrorf("--shards %d : JOB_COMPLETION_INDEX=%q n'est pas un indice entre 0 et %d",
				"--shards %d: JOB_COMPLETION_INDEX=%q is not an index from 0 to %d", opts.Shards, v, opts.Shards-1)
		}
		i, n = idx, opts.Shards
	}
	return shard(subs, i, n), nil
}

// prepareOut creates the results folder, refusing one made for another lab.
func prepareOut(f *cliutil.Factory, out string, meta *gradebook.Meta) error {
	if err := os.MkdirAll(filepath.Join(out, gradebook.SubDir), 0o755); err != nil {
		return cliutil.FlagErrorf("--out : impossible de créer %s (%s)", "--out: cannot create %s (%s)", out, cliutil.Why(err))
	}
	old, err := gradebook.ReadMeta(out)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return err
	case old.Lab != meta.Lab:
		return cliutil.FlagErrorf("--out %s contient des résultats de %s, pas de %s", "--out %s holds results of %s, not %s", out, old.Lab, meta.Lab)
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
		return nil, cliutil.Errorf("impossible de trouver le binaire de grade, qui corrige chaque rendu : %v",
			"cannot find grade's own binary, which grades each submission: %v", err)
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
		rec.Status, rec.Error = gradebook.Failed, opts.F.Sayf("impossible de créer %s (%s)", "cannot create %s (%s)", dir, cliutil.Why(err))
		return finish(opts, dir, &rec, prog, start)
	}
	if st, err := os.Stat(s.Folder); err != nil || !st.IsDir() {
		rec.Status, rec.Error = gradebook.Failed, opts.F.Sayf("dossier du rendu introuvable : %s", "submission folder not found: %s", s.Folder)
		_ = os.WriteFile(filepath.Join(dir, gradebook.LogFile), []byte(rec.Error+"\n"), 0o644)
		return finish(opts, dir, &rec, prog, start)
	}
	prog.Started()
	job := &Job{Sub: s, Dir: dir, RunID: rec.RunID, Timeout: timeout, Grace: opts.Grace, Lang: opts.F.Lang()}
	out := gradeOne(ctx, job)
	elapsed := opts.F.Now().Sub(start)
	if ctx.Err() != nil && out.ExitCode != 0 && out.ExitCode != 1 {
		// Interrupted: no record, so the next run grades it again; its objects go now.
		if !cleanExit(out) {
			sw.sweep(ctx, rec.RunID, dir)
		}
		prog.Finished(&gradebook.Record{ID: s.ID, Status: interrupted}, "")
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
			rec.Error = opts.F.Say("pas de rapport", "no report")
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
			rec.Status, rec.Error = gradebook.Failed, opts.F.Sayf("rapport illisible (%v)", "unreadable report (%v)", err)
		}
	}
	if err := gradebook.WriteJSON(filepath.Join(dir, gradebook.RecordFile), rec); err != nil {
		fmt.Fprintln(opts.F.IO.ErrOut, opts.F.Sayf("grade batch : %s : impossible d'écrire le bilan du rendu (%s)",
			"grade batch: %s: cannot write the submission's record (%s)", rec.ID, cliutil.Why(err)))
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
