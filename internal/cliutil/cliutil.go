// Package cliutil holds what every command shares: the factory of lazily built dependencies
// and the errors that map to exit codes.
package cliutil

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/iostreams"
	"github.com/ddlab/grade/internal/lab"
)

// Exit codes, documented in `grade --help`.
const (
	ExitOK          = 0   // every required check passed
	ExitFailed      = 1   // graded, some required check failed
	ExitUsage       = 2   // usage or lab-spec error
	ExitEngine      = 3   // could not grade: engine unavailable or failing
	ExitInterrupted = 130 // Ctrl-C
)

// Factory builds what commands need, lazily: `grade list` must work without a daemon.
type Factory struct {
	IO       *iostreams.IOStreams
	Catalog  func() (*lab.Catalog, error)
	Graders  func() (*grader.Registry, error)
	Engine   func() (engine.Engine, error)
	Now      func() time.Time
	Version  string
	Getenv   func(string) string
	Hostname func() (string, error)
	// EngineContext is the global --context flag: the Docker context to use, as
	// `docker --context` takes it ("" follows DOCKER_HOST, DOCKER_CONTEXT, config.json).
	EngineContext string
	// Observe, when set, sees each check's outcome in both languages (tests).
	Observe func(id string, out check.Outcome)
}

// Lang picks the report language: --lang wins, then LC_ALL/LC_MESSAGES/LANG, else French.
func (f *Factory) Lang(flag string) (string, error) {
	switch flag {
	case "fr", "en":
		return flag, nil
	case "":
	default:
		return "", FlagErrorf("--lang: %q is not fr or en", flag)
	}
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := f.Getenv(k)
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "en") {
			return "en", nil
		}
		return "fr", nil
	}
	return "fr", nil
}

// FlagError is a usage error: the command prints its usage and exits 2.
type FlagError struct{ err error }

func (e *FlagError) Error() string { return e.err.Error() }
func (e *FlagError) Unwrap() error { return e.err }

// FlagErrorf builds a FlagError.
func FlagErrorf(format string, args ...any) error {
	return &FlagError{fmt.Errorf(format, args...)}
}

// ExitError carries an exit code for a condition the command already reported.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit %d", e.Code) }

// ErrSpec marks a lab spec that does not load: exit 2.
var ErrSpec = errors.New("lab spec error")

// DefaultGetenv is os.Getenv; kept here so main wires it, not the commands.
func DefaultGetenv(k string) string { return os.Getenv(k) }

// LabError turns a catalog lookup error into a usage error a student can read.
func LabError(name string, err error) error {
	switch {
	case errors.Is(err, lab.ErrNotReady):
		return FlagErrorf("%s n'est pas encore corrigeable (voir grade list) / %s is not gradable yet", name, name)
	case errors.Is(err, lab.ErrUnknownLab):
		return FlagErrorf("%q n'est pas un lab du cours : lab1 … lab14 (voir grade list) / not a lab of the course", name)
	}
	return FlagErrorf("%v", err)
}
