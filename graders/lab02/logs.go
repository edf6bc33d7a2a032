package lab02

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// maxLogFile bounds what the grader reads of out/lab2-api.log.
const maxLogFile = 1 << 20

func (s *state) checkLogs(ctx context.Context) (check.Outcome, error) {
	if _, err := s.apiRun(ctx); err != nil {
		return check.Outcome{}, err
	}
	var f logFileObs
	if s.apiCtr != nil {
		f = readLogFile(s.run.Files)
	}
	return judgeLogsRun(s.apiCtr != nil, f, s.apiLogs), nil
}

// judgeLogsRun: lab2-api exists, and api.sh wrote its stdout, demultiplexed, to the log file
// (judgeLogFile, judgeLogs).
func judgeLogsRun(found bool, f logFileObs, logs engine.Logs) check.Outcome {
	if !found {
		return check.Failf("Le conteneur %s n'existe pas après api.sh : pas de logs à comparer.",
			"Container %s does not exist after api.sh: no logs to compare.", apiName).WithT(check.Same(apiName), check.Lit("absent", "missing"))
	}
	b, o := judgeLogFile(f)
	if o != nil {
		return *o
	}
	return judgeLogs(b, logs)
}

// logFileObs is the student's log file as the grader found it.
type logFileObs struct {
	Missing    bool
	NotRegular bool  // a link, a folder…
	Err        error // why it cannot be read
	Data       []byte
}

// readLogFile reads the student's log file, never through a link, at most one byte more
// than judgeLogFile accepts.
func readLogFile(dir string) logFileObs {
	p := filepath.Join(dir, filepath.FromSlash(logFile))
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return logFileObs{Missing: true}
	case err != nil:
		return logFileObs{Err: err}
	case !st.Mode().IsRegular():
		return logFileObs{NotRegular: true}
	}
	f, err := os.Open(p)
	if err != nil {
		return logFileObs{Err: err}
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLogFile+1))
	return logFileObs{Data: b, Err: err}
}

// judgeLogFile refuses a log file that is missing, not a regular file, unreadable or oversized.
func judgeLogFile(f logFileObs) ([]byte, *check.Outcome) {
	fail := func(fr, en string, args ...any) ([]byte, *check.Outcome) {
		o := check.Failf(fr, en, args...).At(logFile, 0)
		return nil, &o
	}
	switch {
	case f.Missing:
		return fail("api.sh n'a pas écrit %s.", "api.sh did not write %s.", logFile)
	case f.NotRegular:
		return fail("%s n'est pas un fichier ordinaire (lien, dossier ?).", "%s is not a regular file (a link, a folder?).", logFile)
	case f.Err != nil:
		return fail("%s est illisible : %v.", "%s cannot be read: %v.", logFile, f.Err)
	case len(f.Data) > maxLogFile:
		return fail("%s dépasse %d Mio : ce ne sont pas les logs de %s.", "%s is over %d MiB: these are not %s's logs.", logFile, maxLogFile>>20, apiName)
	}
	return f.Data, nil
}

// judgeLogs compares the file with the container's stdout read right after api.sh. The app
// logs a line per request (its healthcheck makes one every few seconds), so the file may
// stop at any whole line, but must hold at least the first, the startup line.
func judgeLogs(file []byte, logs engine.Logs) check.Outcome {
	stdout := []byte(logs.Stdout)
	first, _, _ := bytes.Cut(stdout, []byte("\n"))
	if i := frameHeader(file); i >= 0 {
		return check.Failf("%s contient des en-têtes de trame de 8 octets (octet %d : %s) : le flux de logs est multiplexé, démultiplexez-le.",
			"%s holds 8-byte frame headers (byte %d: %s): the logs stream is multiplexed, demultiplex it.",
			logFile, i, hexBytes(file[i:min(i+8, len(file))])).
			At(logFile, 0).WithT(check.T("le texte seul : %s", "the text alone: %s", check.Cut(string(first), 80)), check.Same(check.Cut(fmt.Sprintf("%q", file), 200)))
	}
	if len(stdout) == 0 {
		return check.Failf("%s n'a rien écrit sur stdout : rien à comparer.", "%s wrote nothing on stdout: nothing to compare.", apiName).
			WithT(check.Lit("la ligne de démarrage", "the startup line"), check.Lit("stdout vide", "empty stdout"))
	}
	if len(file) == 0 {
		return check.Failf("%s est vide.", "%s is empty.", logFile).At(logFile, 0).WithT(check.Same(check.Cut(string(first), 120)), check.Lit("(vide)", "(empty)"))
	}
	if !bytes.HasPrefix(stdout, file) {
		line, want, got := firstDiff(stdout, file)
		return check.Failf("%s diffère de la sortie standard de %s à la ligne %d.", "%s differs from %s's stdout at line %d.", logFile, apiName, line).
			At(logFile, line).WithT(want, check.Same(check.Cut(got, 160)))
	}
	if len(file) < len(stdout) && file[len(file)-1] != '\n' {
		return check.Failf("%s s'arrête au milieu d'une ligne.", "%s stops in the middle of a line.", logFile).At(logFile, 0).
			WithT(check.Lit("des lignes entières", "whole lines"), check.Same(check.Cut(string(file[bytes.LastIndexByte(file, '\n')+1:]), 160)))
	}
	if len(file) < len(first) {
		return check.Failf("%s n'a pas la ligne de démarrage.", "%s lacks the startup line.", logFile).At(logFile, 1).
			With(check.Cut(string(first), 160), check.Cut(string(file), 160))
	}
	if n := bytes.Count(file, []byte("\n")); n != 1 {
		return check.Passf("%s est la sortie standard de %s (%d lignes), ligne de démarrage comprise, sans en-tête de trame.",
			"%s is %s's stdout (%d lines), startup line included, with no frame header.", logFile, apiName, n)
	}
	return check.Passf("%s est la sortie standard de %s (1 ligne), ligne de démarrage comprise, sans en-tête de trame.",
		"%s is %s's stdout (1 line), startup line included, with no frame header.", logFile, apiName)
}

// frameHeader finds the start of a stdout or stderr frame header ([1|2, 0, 0, 0, size…]),
// or -1. Text logs never hold these NUL bytes.
func frameHeader(b []byte) int {
	for _, h := range [][]byte{{1, 0, 0, 0}, {2, 0, 0, 0}} {
		if i := bytes.Index(b, h); i >= 0 {
			return i
		}
	}
	return -1
}

func hexBytes(b []byte) string {
	var parts []string
	for _, c := range b {
		parts = append(parts, fmt.Sprintf(`\x%02x`, c))
	}
	return strings.Join(parts, "")
}

// firstDiff returns the first line (1-based) where got departs from want, and both lines
// (want's cut for a report).
func firstDiff(want, got []byte) (int, check.Text, string) {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range g {
		if i >= len(w) {
			return i + 1, check.Lit("(fin de la sortie)", "(end of the output)"), g[i]
		}
		if w[i] != g[i] {
			return i + 1, check.Same(check.Cut(w[i], 160)), g[i]
		}
	}
	return len(g), check.Text{}, ""
}
