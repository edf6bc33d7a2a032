// Package clitest gives command tests a factory wired to fakes: a two-lab catalog in memory
// (lab1 gradable, lab2 coming), a registry holding one fake grader, test streams, a fixed
// clock and environment, and an engine that fails the test unless the test sets one.
package clitest

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/spf13/cobra"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/iostreams"
	"github.com/ddlab/grade/internal/lab"
)

// Spec is lab1's spec in the test catalog.
const Spec = `schemaVersion: 1
lab: lab1
chapter: 1
title: {fr: "Premier lab", en: "First lab"}
summary: {fr: "Le résumé.", en: "The summary."}
timeout: 1m
bonusCap: 5
params:
  port: "8081"
checks:
  - {id: lab1.files, kind: gate, points: 0, title: {fr: "Fichiers", en: "Files"}, hint: {fr: "h", en: "h"}}
  - {id: lab1.run, kind: required, points: 100, title: {fr: "Ça tourne", en: "It runs"}, hint: {fr: "h", en: "h"}}
  - {id: lab1.extra, kind: bonus, points: 5, title: {fr: "En plus", en: "Extra"}, hint: {fr: "h", en: "h"}}
`

// FS is the test catalog.
func FS() fstest.MapFS {
	return fstest.MapFS{
		"catalog.yaml": {Data: []byte(`schemaVersion: 1
labs:
  - {lab: lab1, chapter: 1, title: {fr: "Premier lab", en: "First lab"}}
  - {lab: lab2, chapter: 2, title: {fr: "Deuxième lab", en: "Second lab"}}
`)},
		"lab1.yaml":                   {Data: []byte(Spec)},
		"lab1/_starter/README.md":     {Data: []byte("# Consignes du lab 1\n")},
		"lab1/_starter/run.sh":        {Data: []byte("# TODO\n")},
		"lab1/_solution/run.sh":       {Data: []byte("docker run lab1\n")},
		"lab1/_starter/.dockerignore": {Data: []byte("*.bin\n")},
	}
}

// Grader is the fake grader of lab1: three static checks that pass, one port param.
type Grader struct{}

// Lab names the lab.
func (Grader) Lab() string { return "lab1" }

// Meta declares a static lab that reads params.port.
func (Grader) Meta() grader.Meta {
	return grader.Meta{Kind: grader.Static, Params: []grader.Param{grader.PortParam("port")}}
}

// Checks are lab1's checks.
func (Grader) Checks(*grader.Run) []check.Check {
	pass := func(context.Context) (check.Outcome, error) { return check.Passf("ok", "ok"), nil }
	return []check.Check{
		{ID: "lab1.files", Mode: check.Static, Run: pass},
		{ID: "lab1.run", Mode: check.Static, Run: pass},
		{ID: "lab1.extra", Mode: check.Static, Run: pass},
	}
}

// Factory returns a factory over the test catalog and Grader, and the buffers of stdout and
// stderr. Its Engine fails the test when asked: set f.Engine in tests of commands that use one.
func Factory(t *testing.T) (*cliutil.Factory, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	ios, _, stdout, stderr := iostreams.Test()
	return &cliutil.Factory{
		IO:      ios,
		Catalog: func() (*lab.Catalog, error) { return lab.Load(FS()) },
		Graders: func() (*grader.Registry, error) { return grader.NewRegistry(Grader{}) },
		Engine: func() (engine.Engine, error) {
			t.Error("the command asked for an engine")
			return nil, engine.ErrUnavailable
		},
		Now:      func() time.Time { return time.Date(2024, 3, 5, 10, 14, 0, 0, time.UTC) },
		Version:  "1.0.0-test",
		Getenv:   func(string) string { return "" },
		Hostname: func() (string, error) { return "ci-runner", nil },
	}, stdout, stderr
}

// Execute runs cmd with the arguments of cli (split on spaces), its own output discarded.
func Execute(cmd *cobra.Command, cli string) error {
	cmd.SetArgs(strings.Fields(cli))
	cmd.SetIn(&bytes.Buffer{})
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	_, err := cmd.ExecuteC()
	return err
}
