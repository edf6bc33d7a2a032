package batch

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/gradebook"
)

// Job is one submission to grade, with where its results go.
type Job struct {
	Sub     Submission
	Dir     string        // <out>/submissions/<id>: report.json and grade.log go here
	RunID   string        // labels every engine object of the grading (ddlab.run)
	Timeout time.Duration // the grading's own limit, passed to the child
	Grace   time.Duration // after Timeout, time left to clean up before the process group is killed
	Lang    string        // what the messages about it are said in ("" is French)
}

// Outcome is how the grading process ended.
type Outcome struct {
	ExitCode int // -1 when killed
	TimedOut bool
	Err      string // one line for the instructor when the submission was not graded
}

// childArgs is the command line of the grading process: `grade LAB FOLDER --json … --run-id …`.
// The folder is made absolute so that a name starting with "-" can never read as a flag.
func childArgs(lab string, j *Job, lang string) []string {
	folder, err := filepath.Abs(j.Sub.Folder)
	if err != nil {
		folder = "." + string(filepath.Separator) + j.Sub.Folder
	}
	args := []string{lab, folder, "--json", filepath.Join(j.Dir, gradebook.ReportFile),
		"--format", "json", "--run-id", j.RunID, "--timeout", j.Timeout.String()}
	if lang != "" {
		args = append(args, "--lang", lang)
	}
	return args
}

// runChild grades one submission in a child process of our own binary, in a process group of
// its own so that a Ctrl-C on the terminal reaches only us and we decide: at the limit, or
// when we are cancelled, the child gets SIGTERM (it cleans up as on Ctrl-C), then after the
// grace time the whole group gets SIGKILL. A submission can thus never hold the batch past
// Timeout+2×Grace.
func runChild(ctx context.Context, exe string, args []string, env []string, j *Job) Outcome {
	logf, err := os.Create(filepath.Join(j.Dir, gradebook.LogFile))
	if err != nil {
		return Outcome{ExitCode: -1, Err: cliutil.Sayf(j.Lang, "impossible de créer le journal du rendu (%s)", "cannot create the submission's log (%s)", cliutil.Why(err))}
	}
	defer logf.Close()
	tail := &tailWriter{max: 4096}
	hard := j.Timeout + j.Grace
	cctx, cancel := context.WithTimeout(ctx, hard)
	defer cancel()
	cmd := exec.CommandContext(cctx, exe, args...)
	cmd.Env = env
	cmd.Stdin, cmd.Stdout = nil, nil // the null device: the report goes to its file
	cmd.Stderr = io.MultiWriter(logf, tail)
	setGroup(cmd)
	cmd.Cancel = func() error { return signalGroup(cmd.Process.Pid, false) }
	cmd.WaitDelay = j.Grace
	err = cmd.Start()
	if err != nil {
		return Outcome{ExitCode: -1, Err: cliutil.Sayf(j.Lang, "impossible de lancer la correction (%v)", "cannot start the grading (%v)", err)}
	}
	err = cmd.Wait()
	// Whatever the child left behind in its group (a student script, a helper) goes too.
	_ = signalGroup(cmd.Process.Pid, true)
	out := Outcome{ExitCode: cmd.ProcessState.ExitCode()}
	if errors.Is(cctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		out.TimedOut = true
		fmt.Fprintln(logf, cliutil.Sayf(j.Lang, "grade batch : arrêté après %s", "grade batch: killed after %s", hard))
		out.Err = cliutil.Sayf(j.Lang, "plus de %s : arrêté", "over %s: killed", hard)
		return out
	}
	if err != nil && out.ExitCode < 0 {
		out.Err = cliutil.Sayf(j.Lang, "la correction s'est arrêtée net (%v)", "the grading stopped dead (%v)", err)
	}
	if out.ExitCode > 1 {
		out.Err = tail.lastLine()
		if out.Err == "" {
			out.Err = "exit " + strconv.Itoa(out.ExitCode)
		}
	}
	return out
}

// tailWriter keeps the end of what it is given.
type tailWriter struct {
	max int
	buf []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = t.buf[len(t.buf)-t.max:]
	}
	return len(p), nil
}

func (t *tailWriter) lastLine() string {
	lines := strings.Split(strings.TrimSpace(string(bytes.ToValidUTF8(t.buf, nil))), "\n")
	line := strings.TrimSpace(lines[len(lines)-1])
	if r := []rune(line); len(r) > 200 {
		line = string(r[:199]) + "…"
	}
	return line
}
