package lab05

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
)

const dockerfileName = "Dockerfile"

// state is what lab 5's checks share for one run.
type state struct {
	run      *grader.Run
	src      []byte // the Dockerfile as submitted
	df       *dockerfile.Analysis
	image    engine.Image
	imageRef string
	files    []engine.File
	ctr      string         // the running container, "" until started
	ctrFail  *check.Outcome // why the container could not start: a verdict on the student
}

// checkFiles is the gate: the snapshot took nothing dangerous, and the Dockerfile is a
// regular text file that BuildKit parses.
func (s *state) checkFiles(ctx context.Context) (check.Outcome, error) {
	if len(s.run.Refused) > 0 {
		var lines []string
		for _, p := range s.run.Refused {
			lines = append(lines, p.Message.FR)
		}
		p := s.run.Refused[0]
		o := check.Outcome{Status: check.Fail, Message: check.T("La soumission est refusée : %s", "The submission is refused: %s",
			p.Message.FR), Actual: strings.Join(lines, "\n"), File: p.Path}
		o.Message.EN = "The submission is refused: " + p.Message.EN
		return o, nil
	}
	path := filepath.Join(s.run.Dir, dockerfileName)
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return check.Failf("Il n'y a pas de fichier Dockerfile dans le dossier du lab (le nom est sensible à la casse).",
			"There is no Dockerfile in the lab folder (the name is case-sensitive)."), nil
	case err != nil:
		return check.Outcome{}, err
	case !st.Mode().IsRegular():
		return check.Failf("Dockerfile n'est pas un fichier ordinaire (lien symbolique ou dossier).",
			"Dockerfile is not a regular file (a symbolic link or a folder)."), nil
	case st.Size() == 0:
		return check.Failf("Le Dockerfile est vide.", "The Dockerfile is empty.").At(dockerfileName, 1), nil
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return check.Outcome{}, err
	}
	if bytes.IndexByte(src, 0) >= 0 || !utf8.Valid(src) {
		return check.Failf("Le Dockerfile n'est pas un fichier texte (octets binaires ou encodage non UTF-8).",
			"The Dockerfile is not a text file (binary bytes or not UTF-8).").At(dockerfileName, 0), nil
	}
	s.src = src
	s.df = dockerfile.Analyze(ctx, dockerfileName, src)
	if pe := s.df.ParseError; pe != nil {
		return check.Failf("Le Dockerfile ne peut pas être analysé : %s", "The Dockerfile cannot be parsed: %s", pe.Message).
			At(dockerfileName, pe.Line), nil
	}
	return check.Passf("Dockerfile trouvé : %d étape(s).", "Dockerfile found: %d stage(s).", len(s.df.Stages)).At(dockerfileName, 0), nil
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
		base := normalizeRef(st.Base)
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
