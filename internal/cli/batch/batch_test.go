package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/graders"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/gradebook"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/iostreams"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/labs"
)

func TestNewCmdBatch(t *testing.T) {
	def := Options{Lab: "lab5", Dir: "subs", Out: "grade-results", Jobs: 1, Grace: 30 * time.Second}
	with := func(fn func(o *Options)) Options { o := def; fn(&o); return o }
	tests := []struct {
		name, cli string
		wants     Options
		wantsErr  string
	}{
		{name: "defaults", cli: "lab5 subs", wants: def},
		{name: "jobs", cli: "lab5 subs -j 4", wants: with(func(o *Options) { o.Jobs = 4 })},
		{name: "roster and out", cli: "lab5 subs --csv r.csv --out res", wants: with(func(o *Options) { o.CSV, o.Out = "r.csv", "res" })},
		{name: "resume flags", cli: "lab5 subs --regrade --retry-errors", wants: with(func(o *Options) { o.Regrade, o.RetryErrors = true, true })},
		{name: "limits", cli: "lab5 subs --timeout 2m --grace 5s", wants: with(func(o *Options) { o.Timeout, o.Grace = 2*time.Minute, 5*time.Second })},
		{name: "shard", cli: "lab5 subs --shard 1/3", wants: with(func(o *Options) { o.Shard = "1/3" })},
		{name: "shards", cli: "lab5 subs --shards 3", wants: with(func(o *Options) { o.Shards = 3 })},
		{name: "gradebook", cli: "lab5 subs --deadline d.yaml --assignment Lab5", wants: with(func(o *Options) { o.Deadline, o.Assignment = "d.yaml", "Lab5" })},
		{name: "zero jobs", cli: "lab5 subs -j 0", wantsErr: "0 n'est pas un nombre de corrections simultanées"},
		{name: "both shard flags", cli: "lab5 subs --shard 0/2 --shards 2", wantsErr: "--shard et --shards s'excluent"},
		{name: "no folder", cli: "lab5", wantsErr: "attend 2 arguments (1 donné)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cliutil.Factory{IO: ios}
			var got *Options
			cmd := NewCmdBatch(f, func(_ context.Context, o *Options) error { got = o; return nil })
			cmd.SetArgs(strings.Fields(tt.cli))
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			_, err := cmd.ExecuteC()
			if tt.wantsErr != "" {
				require.ErrorContains(t, err, tt.wantsErr)
				assert.Nil(t, got)
				return
			}
			require.NoError(t, err)
			got.F = nil
			assert.Equal(t, tt.wants, *got)
		})
	}
}

func Test_parseRoster(t *testing.T) {
	tests := []struct {
		name, in string
		want     []Submission
		wantErr  string
	}{
		{name: "minimal", in: "id,folder\nalice,a\nbob,b/sub\n", want: []Submission{
			{gradebook.Record{ID: "alice", Folder: "d/a"}}, {gradebook.Record{ID: "bob", Folder: "d/b/sub"}}}},
		{name: "Canvas columns, semicolons, BOM, Points Possible row", in: "\ufeffStudent;ID;Folder;Email;Section\n    Points Possible;;;;\n\"Doe, Jane\";98765;jane;jd@x.edu;S1\n",
			want: []Submission{{gradebook.Record{ID: "98765", Folder: "d/jane", Name: "Doe, Jane", Email: "jd@x.edu", Section: "S1"}}}},
		{name: "no folder column", in: "id,name\nalice,Alice\n", wantErr: `no "folder" column`},
		{name: "escaping folder", in: "id,folder\nalice,../etc\n", wantErr: "must be a relative path"},
		{name: "absolute folder", in: "id,folder\nalice,/etc\n", wantErr: "must be a relative path"},
		{name: "bad id", in: "id,folder\n../x,a\n", wantErr: "not a usable id"},
		{name: "duplicate id", in: "id,folder\na,x\na,y\n", wantErr: "already on line 2"},
		{name: "bad time", in: "id,folder,submitted_at\na,x,yesterday\n", wantErr: "RFC 3339"},
		{name: "empty", in: "", wantErr: "empty file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseRoster(strings.NewReader(tt.in), "d")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, cliutil.Message(err, "en"), tt.wantErr)
				assert.Empty(t, check.Foreign("fr", cliutil.Message(err, "fr")), cliutil.Message(err, "fr"))
				return
			}
			require.NoError(t, err)
			if tt.want != nil {
				assert.Equal(t, tt.want, got)
			}
		})
	}
	// The LMS-shaped roster, field by field.
	got, err := parseRoster(strings.NewReader("id;folder;name;email;section;sis user id;sis login id;submitted_at\n98765;jane;Doe, Jane;jd@x.edu;S1;S001;jdoe;2026-12-01T10:00:00+01:00\n"), "d")
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, gradebook.Record{ID: "98765", Folder: "d/jane", Name: "Doe, Jane", Email: "jd@x.edu", Section: "S1",
		SISUserID: "S001", SISLoginID: "jdoe", SubmittedAt: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC), SubmittedFrom: "roster"}, got[0].Record)
}

