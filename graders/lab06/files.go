package lab06

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/script"
)

// required are the files the contract asks for; backup.sh and where.sh are the bonuses'.
var required = []string{"up.sh", "down.sh", "purge.sh", "reader.sh", "config/kv.conf"}

// checkFiles is the gate: the copy refused nothing, and every required file is a regular,
// non-empty file.
func (s *state) checkFiles(ctx context.Context) (check.Outcome, error) {
	o := filesObs{Refused: s.run.RefusedOutcome()}
	if o.Refused != nil {
		return judgeFiles(o), nil
	}
	for _, name := range required {
		st, err := os.Lstat(filepath.Join(s.run.Files, filepath.FromSlash(name)))
		switch {
		case errors.Is(err, os.ErrNotExist):
			o.Missing = append(o.Missing, name)
		case err != nil:
			return check.Outcome{}, err
		case !st.Mode().IsRegular():
			o.Odd = append(o.Odd, check.T("%s (pas un fichier ordinaire)", "%s (not a regular file)", name))
		case st.Size() == 0:
			o.Odd = append(o.Odd, check.T("%s (vide)", "%s (empty)", name))
		}
	}
	return judgeFiles(o), nil
}

// scriptRun is one run of a student script, kept by the scenario.
type scriptRun struct {
	name check.Text // "up.sh (après down.sh)"
	res  script.Result
}

// failed is the failing outcome of a script that did not exit 0, or nil.
func (r *scriptRun) failed() *check.Outcome {
	if r.res.ExitCode == 0 && !r.res.TimedOut {
		return nil
	}
	o := grader.ScriptFailedAs(r.name, r.res)
	return &o
}
