package grader

import (
	"errors"
	"fmt"
	"strings"
)

// Kind is what a lab's submission is, and so what a run of it needs.
type Kind int

// Kinds of labs. The zero value is invalid on purpose: a grader must say what it is.
const (
	Dockerfile Kind = iota + 1 // a Dockerfile the grader builds and runs itself
	Scripts                    // shell scripts the grader runs against the engine
	Compose                    // a Compose project the grader starts on the embedded Compose engine
	Swarm                      // a stack deployed on a swarm
	Static                     // files read without any engine
)

var kindNames = map[Kind]string{Dockerfile: "dockerfile", Scripts: "scripts", Compose: "compose", Swarm: "swarm", Static: "static"}

func (k Kind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("Kind(%d)", int(k))
}

// Meta is everything a grader declares about its lab, in one value: what the runner, the
// exclusive lock, the snapshot and `grade validate` read instead of asking the grader
// questions one method at a time.
type Meta struct {
	Kind Kind
	// Exclusive labs take turns on an engine: their students create objects under fixed
	// names or publish fixed ports, so two runs would fight over them. Contract names what
	// is removed before and after each run (it may be empty: a Compose lab's fixed port is
	// freed by removing the project, which the run does anyway).
	Exclusive bool
	Contract  Contract
	// Params are the spec parameters (labs/labN.yaml `params:`) the checks read, with their
	// types. A spec is refused when it lacks a required one, has one the grader does not
	// read, or gives one a value of the wrong type or out of range.
	Params []Param
	// Fuzz names the fuzz targets of the parsers of student input the grader relies on:
	// "FuzzParseAnswers" in the grader's own package, or "internal/compose.FuzzLoadProject"
	// in a shared one. The completeness test (graders/graders_test.go) checks that each
	// exists, and that every fuzz target of the grader's package is listed.
	Fuzz []string
}

// NeedsFiles tells whether the lab's runs need Files, a full private copy of the submission:
// scripts and Compose projects see the whole folder, whatever .dockerignore hides.
func (m Meta) NeedsFiles() bool {
	return m.Kind == Scripts || m.Kind == Compose || m.Kind == Swarm
}

// AllParams are the declared params plus those the framework reads for every lab of the
// kind: the snapshot's limits, and the scripts' time limit.
func (m Meta) AllParams() []Param {
	ps := append([]Param(nil), m.Params...)
	has := map[string]bool{}
	for _, p := range ps {
		has[p.Key] = true
	}
	common := []Param{
		SizeParam("context-max").WhenOmitted(""),
		IntParam("context-files", 1, 1_000_000).WhenOmitted(""),
	}
	if m.Kind == Scripts {
		common = append(common, DurationParam("script-timeout").WhenOmitted("120s"))
	}
	for _, p := range common {
		if !has[p.Key] {
			ps = append(ps, p)
		}
	}
	return ps
}

// validate refuses a Meta that cannot be right, so a new lab finds out at registration.
func (m Meta) validate(labName string) error {
	var errs []error
	if _, ok := kindNames[m.Kind]; !ok {
		errs = append(errs, fmt.Errorf("%s: Meta.Kind is not set", labName))
	}
	c := m.Contract
	if !m.Exclusive && len(c.Containers)+len(c.Networks)+len(c.Volumes)+len(c.Images) > 0 {
		errs = append(errs, fmt.Errorf("%s: a Contract needs Exclusive", labName))
	}
	seen := map[string]bool{}
	for _, p := range m.AllParams() {
		if seen[p.Key] {
			errs = append(errs, fmt.Errorf("%s: param %s declared twice", labName, p.Key))
		}
		seen[p.Key] = true
		if p.Default != "" {
			if err := p.check(p.Default); err != nil {
				errs = append(errs, fmt.Errorf("%s: default of param %s: %s", labName, p.Key, err.FR))
			}
		}
	}
	for _, f := range m.Fuzz {
		name := f[strings.LastIndex(f, ".")+1:]
		if !strings.HasPrefix(name, "Fuzz") {
			errs = append(errs, fmt.Errorf("%s: fuzz target %q does not name a Fuzz function", labName, f))
		}
	}
	return errors.Join(errs...)
}