func FuzzParseRoster(f *testing.F) {
	f.Add("id,folder\nalice,a\n")
	f.Add("Student;ID;Folder\nPoints Possible;;\nx;1;f\n")
	f.Add("id,folder,submitted_at\na,../b,2026-01-01T00:00:00Z\n")
	f.Fuzz(func(t *testing.T, in string) {
		subs, err := parseRoster(strings.NewReader(in), "base")
		if err != nil {
			return
		}
		for _, s := range subs {
			if !gradebook.ValidID(s.ID) {
				t.Fatalf("invalid id %q accepted", s.ID)
			}
			rel, err := filepath.Rel("base", s.Folder)
			if err != nil || !filepath.IsLocal(rel) {
				t.Fatalf("folder %q escapes the base", s.Folder)
			}
		}
	})
}

func Test_shard(t *testing.T) {
	var subs []Submission
	for _, id := range []string{"e", "a", "d", "c", "b"} {
		subs = append(subs, Submission{gradebook.Record{ID: id}})
	}
	ids := func(ss []Submission) string {
		var out []string
		for _, s := range ss {
			out = append(out, s.ID)
		}
		return strings.Join(out, ",")
	}
	assert.Equal(t, "a,b,c,d,e", ids(shard(subs, 0, 1)))
	assert.Equal(t, "a,c,e", ids(shard(subs, 0, 2)))
	assert.Equal(t, "b,d", ids(shard(subs, 1, 2)))
	assert.Equal(t, "", ids(shard(subs[:1], 1, 2)))
	for _, tt := range []struct {
		in   string
		i, n int
		err  bool
	}{{"0/1", 0, 1, false}, {"2/3", 2, 3, false}, {"3/3", 0, 0, true}, {"-1/2", 0, 0, true}, {"1", 0, 0, true}, {"a/b", 0, 0, true}, {"0/0", 0, 0, true}} {
		i, n, err := parseShard(tt.in)
		assert.Equal(t, tt.err, err != nil, tt.in)
		assert.Equal(t, []int{tt.i, tt.n}, []int{i, n}, tt.in)
	}
}

// fakeGrade stands for the grading process: it writes a report whose score depends on the
// submission's marker file, or behaves as a hostile submission would.
type fakeGrade struct {
	mu    sync.Mutex
	calls []string
	max   int // most jobs seen at once
	cur   int
}

func (g *fakeGrade) grade(ctx context.Context, j *Job) Outcome {
	g.mu.Lock()
	g.calls = append(g.calls, j.Sub.ID)
	g.cur++
	g.max = max(g.max, g.cur)
	g.mu.Unlock()
	defer func() { g.mu.Lock(); g.cur--; g.mu.Unlock() }()
	b, _ := os.ReadFile(filepath.Join(j.Sub.Folder, "behaviour"))
	switch strings.TrimSpace(string(b)) {
	case "endless":
		return Outcome{ExitCode: -1, TimedOut: true, Err: "over 1s: killed"}
	case "crash":
		return Outcome{ExitCode: 3, Err: "le moteur Docker est injoignable"}
	}
	time.Sleep(20 * time.Millisecond)
	score, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	status := "pass"
	if score < 10 {
		status = "fail"
	}
	rep := map[string]any{"schema_version": 1, "lab": "lab5", "score": score, "max_score": 10, "run_id": j.RunID,
		"tests": []map[string]any{{"id": "lab5.files", "name": "Fichiers", "status": status, "score": score, "max_score": 10}}}
	b, _ = json.Marshal(rep)
	_ = os.WriteFile(filepath.Join(j.Dir, gradebook.ReportFile), b, 0o644)
	_ = os.WriteFile(filepath.Join(j.Dir, gradebook.LogFile), []byte("… graded\n"), 0o644)
	if status == "fail" {
		return Outcome{ExitCode: 1}
	}
	return Outcome{ExitCode: 0}
}

