package grade

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/buildctx"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/iostreams"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/report"
)

func TestNewCmdGrade(t *testing.T) {
	tests := []struct {
		name     string
		cli      string
		wants    Options
		wantsErr string
		flagErr  bool // the error is a *cliutil.FlagError (exit 2)
	}{
		{name: "no argument", cli: "", wants: Options{Dir: ".", Format: "text"}},
		{name: "folder", cli: "./lab5", wants: Options{Dir: "./lab5", Format: "text"}},
		{name: "format json", cli: "--format json", wants: Options{Dir: ".", Format: "json"}},
		{name: "format junit", cli: "--format=junit sub", wants: Options{Dir: "sub", Format: "junit"}},
		{name: "bad format", cli: "--format xml", wantsErr: "--format\u00a0: «\u00a0xml\u00a0» n'est pas un format de grade (text, json, junit, github", flagErr: true},
		{name: "empty format", cli: "--format=", wantsErr: "«\u00a0\u00a0» n'est pas un format de grade (text, json, junit", flagErr: true},
		{name: "repeated json", cli: "--json a.json --json b.json", wants: Options{Dir: ".", Format: "text", JSON: []string{"a.json", "b.json"}}},
		{name: "junit to stdout", cli: "--junit -", wants: Options{Dir: ".", Format: "text", JUnit: []string{"-"}}},
		{name: "both reports", cli: "--json out.json --junit out.xml .", wants: Options{Dir: ".", Format: "text", JSON: []string{"out.json"}, JUnit: []string{"out.xml"}}},
		{name: "static and strict", cli: "--static --strict", wants: Options{Dir: ".", Format: "text", Static: true, Strict: true}},
		{name: "spec", cli: "--spec /tmp/lab5.yaml", wants: Options{Dir: ".", Format: "text", Spec: "/tmp/lab5.yaml"}},
		{name: "timeout", cli: "--timeout 5m", wants: Options{Dir: ".", Format: "text", Timeout: 5 * time.Minute}},
		{name: "run id for batch", cli: "--run-id 0d6c4b7e-6f0a-4c5e-9a43-1b2c3d4e5f60", wants: Options{Dir: ".", Format: "text", RunID: "0d6c4b7e-6f0a-4c5e-9a43-1b2c3d4e5f60"}},
		{name: "too many arguments", cli: "a b", wantsErr: "attend au plus 1 argument (2 donnés)", flagErr: true},
		{name: "bad timeout", cli: "--timeout soon", wantsErr: `invalid argument "soon"`},
		{name: "unknown flag", cli: "--fast", wantsErr: "unknown flag: --fast"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, _, _ := iostreams.Test()
			f := &cliutil.Factory{IO: ios}
			var gotOpts *Options
			cmd := NewCmdGrade(f, lab.Entry{Lab: "lab5", Chapter: 5, Title: check.Text{FR: "Écrire un bon Dockerfile", EN: "Writing a good Dockerfile"}},
				func(_ context.Context, o *Options) error {
					gotOpts = o
					return nil
				})
			cmd.SetArgs(strings.Fields(tt.cli))
			cmd.SetIn(&bytes.Buffer{})
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})

			_, err := cmd.ExecuteC()
			if tt.wantsErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantsErr)
				var fe *cliutil.FlagError
				assert.Equal(t, tt.flagErr, errors.As(err, &fe))
				assert.Nil(t, gotOpts, "runF must not run")
				return
			}
			require.NoError(t, err)
			require.NotNil(t, gotOpts)
			assert.Same(t, f, gotOpts.F)
			assert.Equal(t, "lab5", gotOpts.Lab)
			gotOpts.F, gotOpts.Lab = nil, ""
			assert.Equal(t, tt.wants, *gotOpts)
		})
	}
}

func TestNewCmdGradeHelp(t *testing.T) {
	entry := lab.Entry{Lab: "lab5", Chapter: 5, Title: check.Text{FR: "Écrire un bon Dockerfile : cache", EN: "Writing a good Dockerfile: cache"}}
	tests := []struct {
		lang, use, short string
	}{
		{"fr", "lab5 [<dossier>]", "Corriger le lab 5\u00a0: Écrire un bon Dockerfile\u00a0: cache"},
		{"en", "lab5 [<dir>]", "Grade lab 5: Writing a good Dockerfile: cache"},
	}
	for _, tt := range tests {
		t.Run(tt.lang, func(t *testing.T) {
			cmd := NewCmdGrade(&cliutil.Factory{Language: tt.lang}, entry, nil)
			assert.Equal(t, tt.use, cmd.Use)
			assert.Equal(t, tt.short, cmd.Short)
			assert.Equal(t, "labs", cmd.GroupID)
			for _, line := range strings.Split(cmd.Example, "\n") {
				assert.True(t, strings.HasPrefix(strings.TrimSpace(line), "$ grade lab5"), line)
			}
			assert.Nil(t, cmd.Flags().Lookup("lang"), "--lang is the root's, for every command")
			cmd.Flags().VisitAll(func(fl *pflag.Flag) {
				assert.Empty(t, check.Foreign(tt.lang, fl.Usage), "--%s: %s", fl.Name, fl.Usage)
			})
		})
	}
}

