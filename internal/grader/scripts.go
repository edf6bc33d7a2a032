package grader

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/apiproxy"
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
// with Missing set and exit code 127, not an error: the student forgot it.
func (r *Run) Script(ctx context.Context, name string, env ...string) (script.Result, error) {
	if r.Files == "" {
		return script.Result{}, errors.New("grader: Script called on a run without Files (the grader's Meta.Kind is not Scripts)")
	}
	if r.Engine == nil {
		return script.Result{}, errors.New("grader: Script needs an engine")
	}
	if st, err := os.Stat(filepath.Join(r.Files, name)); err != nil || !st.Mode().IsRegular() {
		return script.Result{ExitCode: 127, Missing: true}, nil
	}
	host, err := r.scriptHost(ctx)
	if err != nil {
		return script.Result{}, err
	}
	r.Progress(check.T("exécution de %s…", "running %s…", name))
	base := []string{"DOCKER_HOST=" + host, "LAB=" + r.Spec.Lab}
	bwrap, err := r.sandbox(ctx)
	if err != nil {
		return script.Result{}, err
	}
	mark := r.scriptMark()
	res, err := script.Run(ctx, script.Spec{Dir: r.Files, Path: name, Env: append(base, env...), Timeout: r.ScriptTimeout(), Bwrap: bwrap})
	if recs, ok := r.scriptRecords(mark); ok {
		NoteRequests(&res, recs)
	}
	return res, err
}

// Where student scripts run (Run.Sandbox, from GRADE_SANDBOX).
const (
	SandboxAuto    = "auto"    // in bubblewrap when it works here, else on the host, said in the report
	SandboxRequire = "require" // in bubblewrap, or the run is not graded (batch and CI)
	SandboxOff     = "off"     // on the host, as the student's own user
)

// sandbox decides once per run where scripts run: bubblewrap's path, or "" for the host.
func (r *Run) sandbox(ctx context.Context) (string, error) {
	r.scripts.mu.Lock()
	defer r.scripts.mu.Unlock()
	if r.scripts.decided {
		return r.scripts.bwrap, r.scripts.refused
	}
	r.scripts.decided = true
	if r.Sandbox == SandboxOff {
		r.scripts.unboxedWhy = "--sandbox off"
		return "", nil
	}
	path, err := script.Bwrap(ctx)
	switch {
	case err == nil:
		r.scripts.bwrap = path
	case r.Sandbox == SandboxRequire:
		r.scripts.refused = fmt.Errorf("les scripts doivent être isolés (--sandbox require) / scripts must be sandboxed: %w", err)
	default:
		r.scripts.unboxedWhy = err.Error()
	}
	return r.scripts.bwrap, r.scripts.refused
}

// ScriptSandbox says where this run's scripts ran: "" when none ran, "bubblewrap", or
// "none: <why>" when they ran on the host.
func (r *Run) ScriptSandbox() string {
	r.scripts.mu.Lock()
	defer r.scripts.mu.Unlock()
	switch {
	case r.scripts.bwrap != "":
		return "bubblewrap"
	case r.scripts.unboxedWhy != "":
		return "none: " + r.scripts.unboxedWhy
	}
	return ""
}

// NoteRequests adds to res recs, the requests a proxy saw while the script ran, and what the
// proxy refused among them, which makes the run a failure.
func NoteRequests(res *script.Result, recs []apiproxy.Record) {
	if res.Requests == nil {
		res.Requests = []string{}
	}
	for _, rec := range recs {
		res.Requests = append(res.Requests, rec.Method+" "+rec.Path)
		res.Joins = append(res.Joins, joins(rec.Body)...)
		if rec.Refused != nil && len(res.Refused) < 5 {
			res.Refused = append(res.Refused, check.Text{FR: rec.Refused.FR, EN: rec.Refused.EN})
		}
	}
	if len(res.Refused) > 0 && res.ExitCode == 0 {
		res.ExitCode = 1
	}
}

// ScriptFailed is the failing outcome of a script that did not exit 0: why, and the tail
// of its output, so the student sees their own error.
func ScriptFailed(name string, res script.Result) check.Outcome {
	return ScriptFailedAs(check.Same(name), res)
}

