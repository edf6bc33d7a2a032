// Package lab10 grades lab 10, « De Swarm à Kubernetes » (docs/labs/lab10.md): the given Swarm
// stack translated into Kubernetes 1.32 manifests under k8s/, read with the Kubernetes API's
// own types as a cluster would, and compared with the grader's own copy of stack.yaml. No
// cluster is needed; lab10.live asks one only when the student names it (--kube-context).
package lab10

import (
	"context"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/grader"
)

// Grader is lab 10's grader.
type Grader struct{}

// New returns lab 10's grader.
func New() Grader { return Grader{} }

// Lab names the lab.
func (Grader) Lab() string { return "lab10" }

// Meta: lab 10 reads files only; no engine object is ever created.
func (Grader) Meta() grader.Meta {
	return grader.Meta{
		Kind: grader.Static,
		Params: []grader.Param{
			grader.SizeParam("context-max"), grader.IntParam("context-files", 1, 100_000),
			grader.StringParam("namespace"), grader.SizeParam("max-manifest"),
		},
		Fuzz: []string{"internal/kube.FuzzRead", "FuzzKustomize"},
	}
}

// Checks lists lab 10's checks in the order of the lab's instructions. They share the
// manifests read by lab10.files.
func (Grader) Checks(r *grader.Run) []check.Check {
	s := &state{run: r}
	const files = "lab10.files"
	needs := []string{files}
	return []check.Check{
		{ID: files, Mode: check.Static, Run: s.checkFiles},
		{ID: "lab10.schema", Mode: check.Static, Needs: needs, Run: s.pure(judgeSchema)},
		{ID: "lab10.selector", Mode: check.Static, Needs: needs, Run: s.pure(judgeSelector)},
		{ID: "lab10.ports", Mode: check.Static, Needs: needs, Run: s.pure(judgePorts)},
		{ID: "lab10.refs", Mode: check.Static, Needs: needs, Run: s.pure(judgeRefs)},
		{ID: "lab10.probes", Mode: check.Static, Needs: needs, Run: s.pure(judgeProbes)},
		{ID: "lab10.resources", Mode: check.Static, Needs: needs, Run: s.pure(judgeResources)},
		{ID: "lab10.security", Mode: check.Static, Needs: needs, Run: s.pure(judgeSecurity)},
		{ID: "lab10.image", Mode: check.Static, Needs: needs, Run: s.pure(judgeImage)},
		{ID: "lab10.swarm-parity", Mode: check.Static, Needs: needs, Run: s.pure(judgeParity)},
		{ID: "lab10.labels", Mode: check.Static, Needs: needs, Run: s.pure(judgeLabels)},
		{ID: "lab10.kustomize", Mode: check.Static, Needs: needs, Run: s.checkKustomize},
		{ID: "lab10.live", Mode: check.Static, Needs: needs, Run: s.checkLive},
	}
}

// pure runs a judgement of the manifests alone.
func (s *state) pure(judge func(*submission) check.Outcome) func(context.Context) (check.Outcome, error) {
	return func(context.Context) (check.Outcome, error) { return judge(s.sub), nil }
}
