package lab05

import (
	"context"
	"fmt"
	"strings"

	"github.com/ddlab/grade/internal/buildlab"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
)

const dockerfileName = "Dockerfile"

// offlineBases are what the lab builds from, offline (`grade images` makes them).
const offlineBases = "ddlab/go:1, ddlab/busybox:1 ou scratch"

// state is what lab 5's checks share for one run.
type state struct {
	run      *grader.Run
	kit      *buildlab.Session
	src      []byte // the Dockerfile as submitted
	df       *dockerfile.Analysis
	image    engine.Image
	imageRef string
	files    []engine.File
	ctr      string         // the running container, "" until started
	ctrFail  *check.Outcome // why the container could not start: a verdict on the student
}

// stateFor starts lab 5's state for a run.
func stateFor(r *grader.Run) *state {
	return &state{run: r, kit: buildlab.New(r, dockerfileName)}
}

// checkFiles is the gate: the snapshot took nothing dangerous, and the Dockerfile is a
// regular text file that BuildKit parses.
func (s *state) checkFiles(ctx context.Context) (check.Outcome, error) {
	out, err := s.kit.CheckFiles(ctx)
	s.src, s.df = s.kit.Src, s.kit.DF
	return out, err
}

func (s *state) checkOfflineSyntax(context.Context) (check.Outcome, error) {
	if s.df.Syntax != "" {
		return check.Failf("La directive `# syntax=%s` télécharge le frontend depuis un registre, impossible hors ligne. Le correcteur l'a neutralisée pour construire quand même.",
			"The `# syntax=%s` directive pulls the frontend from a registry, impossible offline. The grader neutralised it to build anyway.", s.df.Syntax).
			At(dockerfileName, s.df.SyntaxLine).With("aucune directive # syntax=", "# syntax="+s.df.Syntax), nil
	}
	allowed := strings.Fields(s.run.Spec.Params["allowed-bases"])
	stages := map[string]bool{}
	for _, st := range s.df.Stages {
		base := buildlab.NormalizeRef(st.Base)
		if !stages[strings.ToLower(st.Base)] && !contains(allowed, base) {
			return check.Failf("`FROM %s` n'est pas une image de base autorisée hors ligne.",
				"`FROM %s` is not a base image allowed offline.", st.Base).
				At(dockerfileName, st.Line).With(strings.Join(allowed, ", ")+" ou une étape précédente", st.Base), nil
		}
		if st.Name != "" {
			stages[strings.ToLower(st.Name)] = true
		}
	}
	return check.Passf("Aucune directive # syntax= et toutes les images de base sont autorisées.",
		"No # syntax= directive and every base image is allowed."), nil
}

func (s *state) checkLint(context.Context) (check.Outcome, error) {
	if len(s.df.Lint) == 0 {
		return check.Passf("Le linter BuildKit ne signale rien.", "The BuildKit linter reports nothing."), nil
	}
	var lines []string
	for i, p := range s.df.Lint {
		if i == 10 {
			lines = append(lines, fmt.Sprintf("… (+%d)", len(s.df.Lint)-10))
			break
		}
		lines = append(lines, fmt.Sprintf("%s:%d %s : %s", dockerfileName, p.Line, p.Rule, p.Message))
	}
	first := s.df.Lint[0]
	return check.Failf("Le linter BuildKit signale %d problème(s), dont %s ligne %d.",
		"The BuildKit linter reports %d problem(s), including %s on line %d.", len(s.df.Lint), first.Rule, first.Line).
		At(dockerfileName, first.Line).With("0 avertissement", strings.Join(lines, "\n")), nil
}

func (s *state) checkCacheMount(context.Context) (check.Outcome, error) {
	for _, st := range s.df.Stages {
		for _, c := range st.Commands {
			for _, m := range c.Mounts {
				if m.Type == "cache" && (m.Target == "/root/.cache/go-build" || strings.HasSuffix(m.Target, "/go-build")) {
					return check.Passf("Ligne %d : cache BuildKit monté sur %s.", "Line %d: BuildKit cache mounted on %s.", c.Line, m.Target).
						At(dockerfileName, c.Line), nil
				}
			}
		}
	}
	return check.Failf("Aucune instruction RUN ne monte de cache sur le cache de compilation Go.",
		"No RUN instruction mounts a cache on Go's build cache.").
		With("RUN --mount=type=cache,target=/root/.cache/go-build go build …", "aucun"), nil
}

func contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
