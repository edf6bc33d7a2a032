// Package cliutil holds what every command shares: the factory of lazily built dependencies,
// the language everything is said in, and the errors that map to exit codes.
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
	// Language is what everything grade prints is written in, "fr" or "en": cli.Run decides
	// it once, before the command tree is built (DecideLang); "" reads as French.
	Language string
	// Observe, when set, sees each check's outcome in both languages (tests).
	Observe func(id string, out check.Outcome)
}

// Lang is the process's language: "en" or "fr".
func (f *Factory) Lang() string {
	if f.Language == "en" {
		return "en"
	}
	return "fr"
}

// Say returns fr or en, whichever is the process's language; French is typeset (a
// non-breaking space before « : ; ? ! » and inside « guillemets »).
func (f *Factory) Say(fr, en string) string { return Say(f.Lang(), fr, en) }

// Sayf is Say with arguments. They are data and are not typeset; one that is said in both
// languages (an error of this package, a check.Text) is said in the process's language.
func (f *Factory) Sayf(fr, en string, args ...any) string { return Sayf(f.Lang(), fr, en, args...) }

// Text is t in the process's language, French typeset (a title, a summary from a lab spec).
func (f *Factory) Text(t check.Text) string { return f.Say(t.FR, t.In("en")) }

// Count says n things with the right plural: 0 and 1 are singular in French, only 1 is in
// English ("0 fichier", "0 files").
func (f *Factory) Count(n int, frOne, frMany, enOne, enMany string) string {
	return Count(f.Lang(), n, frOne, frMany, enOne, enMany)
}

// Say returns fr or en for lang, French typeset.
func Say(lang, fr, en string) string {
	if lang == "en" {
		return en
	}
	return check.Typeset(fr)
}

// Sayf formats Say(lang, fr, en) with args, each said in lang when it can be (see In).
func Sayf(lang, fr, en string, args ...any) string {
	a := make([]any, len(args))
	for i, x := range args {
		if t, ok := x.(interface{ In(string) string }); ok {
			a[i] = t.In(lang)
		} else {
			a[i] = x
		}
	}
	return fmt.Sprintf(Say(lang, fr, en), a...)
}

// Count is Factory.Count for lang.
func Count(lang string, n int, frOne, frMany, enOne, enMany string) string {
	w := frMany
	switch {
	case lang == "en" && n == 1:
		w = enOne
	case lang == "en":
		w = enMany
	case n == 0 || n == 1:
		w = frOne
	}
	return fmt.Sprintf("%d %s", n, w)
}

// JoinErrors is errs as one error, one per line, in each language.
func JoinErrors(errs []error) error {
	if len(errs) == 0 {
		return nil
	}
	fr, en := make([]string, len(errs)), make([]string, len(errs))
	for i, e := range errs {
		fr[i], en[i] = Message(e, "fr"), Message(e, "en")
	}
	return &Error{text{fr: strings.Join(fr, "\n"), en: strings.Join(en, "\n"), err: errors.Join(errs...)}}
}

// text is a message in both languages, and the first error among the arguments it was built
// from, which it wraps.
type text struct {
	fr, en string
	err    error
}

func newText(fr, en string, args []any) text {
	t := text{fr: Sayf("fr", fr, en, args...), en: Sayf("en", fr, en, args...)}
	for _, a := range args {
		if err, ok := a.(error); ok {
			t.err = err
			break
		}
	}
	return t
}

// In is the message in lang.
func (t text) In(lang string) string {
	if lang == "en" {
		return t.en
	}
	return t.fr
}

// Error is the French message, the course's default; what prints an error picks its
// language with In (see Message).
func (t text) Error() string { return t.fr }

// Unwrap is the error the message was built from, if any.
func (t text) Unwrap() error { return t.err }

// Error is an error said in both languages: it keeps both, and the language is picked when it
// is printed (Message).
type Error struct{ text }

// Errorf builds an Error from a French and an English format sharing args. An argument that is
// said in both languages is said in each; the first error argument is wrapped (errors.Is).
func Errorf(fr, en string, args ...any) error {
	return &Error{newText(fr, en, args)}
}

// FlagError is a usage error: grade says it on one line, points at the command's help, and
// exits 2. It is said in both languages, like Error.
type FlagError struct{ text }

// FlagErrorf builds a FlagError from a French and an English format sharing args (see Errorf).
func FlagErrorf(fr, en string, args ...any) error {
	return &FlagError{newText(fr, en, args)}
}

// Message is err in lang: the first error of its chain said in both languages, else its
// plain text (an engine's or the system's, said once).
func Message(err error, lang string) string {
	var t interface{ In(string) string }
	if errors.As(err, &t) {
		return t.In(lang)
	}
	return err.Error()
}

// ExitError carries an exit code for a condition the command already reported.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit %d", e.Code) }

// ErrSpec marks a lab spec that does not load: exit 2.
var ErrSpec = errors.New("lab spec error")

// SpecError marks err as a lab-spec error (errors.Is(err, ErrSpec)) without changing what it
// says.
func SpecError(err error) error { return &specError{err} }

type specError struct{ err error }

func (e *specError) Error() string        { return e.err.Error() }
func (e *specError) Unwrap() error        { return e.err }
func (e *specError) Is(target error) bool { return target == ErrSpec }

// DefaultGetenv is os.Getenv; kept here so main wires it, not the commands.
func DefaultGetenv(k string) string { return os.Getenv(k) }

// LabError turns a catalog lookup error into a usage error a student can read.
func LabError(name string, err error) error {
	switch {
	case errors.Is(err, lab.ErrNotReady):
		return FlagErrorf("%s n'est pas encore corrigeable (voir `grade list`)", "%s cannot be graded yet (see `grade list`)", name)
	case errors.Is(err, lab.ErrUnknownLab):
		return FlagErrorf("« %s » n'est pas un lab du cours : lab1 … lab14 (voir `grade list`)",
			"%q is not a lab of the course: lab1 … lab14 (see `grade list`)", name)
	}
	return FlagErrorf("%s : %v", "%s: %v", name, err)
}
