// Package script runs a student's POSIX shell script the way the labs promise (docs/labs/README.md §0.1):
// `sh -eu <script>` in the lab folder, with a timeout, a small fixed environment and a capped
// output, and nothing of it left running afterwards.
package script

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/ddlab/grade/internal/check"
)

// Spec is one script run.
type Spec struct {
	Dir       string        // the lab folder; the script runs there
	Path      string        // the script, relative to Dir
	Env       []string      // KEY=value added to the base environment (DOCKER_HOST, LAB…)
	Timeout   time.Duration // 0 means 120 s, the labs' contract
	MaxOutput int           // bytes of output kept (the tail); 0 means 64 KiB
	// Bwrap, when set, is bubblewrap (see Bwrap): the script runs in its sandbox, seeing Dir
	// and no other file of the host. "" runs it on the host as its user.
	Bwrap string
}

// Result is what the run did. A script that fails or hangs is a Result, not an error.
type Result struct {
	ExitCode int // -1 when killed
	TimedOut bool
	Output   string // the tail of stdout and stderr, interleaved
	Stdout   string // the tail of stdout alone: what a script prints as its answer
	// StdoutTruncated: Stdout lost its beginning (noise on stderr never truncates it).
	StdoutTruncated bool
	Truncated       bool // Output lost its beginning
	Duration        time.Duration
	// Refused lists what the grader's engine proxy refused the script during the run (set by
	// the grader, which owns the proxy). A refusal fails the run even when the script ignored
	// the error: ExitCode is then at least 1.
	Refused []check.Text
	// Requests are the engine requests the script made ("GET /v1.41/volumes/x"), in order,
	// as the grader's proxy recorded them; nil when no proxy stood between them (a remote
	// engine), so that "asked nothing" and "not known" differ.
	Requests []string
	// Joins are the namespaces of other containers that the script's containers joined, from
	// its create requests: "pid=container:lab1-web", "network=container:lab1-web".
	Joins []string
	// Sandboxed: the script ran inside bubblewrap.
	Sandboxed bool
	// Missing: the script is not a readable file of the submission, so it did not run
	// (ExitCode is then 127, as sh says of a missing file).
	Missing bool
}

// Run runs spec. The error is for the grader's own failures (no sh, a script path that
// leaves Dir).
func Run(ctx context.Context, spec Spec) (Result, error) {
	if spec.Timeout <= 0 {
		spec.Timeout = 120 * time.Second
	}
	if spec.MaxOutput <= 0 {
		spec.MaxOutput = 64 << 10
	}
	rel := filepath.Clean(spec.Path)
	if filepath.IsAbs(rel) || rel == ".." || len(rel) > 2 && rel[:3] == "../" {
		return Result{}, fmt.Errorf("script %s is outside the lab folder", spec.Path)
	}
	sh, err := exec.LookPath("sh")
	if err != nil {
		return Result{}, fmt.Errorf("no sh to run scripts: %w", err)
	}
	home, err := os.MkdirTemp("", "grade-script-home-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(home)

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, spec.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, sh, "-eu", rel)
	if spec.Bwrap != "" {
		dir, err := filepath.Abs(spec.Dir)
		if err != nil {
			return Result{}, err
		}
		cmd = exec.CommandContext(ctx, spec.Bwrap, append(sandboxArgs(dir, home), sh, "-eu", rel)...)
	}
	cmd.Dir = spec.Dir
	// The grader's own environment (tokens, CI secrets) is not the script's business.
	tag := "GRADE_SCRIPT_RUN=" + filepath.Base(home)
	cmd.Env = append([]string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		"HOME=" + home, "LANG=C.UTF-8", "TERM=dumb", tag}, spec.Env...)
	out, stdout := &tail{max: spec.MaxOutput}, &tail{max: spec.MaxOutput}
	cmd.Stdout, cmd.Stderr = io.MultiWriter(out, stdout), out
	// Its own process group, so a timeout kills what the script started too.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	// A background child holding the pipes must not keep Wait from returning.
	cmd.WaitDelay = 2 * time.Second

	start := time.Now()
	err = cmd.Run()
	res := Result{Duration: time.Since(start), ExitCode: cmd.ProcessState.ExitCode(), Sandboxed: spec.Bwrap != ""}
	if cmd.Process != nil {
		// Whatever the script left behind in its group goes too, even when it exited 0, and
		// so does what left the group (setsid, a daemon) but still carries the run's tag.
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		killTagged(tag)
	}
	res.Output, res.Truncated = out.String()
	res.Stdout, res.StdoutTruncated = stdout.String()
	var exitErr *exec.ExitError
	switch {
	case parent.Err() != nil:
		// The grading was interrupted: that is not the script's doing.
		return res, parent.Err()
	case ctx.Err() != nil:
		res.TimedOut = true
		return res, nil
	case err == nil, errors.As(err, &exitErr), errors.Is(err, exec.ErrWaitDelay):
		return res, nil
	}
	return res, err
}

// tail keeps the last max bytes written, and keeps accepting writes so that a script that
// floods its output is never blocked by the grader.
type tail struct {
	mu      sync.Mutex
	max     int
	buf     []byte
	dropped bool
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > 2*t.max {
		t.buf = append(t.buf[:0:0], t.buf[len(t.buf)-t.max:]...)
		t.dropped = true
	}
	return len(p), nil
}

func (t *tail) String() (string, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b, dropped := t.buf, t.dropped
	if len(b) > t.max {
		b, dropped = b[len(b)-t.max:], true
	}
	return string(b), dropped
}