// ScriptFailedAs is ScriptFailed for a script named in words ("up.sh (après down.sh)").
func ScriptFailedAs(name check.Text, res script.Result) check.Outcome {
	// say formats a sentence whose first argument is the script's name, in each language.
	say := func(fr, en string, args ...any) check.Outcome {
		return check.Outcome{Status: check.Fail, Message: check.Lit(
			fmt.Sprintf(fr, append([]any{name.FR}, args...)...), fmt.Sprintf(en, append([]any{name.In("en")}, args...)...))}
	}
	var o check.Outcome
	switch {
	case len(res.Refused) > 0:
		var fr, en []string
		for _, why := range res.Refused {
			fr, en = append(fr, why.FR), append(en, why.EN)
		}
		o = check.Outcome{Status: check.Fail, Message: check.Lit(
			fmt.Sprintf("%s a demandé au moteur ce que le correcteur refuse pour la sécurité de l'hôte : %s", name.FR, strings.Join(fr, " ; ")),
			fmt.Sprintf("%s asked the engine for what the grader refuses for the host's safety: %s", name.In("en"), strings.Join(en, "; ")))}
		return o.WithT(check.Lit("aucune demande refusée", "no refused request"), check.Same(tailLines(res.Output, 15)))
	case res.TimedOut:
		o = say("%s n'a pas fini en %s : il a été arrêté (une commande attend-elle une saisie ou tourne-t-elle au premier plan ?).",
			"%s did not finish within %s and was stopped (is a command waiting for input or running in the foreground?).",
			res.Duration.Round(time.Second))
	case res.Missing || res.ExitCode == 127 && strings.Contains(res.Output, "fichier absent"):
		return say("%s est absent du dossier du lab.", "%s is missing from the lab folder.").
			WithT(check.Lit(name.FR+" dans le dossier du lab", name.In("en")+" in the lab folder"), check.Lit("absent ou illisible", "missing or unreadable"))
	default:
		o = say("%s s'est terminé avec le code %d.", "%s exited with code %d.", res.ExitCode)
	}
	return o.WithT(check.Lit("code de sortie 0", "exit code 0"), check.Same(tailLines(res.Output, 15)))
}

// tailLines keeps the last n lines of out.
func tailLines(out string, n int) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) > n {
		lines = append([]string{"…"}, lines[len(lines)-n:]...)
	}
	return strings.Join(lines, "\n")
}

// joins reads the namespaces a container create body joins ("pid=container:x").
func joins(body []byte) []string {
	if len(body) == 0 {
		return nil
	}
	var c struct {
		HostConfig struct{ NetworkMode, PidMode, IpcMode string }
	}
	if json.Unmarshal(body, &c) != nil {
		return nil
	}
	var out []string
	for _, ns := range []struct{ kind, mode string }{{"network", c.HostConfig.NetworkMode}, {"pid", c.HostConfig.PidMode}, {"ipc", c.HostConfig.IpcMode}} {
		if strings.HasPrefix(ns.mode, "container:") {
			out = append(out, ns.kind+"="+ns.mode)
		}
	}
	return out
}

// Asked tells whether the script made an engine request matching re ("GET /volumes/x", the
// API version prefix removed), and whether that is known at all (false on a remote engine,
// where no proxy recorded the requests). An answer a script prints without asking the engine
// is a guess, however right.
func Asked(res script.Result, re *regexp.Regexp) (asked, known bool) {
	if res.Requests == nil {
		return false, false
	}
	for _, r := range res.Requests {
		method, path, _ := strings.Cut(r, " ")
		if re.MatchString(method + " " + apiproxy.Unversioned(path)) {
			return true, true
		}
	}
	return false, true
}

// Requests lists a script's engine requests for a report's Actual.
func Requests(reqs []string) check.Text {
	if len(reqs) == 0 {
		return check.Lit("aucune requête au moteur", "no request to the engine")
	}
	return check.Same(check.Cut(strings.Join(reqs, ", "), 300))
}