func class(t *testing.T, behaviours map[string]string) string {
	dir := t.TempDir()
	for id, b := range behaviours {
		require.NoError(t, os.MkdirAll(filepath.Join(dir, id), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, id, "behaviour"), []byte(b), 0o644))
	}
	require.NoError(t, os.MkdirAll(filepath.Join(dir, ".hidden"), 0o755))
	return dir
}

func testFactory(t *testing.T, fake *enginefake.Fake) (*cliutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	ios, _, out, errOut := iostreams.Test()
	return &cliutil.Factory{
		IO:      ios,
		Catalog: func() (*lab.Catalog, error) { return lab.Load(labs.FS) },
		Graders: func() (*grader.Registry, error) { return grader.NewRegistry(graders.All()...) },
		Engine:  func() (engine.Engine, error) { return fake, nil },
		Now:     time.Now,
		Getenv:  func(string) string { return "" },
	}, out, errOut
}

func Test_runBatch(t *testing.T) {
	dir := class(t, map[string]string{"alice": "10", "bob": "6", "carol": "endless", "dave": "crash", "erin": "10"})
	out := filepath.Join(t.TempDir(), "res")
	var swept []string
	fake := &enginefake.Fake{
		ListFn: func(_ context.Context, label string) ([]engine.Ref, error) {
			swept = append(swept, label)
			return nil, nil
		},
		RemoveFn: func(context.Context, engine.Ref) error { return nil },
	}
	f, stdout, stderr := testFactory(t, fake)
	g := &fakeGrade{}
	opts := &Options{F: f, Lab: "lab5", Dir: dir, Out: out, Jobs: 2, Timeout: time.Second, Grace: time.Second, Grade: g.grade}

	err := runBatch(context.Background(), opts)
	var exit *cliutil.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, cliutil.ExitFailed, exit.Code, "two submissions could not be graded")
	assert.ElementsMatch(t, []string{"alice", "bob", "carol", "dave", "erin"}, g.calls)
	assert.Equal(t, 2, g.max, "-j 2 grades two at once")
	assert.Contains(t, stderr.String(), "[5/5]")
	assert.Contains(t, stdout.String(), "5 rendus\u00a0: 3 corrigés, 2 non corrigés\u00a0; moyenne ")
	assert.Contains(t, stderr.String(), "carol\u00a0: délai dépassé")
	assert.Empty(t, check.Foreign("fr", stdout.String()+stderr.String()), stdout.String()+stderr.String())

	recs := map[string]gradebook.Record{}
	for _, id := range []string{"alice", "bob", "carol", "dave", "erin"} {
		rec, err := gradebook.ReadRecord(out, id)
		require.NoError(t, err, id)
		recs[id] = *rec
		assert.Equal(t, "mtime", rec.SubmittedFrom, id)
	}
	assert.Equal(t, gradebook.Graded, recs["alice"].Status)
	assert.Equal(t, gradebook.Graded, recs["bob"].Status)
	assert.Equal(t, gradebook.Timeout, recs["carol"].Status)
	assert.Equal(t, gradebook.Failed, recs["dave"].Status)
	assert.Equal(t, "le moteur Docker est injoignable", recs["dave"].Error)
	assert.Equal(t, []string{"ddlab.run=" + recs["carol"].RunID}, swept, "only the killed grading is swept by the batch")
	for _, name := range []string{gradebook.CanvasFile, gradebook.MoodleFile, gradebook.HTMLFile, gradebook.MetaFile} {
		assert.FileExists(t, filepath.Join(out, name))
	}
	canvas, err := os.ReadFile(filepath.Join(out, gradebook.CanvasFile))
	require.NoError(t, err)
	assert.Equal(t, "Student,ID,SIS User ID,SIS Login ID,Section,\"lab5: Écrire un bon Dockerfile : multi-étapes, cache, signaux\"\nPoints Possible,,,,,10\n"+
		"alice,alice,,,,10\nbob,bob,,,,6\ncarol,carol,,,,\ndave,dave,,,,\nerin,erin,,,,10\n", string(canvas))

	t.Run("resume skips what is done", func(t *testing.T) {
		g.calls = nil
		stderr.Reset()
		require.ErrorAs(t, runBatch(context.Background(), opts), &exit)
		assert.Empty(t, g.calls)
		assert.Contains(t, stderr.String(), "5 rendus déjà corrigés dans ")
	})
	t.Run("retry errors", func(t *testing.T) {
		g.calls = nil
		o := *opts
		o.RetryErrors = true
		require.ErrorAs(t, runBatch(context.Background(), &o), &exit)
		assert.ElementsMatch(t, []string{"carol", "dave"}, g.calls)
	})
	t.Run("regrade", func(t *testing.T) {
		g.calls = nil
		o := *opts
		o.Regrade = true
		require.ErrorAs(t, runBatch(context.Background(), &o), &exit)
		assert.Len(t, g.calls, 5)
	})
	t.Run("an unfinished submission is graded again", func(t *testing.T) {
		require.NoError(t, os.Remove(filepath.Join(out, gradebook.SubDir, "bob", gradebook.RecordFile)))
		g.calls = nil
		require.ErrorAs(t, runBatch(context.Background(), opts), &exit)
		assert.Equal(t, []string{"bob"}, g.calls)
	})
	t.Run("results of another lab", func(t *testing.T) {
		o := *opts
		o.Lab = "lab4"
		err := runBatch(context.Background(), &o)
		require.ErrorContains(t, err, "contient des résultats de lab5")
		assert.Equal(t, "--out "+out+" holds results of lab5, not lab4", cliutil.Message(err, "en"))
	})
}

