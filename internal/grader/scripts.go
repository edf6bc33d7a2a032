package grader

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/script"
)

// ScriptTimeout is how long one student script may run, from the spec's `script-timeout`
// parameter, else the labs' contract of 120 s (docs/labs/README.md §0.1).
func (r *Run) ScriptTimeout() time.Duration {
	if v, ok := r.Spec.Params["script-timeout"]; ok {
		if d, err := time.ParseDuration(v); err == nil && d > 0 {
			return d
		}
	}
	return 120 * time.Second
}

// Script runs `sh -eu name` in the submission copy with the environment the labs promise
// (DOCKER_HOST of the engine being graded on, LAB) plus env. A missing script is a Result
// with exit code 127 and a French sentence, not an error: the student forgot it.
func (r *Run) Script(ctx context.Context, name string, env ...string) (script.Result, error) {
	if r.Files == "" {
		return script.Result{}, errors.New("grader: Script called on a run without Files (the grader's Meta.Kind is not Scripts)")
	}
	if r.Engine == nil {
		return script.Result{}, errors.New("grader: Script needs an engine")
	}
	if st, err := os.Stat(filepath.Join(r.Files, name)); err != nil || !st.Mode().IsRegular() {
		return script.Result{ExitCode: 127, Output: fmt.Sprintf("%s : fichier absent ou illisible / missing or unreadable", name)}, nil
	}
	host, err := r.scriptHost(ctx)
	if err != nil {
		return script.Result{}, err
	}
	r.Progress(fmt.Sprintf("exécution de %s…", name))
	base := []string{"DOCKER_HOST=" + host, "LAB=" + r.Spec.Lab}
	return script.Run(ctx, script.Spec{Dir: r.Files, Path: name, Env: append(base, env...), Timeout: r.ScriptTimeout()})
}

// ScriptFailed is the failing outcome of a script that did not exit 0: why, and the tail
// of its output, so the student sees their own error.
func ScriptFailed(name string, res script.Result) check.Outcome {
	var o check.Outcome
	switch {
	case res.TimedOut:
		o = check.Failf("%s n'a pas fini en %s : il a été arrêté (une commande attend-elle une saisie ou tourne-t-elle au premier plan ?).",
			"%s did not finish within %s and was stopped (is a command waiting for input or running in the foreground?).",
			name, res.Duration.Round(time.Second))
	case res.ExitCode == 127 && strings.Contains(res.Output, "fichier absent"):
		o = check.Failf("%s est absent du dossier du lab.", "%s is missing from the lab folder.", name)
	default:
		o = check.Failf("%s s'est terminé avec le code %d.", "%s exited with code %d.", name, res.ExitCode)
	}
	return o.With("code de sortie 0", tailLines(res.Output, 15))
}

// tailLines keeps the last n lines of out.
func tailLines(out string, n int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}
