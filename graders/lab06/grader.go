// Package lab06 grades lab 6, « Données persistantes : volumes, bind mounts, tmpfs »
// (docs/labs/lab6.md): scripts that run ddlab/kv:1 with a named volume, a read-only bind mount of
// ./config and a size-capped tmpfs, a read-only reader sharing the volume, and a volume
// lifecycle (down keeps it, purge removes it). Every check does what it asserts: it writes
// through the app, removes and re-creates, restarts, edits the mounted file, execs in the
// reader.
package lab06

import (
	"context"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
)

// The contract's fixed names (docs/labs/lab6.md).
const (
	kvName     = "lab6-kv"
	readerName = "lab6-reader"
	volumeName = "lab6-data"
)

// Grader is lab 6's grader.
type Grader struct{}

// New returns lab 6's grader.
func New() Grader { return Grader{} }

// Lab names the lab.
func (Grader) Lab() string { return "lab6" }

// Meta: the submission is scripts, run in a private copy of the folder. The contract names
// what they create; runs of lab 6 on one engine take turns.
func (Grader) Meta() grader.Meta {
	return grader.Meta{
		Kind:      grader.Scripts,
		Exclusive: true,
		Contract:  grader.Contract{Containers: []string{kvName, readerName}, Volumes: []string{volumeName}},
		Params: []grader.Param{
			grader.PortParam("port"), grader.StringParam("greeting"), grader.DurationParam("app-wait"),
			grader.IntParam("tmpfs-fits", 1, 1024), grader.IntParam("tmpfs-overflow", 1, 1024),
			grader.SizeParam("context-max"), grader.IntParam("context-files", 1, 1_000_000),
		},
		Fuzz: []string{"FuzzParseArchive", "FuzzLastLine"},
	}
}

// Checks lists lab 6's checks in the order they run. They share one scenario (state.go):
// up.sh twice, the app's checks, reader.sh, down.sh, up.sh again, the bonus scripts, then
// purge.sh and a last up.sh; each step runs once, on first need.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := newState(r)
	const files = "lab6.files"
	need := []string{files}
	return []check.Check{
		{ID: files, Mode: check.Static, Run: s.locked(s.checkFiles)},
		{ID: "lab6.named-volume", Mode: check.Engine, Needs: need, Run: s.locked(s.checkNamedVolume)},
		{ID: "lab6.bind-ro", Mode: check.Engine, Needs: need, Run: s.locked(s.onLocal(folderReason, s.afterStart(s.checkBindRO)))},
		{ID: "lab6.tmpfs", Mode: check.Engine, Needs: need, Run: s.locked(s.onLocal(portReason, s.afterStart(s.checkTmpfs)))},
		{ID: "lab6.shared-ro", Mode: check.Engine, Needs: need, Run: s.locked(s.onLocal(portReason, s.afterStart(s.checkSharedRO)))},
		{ID: "lab6.persistence", Mode: check.Engine, Needs: need, Run: s.locked(s.onLocal(portReason, s.afterStart(s.checkPersistence)))},
		{ID: "lab6.down-keeps", Mode: check.Engine, Needs: need, Run: s.locked(s.afterStart(s.checkDownKeeps))},
		{ID: "lab6.no-anonymous", Mode: check.Engine, Needs: need, Run: s.locked(s.afterStart(s.checkNoAnonymous))},
		{ID: "lab6.idempotent", Mode: check.Engine, Needs: need, Run: s.locked(s.checkIdempotent)},
		{ID: "lab6.backup", Mode: check.Engine, Needs: need, Run: s.locked(s.onLocal(portReason, s.afterStart(s.checkBackup)))},
		{ID: "lab6.where", Mode: check.Engine, Needs: need, Run: s.locked(s.afterStart(s.checkWhere))},
		{ID: "lab6.purge", Mode: check.Engine, Needs: need, Run: s.locked(s.afterStart(s.checkPurge))},
	}
}

// afterStart skips run when up.sh did not leave lab6-kv running: lab6.named-volume, the first
// check to need it, says why.
func (s *state) afterStart(run func(context.Context) (check.Outcome, error)) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		fail, err := s.start(ctx)
		if err != nil {
			return check.Outcome{}, err
		}
		if fail != nil {
			return check.Skipf("Non évalué : up.sh n'a pas laissé %s en marche (voir lab6.named-volume).",
				"Not evaluated: up.sh did not leave %s running (see lab6.named-volume).", kvName), nil
		}
		return run(ctx)
	}
}

// onLocal gives the environment skip, why, on a remote engine before anything is run; on a
// local engine it runs run.
func (s *state) onLocal(why reason, run func(context.Context) (check.Outcome, error)) func(context.Context) (check.Outcome, error) {
	return func(ctx context.Context) (check.Outcome, error) {
		info, err := s.kit.EngineInfo(ctx)
		if err != nil {
			return check.Outcome{}, err
		}
		if !engineSeesFolder(info) {
			return why(s), nil
		}
		return run(ctx)
	}
}
