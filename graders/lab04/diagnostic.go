package lab04

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

const answerFile = "diagnostic.yaml"

// truth is what the grader saw when it ran the broken image itself, without any variable.
type truth struct {
	ExitCode int
	Variable string
	State    string
}

// answerFileObs is diagnostic.yaml as the grader found it in the private copy.
type answerFileObs struct {
	Missing bool        // absent, or not a regular file
	Refused *check.Text // why the submission copy refused it, if it did
	ReadErr error
	Data    []byte // at most one byte more than the parser accepts, so it can say the file is too big
}

// diagnosticObs is what lab4.diagnostic observes: the answers, then the grader's own run of
// the broken image (nil until then).
type diagnosticObs struct {
	File  answerFileObs
	Image string
	Truth *truth
}

func (s *state) checkDiagnostic(ctx context.Context) (check.Outcome, error) {
	o := diagnosticObs{File: s.readAnswerFile(), Image: s.param("broken-image")}
	if out, done := judgeDiagnostic(o); done {
		return out, nil
	}
	t, err := s.brokenTruth(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Truth = &t
	out, _ := judgeDiagnostic(o)
	return out, nil
}

// readAnswerFile reads diagnostic.yaml from the private copy of the submission.
func (s *state) readAnswerFile() answerFileObs {
	var o answerFileObs
	for _, r := range s.run.Refused {
		if r.Path == answerFile {
			o.Refused = &r.Message
		}
	}
	p := filepath.Join(s.run.Files, answerFile)
	st, err := os.Lstat(p)
	if err != nil || !st.Mode().IsRegular() {
		o.Missing = true
		return o
	}
	f, err := os.Open(p)
	if err != nil {
		o.ReadErr = err
		return o
	}
	defer f.Close()
	o.Data, o.ReadErr = io.ReadAll(io.LimitReader(f, maxAnswerBytes+1))
	return o
}

// judgeDiagnostic: diagnostic.yaml is there and readable, and its answers are what the
// grader saw (judgeAnswers).
func judgeDiagnostic(o diagnosticObs) (out check.Outcome, decided bool) {
	f := o.File
	switch {
	case f.Missing:
		why := check.T("%s est absent du dossier du lab.", "%s is missing from the lab folder.", answerFile)
		if f.Refused != nil {
			why = *f.Refused
		}
		return check.Outcome{Status: check.Fail, Message: why}.
			WithT(check.T("%s avec %s, %s, %s", "%s with %s, %s, %s", answerFile, keyExitCode, keyVariable, keyState), check.Lit("absent", "missing")), true
	case f.ReadErr != nil:
		return check.Failf("%s est illisible : %v", "%s cannot be read: %v", answerFile, f.ReadErr), true
	}
	a, perr := parseAnswers(f.Data)
	if perr != nil {
		out := check.Outcome{Status: check.Fail, Message: check.Text{FR: answerFile + " : " + perr.FR, EN: answerFile + ": " + perr.EN}}
		return out.At(answerFile, perr.Line).Because("syntax").
			WithT(check.T("%s, %s, %s remplies", "%s, %s, %s filled in", keyExitCode, keyVariable, keyState), lineOf(f.Data, perr.Line)), true
	}
	if o.Truth == nil {
		return check.Outcome{}, false
	}
	return judgeAnswers(a, *o.Truth, o.Image), true
}

// judgeAnswers compares the answers with what the grader saw. It does not give the right
// values away: the point of the exercise is to find them with docker ps, logs and inspect.
func judgeAnswers(a answers, t truth, image string) check.Outcome {
	type wrong struct {
		key, got, how string
	}
	var bad []wrong
	if a.ExitCode != t.ExitCode {
		bad = append(bad, wrong{keyExitCode, fmt.Sprint(a.ExitCode), "docker inspect -f '{{.State.ExitCode}}'"})
	}
	if strings.TrimPrefix(a.Variable, "$") != t.Variable {
		bad = append(bad, wrong{keyVariable, a.Variable, "docker logs"})
	}
	if st, _, _ := strings.Cut(strings.ToLower(a.State), " "); st != strings.ToLower(t.State) {
		bad = append(bad, wrong{keyState, a.State, "docker ps -a, docker inspect -f '{{.State.Status}}'"})
	}
	if len(bad) == 0 {
		return check.Passf("Diagnostic exact : le correcteur a lancé %s et observé les mêmes code de sortie, variable manquante et état.",
			"Correct diagnosis: the grader ran %s and saw the same exit code, missing variable and state.", image)
	}
	var keys, expFR, expEN, gotFR, gotEN []string
	for _, b := range bad {
		keys = append(keys, b.key)
		expFR = append(expFR, fmt.Sprintf("%s : ce que montre %s", b.key, b.how))
		expEN = append(expEN, fmt.Sprintf("%s: what %s shows", b.key, b.how))
		gotFR = append(gotFR, fmt.Sprintf("ligne %d : %s: %s", a.Line[b.key], b.key, check.Cut(b.got, 60)))
		gotEN = append(gotEN, fmt.Sprintf("line %d: %s: %s", a.Line[b.key], b.key, check.Cut(b.got, 60)))
	}
	o := check.Failf("Le correcteur a lancé %s sans variable d'environnement : %s ne correspond pas à ce qu'il a observé.",
		"The grader ran %s without any environment variable: %s does not match what it saw.", image, strings.Join(keys, ", "))
	return o.At(answerFile, a.Line[bad[0].key]).
		WithT(check.Lit(strings.Join(expFR, "\n"), strings.Join(expEN, "\n")), check.Lit(strings.Join(gotFR, "\n"), strings.Join(gotEN, "\n")))
}

// brokenTruth runs the broken image as the student was told to (no variable), waits for it
// to stop, and reads its exit code, state and logs, then removes it.
func (s *state) brokenTruth(ctx context.Context) (truth, error) {
	r, image := s.run, s.param("broken-image")
	wait, err := s.duration("diagnostic-wait")
	if err != nil {
		return truth{}, err
	}
	r.Progress(check.T("le correcteur lance %s sans variable…", "the grader runs %s without the variable…", image))
	id, err := r.Engine.Run(ctx, engine.RunSpec{Name: r.Name("broken"), Image: image, Labels: r.Labels()})
	if id != "" {
		// The run's label sweep is the safety net; removing it at once keeps lab4's
		// label clear for the student's cleanup.sh.
		defer func() {
			_ = r.Engine.Remove(context.WithoutCancel(ctx), engine.Ref{Kind: engine.KindContainer, ID: id})
		}()
	}
	if errors.Is(err, engine.ErrNotFound) {
		return truth{}, fmt.Errorf("%s: %w (run `grade images` first)", image, err)
	} else if err != nil {
		return truth{}, err
	}
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	code, err := r.Engine.Wait(wctx, id)
	if err != nil {
		if wctx.Err() != nil && ctx.Err() == nil {
			return truth{}, fmt.Errorf("%s was still running after %s: it should stop at once without DATABASE_URL", image, wait)
		}
		return truth{}, err
	}
	c, err := r.Engine.InspectContainer(ctx, id)
	if err != nil {
		return truth{}, err
	}
	logs, err := r.Engine.ReadLogs(ctx, id, engine.LogOptions{MaxBytes: 16 << 10})
	if err != nil {
		return truth{}, err
	}
	v := missingVariable(logs.Stderr + "\n" + logs.Stdout)
	if v == "" {
		return truth{}, fmt.Errorf("%s: no missing variable named in its logs: %q", image, check.Cut(logs.Stderr+logs.Stdout, 300))
	}
	return truth{ExitCode: code, Variable: v, State: c.Status}, nil
}

var missingRe = []*regexp.Regexp{
	regexp.MustCompile(`variable\s+\$?([A-Za-z_][A-Za-z0-9_]*)\s+manquante`),
	regexp.MustCompile(`(?i)missing\s+(?:environment\s+)?variable:?\s+\$?([A-Za-z_][A-Za-z0-9_]*)`),
}

// missingVariable finds the variable the app complains about ("ERREUR: variable
// DATABASE_URL manquante").
func missingVariable(logs string) string {
	for _, re := range missingRe {
		if m := re.FindStringSubmatch(logs); m != nil {
			return m[1]
		}
	}
	return ""
}

// lineOf returns line n of data (1-based), for the report.
func lineOf(data []byte, n int) check.Text {
	if n <= 0 {
		return check.Text{}
	}
	// YAML counts a lone CR as a line break too.
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(string(data), "\r\n", "\n"), "\r", "\n"), "\n")
	if n > len(lines) {
		return check.Text{}
	}
	return check.T("ligne %d : %s", "line %d: %s", n, check.Cut(lines[n-1], 120))
}