// Test_runBatchEnglish: a batch run in English says everything in English, the progress lines,
// the summary and the records' errors included.
func Test_runBatchEnglish(t *testing.T) {
	dir := class(t, map[string]string{"alice": "10", "carol": "endless", "dave": "crash"})
	f, stdout, stderr := testFactory(t, &enginefake.Fake{
		ListFn:   func(context.Context, string) ([]engine.Ref, error) { return nil, nil },
		RemoveFn: func(context.Context, engine.Ref) error { return nil },
	})
	f.Language = "en"
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "-x"), 0o755))
	g := &fakeGrade{}
	opts := &Options{F: f, Lab: "lab5", Dir: dir, Out: filepath.Join(t.TempDir(), "res"), Jobs: 1, Timeout: time.Second, Grace: time.Second, Grade: g.grade}
	var exit *cliutil.ExitError
	require.ErrorAs(t, runBatch(context.Background(), opts), &exit)
	assert.Contains(t, stdout.String(), "3 submissions: 1 graded, 2 not graded; mean 10.00 / 10.00\n")
	assert.Contains(t, stderr.String(), "] alice: graded 10/10 (")
	assert.Contains(t, stderr.String(), "] carol: over the time limit")
	assert.Contains(t, stderr.String(), "] dave: not graded")
	assert.Contains(t, stderr.String(), `"-x" skipped: this name cannot name a results folder`)
	// The fake child said "le moteur Docker est injoignable": the child's own words, in the
	// language the batch passed it (--lang), are not the batch's to translate.
	assert.Empty(t, check.Foreign("en", strings.ReplaceAll(stdout.String()+stderr.String(), "le moteur Docker est injoignable", "")))

	require.ErrorAs(t, runBatch(context.Background(), opts), &exit)
	assert.Contains(t, stderr.String(), "3 submissions already graded in ")
}