func Test_plan(t *testing.T) {
	tests := []struct {
		name     string
		opts     Options
		want     []output
		wantsErr bool
	}{
		{name: "text to stdout", opts: Options{Format: "text"}, want: []output{{"text", "-"}}},
		{name: "json to stdout", opts: Options{Format: "json"}, want: []output{{"json", "-"}}},
		{
			name: "files, and the format still goes to stdout",
			opts: Options{Format: "text", JSON: []string{"a.json"}, JUnit: []string{"a.xml"}},
			want: []output{{"json", "a.json"}, {"junit", "a.xml"}, {"text", "-"}},
		},
		{
			name: "a file report on stdout replaces the format",
			opts: Options{Format: "text", JSON: []string{"a.json"}, JUnit: []string{"-"}},
			want: []output{{"json", "a.json"}, {"junit", "-"}},
		},
		{name: "two on stdout", opts: Options{Format: "text", JSON: []string{"-"}, JUnit: []string{"-"}}, wantsErr: true},
		{name: "json twice on stdout", opts: Options{Format: "text", JSON: []string{"-", "-"}}, wantsErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := plan(&tt.opts)
			if tt.wantsErr {
				var fe *cliutil.FlagError
				require.ErrorAs(t, err, &fe)
				assert.Equal(t, "only one report can go to stdout (-)", fe.In("en"))
				assert.Equal(t, "un seul rapport peut aller sur la sortie standard (-)", fe.In("fr"))
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func Test_exitCode(t *testing.T) {
	res := func(s check.Status) check.Result { return check.Result{ID: "lab5.x", Status: s} }
	tests := []struct {
		name string
		rep  report.Report
		want int
	}{
		{name: "passed", rep: report.Report{Passed: true, Results: []check.Result{res(check.Pass), res(check.Skip)}}, want: cliutil.ExitOK},
		{name: "failed", rep: report.Report{Results: []check.Result{res(check.Pass), res(check.Fail)}}, want: cliutil.ExitFailed},
		{name: "an error wins over a failure", rep: report.Report{Results: []check.Result{res(check.Fail), res(check.Error)}}, want: cliutil.ExitEngine},
		{name: "an error wins over a pass", rep: report.Report{Passed: true, Results: []check.Result{res(check.Error)}}, want: cliutil.ExitEngine},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, exitCode(&tt.rep))
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write(w io.Writer, _ *report.Report) error {
	_, _ = w.Write([]byte("half a rep"))
	return errors.New("render failed")
}

func Test_writeAtomic(t *testing.T) {
	rep := &report.Report{SchemaVersion: report.SchemaVersion, Lab: "lab5", Lang: "fr", Passed: true}
	tests := []struct {
		name     string
		existing string // content of the file before, "" for none
		path     string // relative to the temp folder
		w        report.Writer
		wantErr  string
	}{
		{name: "new file", path: "grade.json", w: report.JSON{}},
		{name: "replaces a file", existing: "old report", path: "grade.json", w: report.JSON{}},
		{name: "creates folders", path: "out/reports/junit.xml", w: report.JUnit{Hostname: "ci"}},
		{name: "a failing writer leaves the old file alone", existing: "old report", path: "grade.json", w: failingWriter{}, wantErr: "render failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, filepath.FromSlash(tt.path))
			if tt.existing != "" {
				require.NoError(t, os.WriteFile(p, []byte(tt.existing), 0o600))
			}
			err := writeAtomic(p, tt.w, rep)
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				b, rerr := os.ReadFile(p)
				require.NoError(t, rerr)
				assert.Equal(t, tt.existing, string(b))
			} else {
				require.NoError(t, err)
				var want bytes.Buffer
				require.NoError(t, tt.w.Write(&want, rep))
				b, rerr := os.ReadFile(p)
				require.NoError(t, rerr)
				assert.Equal(t, want.String(), string(b))
				st, serr := os.Stat(p)
				require.NoError(t, serr)
				assert.Equal(t, os.FileMode(0o644), st.Mode().Perm())
			}
			assertNoTemp(t, dir)
		})
	}
}

// assertNoTemp fails if a temporary report file was left anywhere under dir.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	require.NoError(t, filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		assert.False(t, strings.HasSuffix(d.Name(), ".tmp"), "leftover %s", p)
		return nil
	}))
}

