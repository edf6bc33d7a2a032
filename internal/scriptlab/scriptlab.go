// Package scriptlab is what the graders of script labs (1, 2, 4, 6, 7: the student hands in
// shell scripts that drive the engine) share: the engine's facts fetched once, the skip of a
// check that a remote engine cannot support (it leaves the denominator), the spec's typed
// parameters, each script run once with its failing verdict, and the HTTP client that reaches
// a published port with retries. It is to script labs what composelab is to Compose labs.
package scriptlab

import (
	"context"
	"fmt"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/script"
)

// Session is one run's view of a script lab. Its methods are not safe for concurrent use:
// a lab's checks run one after the other.
type Session struct {
	Run *grader.Run

	info    *engine.Info
	scripts map[string]*ScriptRun // by name, for scripts run once (Once)
}

// New starts a session for a run.
func New(r *grader.Run) *Session {
	return &Session{Run: r}
}

// EngineInfo asks the engine once what it is.
func (s *Session) EngineInfo(ctx context.Context) (engine.Info, error) {
	if s.info == nil {
		info, err := s.Run.Engine.Info(ctx)
		if err != nil {
			return engine.Info{}, err
		}
		s.info = &info
	}
	return *s.info, nil
}

// LocalOnly returns the environment skip of a check a remote engine cannot support (fr and en
// say why), or nil when the engine is local.
func (s *Session) LocalOnly(ctx context.Context, fr, en string) (*check.Outcome, error) {
	info, err := s.EngineInfo(ctx)
	if err != nil || !info.Remote {
		return nil, err
	}
	o := check.RemoteSkip(s.Run.Engine.Host(), fr, en)
	return &o, nil
}

// Param reads a parameter of the spec; a missing one is the instructor's error.
func (s *Session) Param(key string) (string, error) { return s.Run.Spec.Param(key) }

// Duration reads a positive Go duration ("60s").
func (s *Session) Duration(key string) (time.Duration, error) {
	v := grader.ReadValues(s.Run.Spec)
	return v.Duration(key), v.Err
}

// Int reads a non-negative integer.
func (s *Session) Int(key string) (int, error) {
	v := grader.ReadValues(s.Run.Spec)
	return v.Int(key), v.Err
}

// Int64 reads a non-negative integer (a size in bytes, CPUs in billionths).
func (s *Session) Int64(key string) (int64, error) {
	v := grader.ReadValues(s.Run.Spec)
	return v.Int64(key), v.Err
}

// ScriptRun is one run of a student script and, when it failed, the verdict that says so.
type ScriptRun struct {
	Res  script.Result
	Fail *check.Outcome // nil when the script exited 0 in time
}

// Script runs the student's script name (with env added) and judges its exit. A script the
// submission copy refused (a link leaving the folder…) fails with the copy's reason rather
// than "missing", without running.
func (s *Session) Script(ctx context.Context, name string, env ...string) (*ScriptRun, error) {
	for _, p := range s.Run.Refused {
		if p.Path == name {
			o := check.Outcome{Status: check.Fail, Message: check.Text{
				FR: fmt.Sprintf("%s est refusé : %s", name, p.Message.FR),
				EN: fmt.Sprintf("%s is refused: %s", name, p.Message.EN)}}
			return &ScriptRun{Fail: &o}, nil
		}
	}
	res, err := s.Run.Script(ctx, name, env...)
	if err != nil {
		return nil, err
	}
	return &ScriptRun{Res: res, Fail: JudgeScript(name, res)}, nil
}

// JudgeScript is the verdict on a script's exit: nil when it exited 0 in time.
func JudgeScript(name string, res script.Result) *check.Outcome {
	if !res.TimedOut && res.ExitCode == 0 {
		return nil
	}
	o := grader.ScriptFailed(name, res)
	return &o
}

// Once runs the script name at most once per session and keeps its run: the checks that look
// at what it did share one run. A grader error is not kept: the next check tries again.
func (s *Session) Once(ctx context.Context, name string, env ...string) (*ScriptRun, error) {
	if sr, ok := s.scripts[name]; ok {
		return sr, nil
	}
	sr, err := s.Script(ctx, name, env...)
	if err != nil {
		return nil, err
	}
	if s.scripts == nil {
		s.scripts = map[string]*ScriptRun{}
	}
	s.scripts[name] = sr
	return sr, nil
}