func Test_runBatchShardsAndRoster(t *testing.T) {
	dir := class(t, map[string]string{"f1": "10", "f2": "4", "f3": "8"})
	roster := filepath.Join(t.TempDir(), "roster.csv")
	require.NoError(t, os.WriteFile(roster, []byte("id,folder,name,submitted_at\ns1,f1,Ann,2026-12-01T10:00:00Z\ns2,f2,Ben,2026-12-03T10:00:00Z\ns3,f3,Cid,2026-12-01T10:00:00Z\ns4,missing,Dan,\n"), 0o644))
	deadline := filepath.Join(t.TempDir(), "deadline.yaml")
	require.NoError(t, os.WriteFile(deadline, []byte("due: 2026-12-01T23:59:00Z\npenalty-per-day: 25\n"), 0o644))
	root := t.TempDir()
	run := func(out string, env map[string]string, mod func(*Options)) error {
		f, _, _ := testFactory(t, &enginefake.Fake{})
		f.Getenv = func(k string) string { return env[k] }
		g := &fakeGrade{}
		o := &Options{F: f, Lab: "lab5", Dir: dir, CSV: roster, Deadline: deadline, Out: out, Jobs: 1, Timeout: time.Second, Grace: time.Second, Grade: g.grade}
		mod(o)
		return runBatch(context.Background(), o)
	}
	var exit *cliutil.ExitError
	require.ErrorAs(t, run(filepath.Join(root, "one"), nil, func(*Options) {}), &exit)
	require.NoError(t, run(filepath.Join(root, "s0"), nil, func(o *Options) { o.Shard = "0/2" }), "s1 and s3: both graded")
	require.ErrorAs(t, run(filepath.Join(root, "s1"), map[string]string{"JOB_COMPLETION_INDEX": "1"}, func(o *Options) { o.Shards = 2 }), &exit)
	s0, err := gradebook.Load(filepath.Join(root, "s0"))
	require.NoError(t, err)
	s1, err := gradebook.Load(filepath.Join(root, "s1"))
	require.NoError(t, err)
	assert.Len(t, s0, 2)
	assert.Len(t, s1, 2)

	_, err = gradebook.Merge(filepath.Join(root, "merged"), []string{filepath.Join(root, "s0"), filepath.Join(root, "s1")})
	require.NoError(t, err)
	for _, name := range []string{gradebook.CanvasFile, gradebook.MoodleFile, gradebook.HTMLFile} {
		want, err := os.ReadFile(filepath.Join(root, "one", name))
		require.NoError(t, err)
		got, err := os.ReadFile(filepath.Join(root, "merged", name))
		require.NoError(t, err)
		assert.Equal(t, string(want), string(got), name)
	}
	moodle, err := os.ReadFile(filepath.Join(root, "one", gradebook.MoodleFile))
	require.NoError(t, err)
	late := strings.ReplaceAll(string(moodle), "\u00a0", " ")
	assert.Contains(t, late, "s2,,2,", "late penalty from the roster's time")
	assert.Contains(t, late, "2 jours de retard : -50 %", "late penalty from the roster's time")
	assert.Contains(t, string(moodle), "s4,,,non corrigé (error)")

	t.Run("bad completion index", func(t *testing.T) {
		err := run(filepath.Join(root, "x"), map[string]string{"JOB_COMPLETION_INDEX": "2"}, func(o *Options) { o.Shards = 2 })
		require.ErrorContains(t, err, "JOB_COMPLETION_INDEX")
	})
}

// TestExclusiveLabTakesTurns: a lab whose contract fixes names and ports is graded one
// submission at a time whatever -j says.
func TestExclusiveLabTakesTurns(t *testing.T) {
	reg, err := grader.NewRegistry(graders.All()...)
	require.NoError(t, err)
	exclusive := ""
	for _, l := range reg.Labs() {
		g, _ := reg.Get(l)
		if g.Meta().Exclusive {
			exclusive = l
			break
		}
	}
	require.NotEmpty(t, exclusive, "no exclusive lab in this build")
	dir := class(t, map[string]string{"a": "10", "b": "10", "c": "10"})
	f, _, stderr := testFactory(t, &enginefake.Fake{})
	g := &fakeGrade{}
	opts := &Options{F: f, Lab: exclusive, Dir: dir, Out: filepath.Join(t.TempDir(), "r"), Jobs: 3, Timeout: time.Second, Grace: time.Second, Grade: g.grade}
	_ = runBatch(context.Background(), opts)
	assert.Equal(t, 1, g.max)
	assert.Contains(t, stderr.String(), "un rendu à la fois")
}

// TestInterruptedBatch: Ctrl-C stops starting submissions, and what was interrupted has no
// record, so the next run grades it.
func TestInterruptedBatch(t *testing.T) {
	dir := class(t, map[string]string{"a": "10", "b": "10", "c": "10"})
	f, _, _ := testFactory(t, &enginefake.Fake{})
	ctx, cancel := context.WithCancel(context.Background())
	grade := func(ctx context.Context, j *Job) Outcome {
		cancel()
		<-ctx.Done()
		return Outcome{ExitCode: 130}
	}
	out := filepath.Join(t.TempDir(), "r")
	err := runBatch(ctx, &Options{F: f, Lab: "lab5", Dir: dir, Out: out, Jobs: 1, Timeout: time.Second, Grace: time.Second, Grade: grade})
	var exit *cliutil.ExitError
	require.ErrorAs(t, err, &exit)
	assert.Equal(t, cliutil.ExitInterrupted, exit.Code)
	entries, err := gradebook.Load(out)
	require.NoError(t, err)
	assert.Empty(t, entries)
}

