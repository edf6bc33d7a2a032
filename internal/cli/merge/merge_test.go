package merge

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/cli/clitest"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/gradebook"
)

func TestNewCmdMerge(t *testing.T) {
	tests := []struct {
		name     string
		cli      string
		wants    Options
		wantsErr string
	}{
		{name: "one shard", cli: "s0", wants: Options{Shards: []string{"s0"}, Out: "grade-results"}},
		{name: "shards and out", cli: "s0 s1 --out all", wants: Options{Shards: []string{"s0", "s1"}, Out: "all"}},
		{name: "no shard", cli: "", wantsErr: "attend au moins 1 argument (aucun donné)"},
		{name: "unknown flag", cli: "s0 --lab lab5", wantsErr: "unknown flag: --lab"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _, _ := clitest.Factory(t)
			var got *Options
			cmd := NewCmdMerge(f, func(_ context.Context, o *Options) error { got = o; return nil })
			err := clitest.Execute(cmd, tt.cli)
			if tt.wantsErr != "" {
				require.ErrorContains(t, err, tt.wantsErr)
				assert.Nil(t, got, "runF must not run")
				return
			}
			require.NoError(t, err)
			require.NotNil(t, got)
			assert.Same(t, f, got.F)
			got.F = nil
			assert.Equal(t, tt.wants, *got)
		})
	}
}

// shard writes a batch results folder holding the given records, with a report for each
// graded one.
func shard(t *testing.T, dir string, recs ...gradebook.Record) string {
	t.Helper()
	require.NoError(t, os.MkdirAll(dir, 0o755))
	meta := gradebook.Meta{Lab: "lab1", Title: "Premier lab", Assignment: "Lab 1", Lang: "fr"}
	require.NoError(t, gradebook.WriteJSON(filepath.Join(dir, gradebook.MetaFile), meta))
	for _, r := range recs {
		sub := filepath.Join(dir, gradebook.SubDir, r.ID)
		require.NoError(t, os.MkdirAll(sub, 0o755))
		if r.Status == gradebook.Graded {
			rep := gradebook.Report{SchemaVersion: 1, Lab: "lab1", Score: 100, MaxScore: 100, Passed: true}
			require.NoError(t, gradebook.WriteJSON(filepath.Join(sub, gradebook.ReportFile), rep))
		}
		require.NoError(t, gradebook.WriteJSON(filepath.Join(sub, gradebook.RecordFile), r))
	}
	return dir
}

func Test_runMerge(t *testing.T) {
	graded := func(id string) gradebook.Record {
		return gradebook.Record{ID: id, Folder: "subs/" + id, Status: gradebook.Graded, RunID: "run-" + id}
	}
	failed := gradebook.Record{ID: "erin", Folder: "subs/erin", Status: gradebook.Failed, Error: "le moteur Docker est injoignable"}
	tests := []struct {
		name     string
		lang     string
		shards   func(root string) []string
		wantOut  []string
		wantCode int // 0: no error; else the ExitError's code
		wantErr  string
	}{
		{
			name: "every submission graded",
			shards: func(root string) []string {
				return []string{shard(t, filepath.Join(root, "s0"), graded("alice")), shard(t, filepath.Join(root, "s1"), graded("bob"))}
			},
			wantOut: []string{"2 rendus de 2 dossiers\u00a0: 2 corrigés, 0 non corrigé\n", gradebook.CanvasFile, gradebook.HTMLFile},
		},
		{
			name: "one submission could not be graded",
			shards: func(root string) []string {
				return []string{shard(t, filepath.Join(root, "s0"), graded("alice")), shard(t, filepath.Join(root, "s1"), failed)}
			},
			wantOut:  []string{"2 rendus de 2 dossiers\u00a0: 1 corrigé, 1 non corrigé\n"},
			wantCode: cliutil.ExitFailed,
		},
		{
			name: "in English",
			lang: "en",
			shards: func(root string) []string {
				return []string{shard(t, filepath.Join(root, "s0"), graded("alice"), failed)}
			},
			wantOut:  []string{"2 submissions from 1 folder: 1 graded, 1 not graded\n"},
			wantCode: cliutil.ExitFailed,
		},
		{
			name:    "not a results folder",
			shards:  func(root string) []string { return []string{root} },
			wantErr: "not a batch results folder",
		},
		{
			name: "a submission in two shards",
			shards: func(root string) []string {
				return []string{shard(t, filepath.Join(root, "s0"), graded("alice")), shard(t, filepath.Join(root, "s1"), graded("alice"))}
			},
			wantErr: "is in both",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, stdout, _ := clitest.Factory(t)
			f.Language = tt.lang
			root := t.TempDir()
			out := filepath.Join(t.TempDir(), "merged")
			err := runMerge(context.Background(), &Options{F: f, Shards: tt.shards(root), Out: out})
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				var flagErr *cliutil.FlagError
				assert.True(t, errors.As(err, &flagErr), "a bad shard is a usage error: %T", err)
				return
			}
			if tt.wantCode != 0 {
				var exit *cliutil.ExitError
				require.True(t, errors.As(err, &exit), "%v", err)
				assert.Equal(t, tt.wantCode, exit.Code)
			} else {
				require.NoError(t, err)
			}
			for _, s := range tt.wantOut {
				assert.Contains(t, stdout.String(), s)
			}
			for _, name := range []string{gradebook.CanvasFile, gradebook.MoodleFile, gradebook.HTMLFile} {
				assert.FileExists(t, filepath.Join(out, name))
			}
		})
	}
}