func Test_limits(t *testing.T) {
	tests := []struct {
		name    string
		params  map[string]string
		want    buildctx.Limits
		wantErr string
	}{
		{name: "none", params: nil},
		{name: "both", params: map[string]string{"context-max": "50MB", "context-files": "5000"}, want: buildctx.Limits{MaxBytes: 50_000_000, MaxFiles: 5000}},
		{name: "bad size", params: map[string]string{"context-max": "lots"}, wantErr: "params.context-max"},
		{name: "bad count", params: map[string]string{"context-files": "many"}, wantErr: "params.context-files"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := limits(&lab.Spec{Params: tt.params})
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func Test_sweep(t *testing.T) {
	refs := []engine.Ref{
		{Kind: engine.KindImage, ID: "i1"},
		{Kind: engine.KindVolume, ID: "v1"},
		{Kind: engine.KindContainer, ID: "c1"},
		{Kind: engine.KindNetwork, ID: "n1"},
		{Kind: engine.KindContainer, ID: "c2"},
	}
	tests := []struct {
		name      string
		listErr   error
		removeErr map[string]error
		wantCalls []string
		wantErr   string
	}{
		{
			name: "containers first",
			wantCalls: []string{"List ddlab.run=r1", "Remove container c1", "Remove container c2", "Remove network n1",
				"Remove volume v1", "Remove image i1"},
		},
		{
			name:      "an error does not stop the sweep",
			removeErr: map[string]error{"c1": errors.New("c1 busy"), "v1": errors.New("v1 in use")},
			wantCalls: []string{"List ddlab.run=r1", "Remove container c1", "Remove container c2", "Remove network n1",
				"Remove volume v1", "Remove image i1"},
			wantErr: "c1 busy\nv1 in use",
		},
		{name: "list fails", listErr: engine.ErrUnavailable, wantCalls: []string{"List ddlab.run=r1"}, wantErr: "docker engine unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := &enginefake.Fake{
				ListFn: func(context.Context, string) ([]engine.Ref, error) {
					if tt.listErr != nil {
						return nil, tt.listErr
					}
					return refs, nil
				},
				RemoveFn: func(_ context.Context, r engine.Ref) error { return tt.removeErr[r.ID] },
			}
			err := grader.Sweep(context.Background(), fake, "ddlab.run=r1")
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Equal(t, tt.wantErr, err.Error())
			} else {
				require.NoError(t, err)
			}
			assert.Equal(t, tt.wantCalls, fake.Calls())
		})
	}
}

func Test_connect(t *testing.T) {
	info := engine.Info{Version: "20.10.24+dfsg1", APIVersion: "1.41", OS: "linux", Arch: "amd64", BuildKit: true}
	tests := []struct {
		name       string
		engine     func() (engine.Engine, error)
		wantEngine *report.Engine
		wantErr    string
	}{
		{
			name: "engine answers",
			engine: func() (engine.Engine, error) {
				return &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) { return info, nil }}, nil
			},
			wantEngine: &report.Engine{Version: "20.10.24+dfsg1", APIVersion: "1.41", OS: "linux", Arch: "amd64"},
		},
		{
			name:    "no client",
			engine:  func() (engine.Engine, error) { return nil, engine.ErrUnavailable },
			wantErr: "docker engine unavailable",
		},
		{
			name: "daemon error is an unavailable engine",
			engine: func() (engine.Engine, error) {
				return &enginefake.Fake{InfoFn: func(context.Context) (engine.Info, error) { return engine.Info{}, errors.New("500 layer store broken") }}, nil
			},
			wantErr: "docker engine unavailable: 500 layer store broken",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, rep, err := connect(context.Background(), &cliutil.Factory{Engine: tt.engine})
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.ErrorIs(t, err, engine.ErrUnavailable)
				assert.Equal(t, tt.wantErr, err.Error())
				assert.Nil(t, e)
				assert.Nil(t, rep)
				return
			}
			require.NoError(t, err)
			assert.NotNil(t, e)
			assert.Equal(t, tt.wantEngine, rep)
		})
	}
}

// Test_writeWrapsOnATerminal: the text report on a terminal follows its width; written to a
// file (or piped) it keeps whole lines, for tools that read it.
func Test_writeWrapsOnATerminal(t *testing.T) {
	long := strings.Repeat("mot ", 40)
	rep := &report.Report{Lab: "lab5", Lang: "fr", Results: []check.Result{
		{ID: "lab5.build", Kind: "required", Status: check.Fail, MaxPoints: 5, Message: long, Hint: long},
	}}
	for _, tt := range []struct {
		name  string
		tty   bool
		width int
		max   int
	}{
		{"terminal", true, 50, 50},
		{"pipe", false, 50, 1000},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, _ := iostreams.Test()
			ios.OutTTY, ios.NoColor, ios.OutWidth = tt.tty, true, tt.width
			f := &cliutil.Factory{IO: ios, Hostname: func() (string, error) { return "h", nil }, Getenv: func(string) string { return "" }}
			require.NoError(t, write(f, rep, []output{{format: "text", path: "-"}}))
			longest := 0
			for _, line := range strings.Split(out.String(), "\n") {
				longest = max(longest, len([]rune(line)))
			}
			assert.LessOrEqual(t, longest, tt.max)
			if !tt.tty {
				assert.Greater(t, longest, 150, "a pipe gets whole lines")
			}
		})
	}
}