// Test_runChild runs real processes: the test binary stands for hostile children (TestMain).
func Test_runChild(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes that take seconds to kill")
	}
	exe, err := os.Executable()
	require.NoError(t, err)

	t.Run("endless child and its grandchild are killed at the limit", func(t *testing.T) {
		dir := t.TempDir()
		env := append(os.Environ(), "BATCH_TEST_CHILD=endless", "BATCH_TEST_PIDDIR="+dir)
		start := time.Now()
		out := runChild(context.Background(), exe, nil, env, &Job{Dir: dir, Timeout: time.Second, Grace: 500 * time.Millisecond, Lang: "en"})
		took := time.Since(start)
		assert.True(t, out.TimedOut)
		assert.Less(t, took, 5*time.Second)
		assert.Contains(t, out.Err, "killed")
		b, err := os.ReadFile(filepath.Join(dir, "grandchild"))
		require.NoError(t, err)
		pid, _ := strconv.Atoi(string(b))
		require.Eventually(t, func() bool {
			return errors.Is(syscall.Kill(pid, 0), syscall.ESRCH) || zombie(pid)
		}, 5*time.Second, 50*time.Millisecond, "the grandchild outlived the kill")
		log, err := os.ReadFile(filepath.Join(dir, gradebook.LogFile))
		require.NoError(t, err)
		assert.Contains(t, string(log), "killed after")
	})
	t.Run("cancel sends SIGTERM first", func(t *testing.T) {
		dir := t.TempDir()
		ctx, cancel := context.WithCancel(context.Background())
		go func() {
			// Cancel once the child listens for SIGTERM, as grade does from its first line.
			for range 600 {
				if _, err := os.Stat(filepath.Join(dir, "ready")); err == nil {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			cancel()
		}()
		out := runChild(ctx, exe, nil, append(os.Environ(), "BATCH_TEST_CHILD=polite", "BATCH_TEST_PIDDIR="+dir), &Job{Dir: dir, Timeout: time.Minute, Grace: 10 * time.Second})
		assert.False(t, out.TimedOut)
		assert.Equal(t, 130, out.ExitCode)
	})
}

// zombie says whether pid is a dead process not yet reaped (its parent, the killed child, is
// gone too, so init reaps it soon).
func zombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return true
	}
	f := strings.Fields(string(b))
	return len(f) > 2 && f[2] == "Z"
}

func Test_childArgs(t *testing.T) {
	wd, err := os.Getwd()
	require.NoError(t, err)
	j := &Job{Sub: Submission{gradebook.Record{ID: "x", Folder: "--spec=evil.yaml"}}, Dir: "out/submissions/x",
		RunID: "0d6c4b7e-6f0a-4c5e-9a43-1b2c3d4e5f60", Timeout: 90 * time.Second}
	assert.Equal(t, []string{"lab5", filepath.Join(wd, "--spec=evil.yaml"), "--json", "out/submissions/x/report.json",
		"--format", "json", "--run-id", "0d6c4b7e-6f0a-4c5e-9a43-1b2c3d4e5f60", "--timeout", "1m30s", "--lang", "en"},
		childArgs("lab5", j, "en"), "a folder never reads as a flag")
}

func Test_childEnv(t *testing.T) {
	none := func(string) string { return "" }
	assert.Equal(t, []string{"PATH=/bin", "GRADE_SANDBOX=require"}, childEnv([]string{"PATH=/bin"}, none), "a cohort's scripts are sandboxed")
	off := func(k string) string {
		if k == "GRADE_SANDBOX" {
			return "off"
		}
		return ""
	}
	assert.Equal(t, []string{"PATH=/bin", "GRADE_SANDBOX=off"}, childEnv([]string{"PATH=/bin", "GRADE_SANDBOX=off"}, off), "the instructor's choice stands")
}
