package lab04

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/script"
	"github.com/ddlab/grade/internal/scriptlab"
)

// logWindow is how many of the latest log lines the grader reads around logs.sh: the app's
// healthcheck logs a request every 2 s, so lines keep coming while the script runs.
const logWindow = 50

func (s *state) checkLogs(ctx context.Context) (check.Outcome, error) {
	requests, err := s.int("log-requests")
	if err != nil {
		return check.Outcome{}, err
	}
	n, err := s.int("log-lines")
	if err != nil || n == 0 {
		return check.Outcome{}, fmt.Errorf("params.log-lines: %q", s.param("log-lines"))
	}
	c, fail, err := s.runningApp(ctx)
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	base, stop, err := s.baseURL(ctx, c)
	if stop != nil || err != nil {
		return check.Verdict(stop), err
	}
	s.run.Progress(check.T("%d requêtes vers lab4-app…", "%d requests to lab4-app…", requests))
	var last string
	for i := 1; i <= requests; i++ {
		last = fmt.Sprintf("grade-%s-%d", s.run.ID[:8], i)
		rep := s.getReady(ctx, base+"/", 5*time.Second, map[string]string{"X-Request-ID": last})
		if rep.Err != nil {
			return judgeLogsRun(logsObs{Base: base, NoAnswer: &rep}), nil
		}
	}
	// The engine writes the log asynchronously: wait until the last request shows.
	var before []string
	deadline := time.Now().Add(5 * time.Second)
	for {
		if before, err = s.logLines(ctx, c.ID); err != nil {
			return check.Outcome{}, err
		}
		if strings.Contains(strings.Join(before, "\n"), last) || time.Now().After(deadline) {
			break
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return check.Outcome{}, err
		}
	}
	res, err := s.run.Script(ctx, "logs.sh")
	if err != nil {
		return check.Outcome{}, err
	}
	o := logsObs{Base: base, Script: res, Before: before, N: n}
	if scriptlab.JudgeScript("logs.sh", res) == nil {
		if o.After, err = s.logLines(ctx, c.ID); err != nil {
			return check.Outcome{}, err
		}
	}
	return judgeLogsRun(o), nil
}

// logsObs is what lab4.logs observes once lab4-app answers: the grader's requests, the
// latest log lines before logs.sh, logs.sh, and the latest lines after it.
type logsObs struct {
	Base          string // where the grader reached the app
	NoAnswer      *reply // the request that got no answer, if one did not
	Script        script.Result
	Before, After []string
	N             int // how many lines logs.sh must print
}

// judgeLogsRun: the app answered the grader's requests, and logs.sh succeeds and prints the
// latest lines with their timestamps (judgeLogs).
func judgeLogsRun(o logsObs) check.Outcome {
	if o.NoAnswer != nil {
		return check.Failf("lab4-app ne répond pas sur %s.", "lab4-app does not answer on %s.", o.Base).WithT(check.Same("HTTP 200"), o.NoAnswer.text())
	}
	if f := scriptlab.JudgeScript("logs.sh", o.Script); f != nil {
		return *f
	}
	// Output, not Stdout: `docker logs` prints the container's stderr lines on its own stderr.
	return judgeLogs(o.Script.Output, o.Before, o.After, o.N)
}

// logLines reads the latest lines of both streams with their timestamps, in time order.
func (s *state) logLines(ctx context.Context, id string) ([]string, error) {
	logs, err := s.run.Engine.ReadLogs(ctx, id, engine.LogOptions{Tail: logWindow, Timestamps: true})
	if err != nil {
		return nil, err
	}
	lines := append(nonEmptyLines(logs.Stdout), nonEmptyLines(logs.Stderr)...)
	// Timestamps are fixed-width RFC 3339 in UTC: their text order is their time order.
	slices.SortStableFunc(lines, func(a, b string) int { return strings.Compare(stamp(a), stamp(b)) })
	return lines, nil
}

// judgeLogs wants output to be the last n lines of the log as they stood at some moment
// while logs.sh ran: after the lines in before, within the lines in after. Lines are compared
// as sets, since the CLI writes stdout and stderr apart and a terminal may interleave them.
func judgeLogs(output string, before, after []string, n int) check.Outcome {
	got := nonEmptyLines(output)
	expected := strings.Join(tailOf(after, n), "\n")
	if len(got) == 0 {
		return check.Failf("logs.sh n'a rien affiché.", "logs.sh printed nothing.").WithT(check.Same(expected), check.Lit("(rien)", "(nothing)"))
	}
	stamped := 0
	for _, l := range got {
		if stamp(l) != "" {
			stamped++
		}
	}
	if stamped == 0 {
		return check.Failf("Les lignes affichées par logs.sh n'ont pas d'horodatage.", "The lines logs.sh prints have no timestamps.").
			With(expected, lastLines(output, n+2))
	}
	from := n
	if len(before) > 0 {
		if i := slices.Index(after, before[len(before)-1]); i >= 0 {
			from = max(n, i+1)
		}
	}
	want := slices.Clone(got)
	slices.Sort(want)
	for k := from; k <= len(after); k++ {
		window := slices.Clone(after[k-n : k])
		slices.Sort(window)
		if slices.Equal(window, want) {
			return check.Passf("logs.sh affiche les %d dernières lignes de lab4-app, horodatées, comme l'API du moteur.",
				"logs.sh prints the last %d lines of lab4-app, with timestamps, as the engine's API does.", n)
		}
	}
	if len(got) != n {
		o := check.Failf("logs.sh affiche %d lignes, pas les %d dernières lignes du journal.", "logs.sh prints %d lines, not the last %d log lines.", len(got), n)
		if len(got) == 1 {
			o = check.Failf("logs.sh affiche 1 ligne, pas les %d dernières lignes du journal.", "logs.sh prints 1 line, not the last %d log lines.", n)
		}
		return o.With(expected, check.Cut(lastLines(output, n+5), 2000))
	}
	return check.Failf("Les %d lignes affichées ne sont pas les %d dernières du journal de lab4-app.",
		"The %d lines printed are not the last %d lines of lab4-app's log.", len(got), n).
		With(expected, check.Cut(strings.Join(got, "\n"), 2000))
}

// stamp returns the RFC 3339 timestamp that starts line, or "".
func stamp(line string) string {
	first, _, _ := strings.Cut(line, " ")
	if _, err := time.Parse(time.RFC3339Nano, first); err != nil {
		return ""
	}
	return first
}

func tailOf(lines []string, n int) []string {
	if len(lines) > n {
		return lines[len(lines)-n:]
	}
	return lines
}
