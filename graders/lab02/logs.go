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
	if s.apiCtr == nil {
		return check.Failf("Le conteneur %s n'existe pas après api.sh : pas de logs à comparer.",
			"Container %s does not exist after api.sh: no logs to compare.", apiName).With(apiName, "absent"), nil
	}
	b, o := readLogFile(s.run.Files)
	if o != nil {
		return *o, nil
	}
	return judgeLogs(b, s.apiLogs), nil
}

// readLogFile reads the student's log file, refusing links and oversized files.
func readLogFile(dir string) ([]byte, *check.Outcome) {
	p := filepath.Join(dir, filepath.FromSlash(logFile))
	fail := func(fr, en string, args ...any) ([]byte, *check.Outcome) {
		o := check.Failf(fr, en, args...).At(logFile, 0)
		return nil, &o
	}
	st, err := os.Lstat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fail("api.sh n'a pas écrit %s.", "api.sh did not write %s.", logFile)
	case err != nil:
		return fail("%s est illisible : %v.", "%s cannot be read: %v.", logFile, err)
	case !st.Mode().IsRegular():
		return fail("%s n'est pas un fichier ordinaire (lien, dossier ?).", "%s is not a regular file (a link, a folder?).", logFile)
	}
	f, err := os.Open(p)
	if err != nil {
		return fail("%s est illisible : %v.", "%s cannot be read: %v.", logFile, err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLogFile+1))
	switch {
	case err != nil:
		return fail("%s est illisible : %v.", "%s cannot be read: %v.", logFile, err)
	case len(b) > maxLogFile:
		return fail("%s dépasse %d Mio : ce ne sont pas les logs de %s.", "%s is over %d MiB: these are not %s's logs.", logFile, maxLogFile>>20, apiName)
	}
	return b, nil
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
			At(logFile, 0).With("le texte seul : "+check.Cut(string(first), 80), check.Cut(fmt.Sprintf("%q", file), 200))
	}
	if len(stdout) == 0 {
		return check.Failf("%s n'a rien écrit sur stdout : rien à comparer.", "%s wrote nothing on stdout: nothing to compare.", apiName).
			With("la ligne de démarrage", "stdout vide")
	}
	if len(file) == 0 {
		return check.Failf("%s est vide.", "%s is empty.", logFile).At(logFile, 0).With(check.Cut(string(first), 120), "(vide)")
	}
	if !bytes.HasPrefix(stdout, file) {
		line, want, got := firstDiff(stdout, file)
		return check.Failf("%s diffère de la sortie standard de %s à la ligne %d.", "%s differs from %s's stdout at line %d.", logFile, apiName, line).
			At(logFile, line).With(check.Cut(want, 160), check.Cut(got, 160))
	}
	if len(file) < len(stdout) && file[len(file)-1] != '\n' {
		return check.Failf("%s s'arrête au milieu d'une ligne.", "%s stops in the middle of a line.", logFile).At(logFile, 0).
			With("des lignes entières", check.Cut(string(file[bytes.LastIndexByte(file, '\n')+1:]), 160))
	}
	if len(file) < len(first) {
		return check.Failf("%s n'a pas la ligne de démarrage.", "%s lacks the startup line.", logFile).At(logFile, 1).
			With(check.Cut(string(first), 160), check.Cut(string(file), 160))
	}
	return check.Passf("%s est la sortie standard de %s (%d ligne(s)), ligne de démarrage comprise, sans en-tête de trame.",
		"%s is %s's stdout (%d line(s)), startup line included, with no frame header.",
		logFile, apiName, bytes.Count(file, []byte("\n")))
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

// firstDiff returns the first line (1-based) where got departs from want, and both lines.
func firstDiff(want, got []byte) (int, string, string) {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := range g {
		if i >= len(w) {
			return i + 1, "(fin de la sortie)", g[i]
		}
		if w[i] != g[i] {
			return i + 1, w[i], g[i]
		}
	}
	return len(g), "", ""
}
