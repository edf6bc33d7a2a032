package grader

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
)

// RefusedOutcome is the failing verdict of a submission the snapshot refused (a link leaving
// the folder, too many files…), naming every reason; nil when nothing was refused.
func (r *Run) RefusedOutcome() *check.Outcome {
	if len(r.Refused) == 0 {
		return nil
	}
	var fr, en []string
	for _, p := range r.Refused {
		fr, en = append(fr, p.Message.FR), append(en, p.Message.EN)
	}
	p := r.Refused[0]
	return &check.Outcome{Status: check.Fail, Message: check.Text{FR: "La soumission est refusée : " + p.Message.FR,
		EN: "The submission is refused: " + p.Message.EN}, Actual: check.Lit(strings.Join(fr, "\n"), strings.Join(en, "\n")), File: p.Path}
}

// ReadDockerfile reads and analyses the Dockerfile name at the root of the snapshot. A file
// that is missing, not regular, empty, binary or unparsable is a failing verdict; df is set
// only when the verdict passes.
func (r *Run) ReadDockerfile(ctx context.Context, name string) (src []byte, df *dockerfile.Analysis, out check.Outcome, err error) {
	path := filepath.Join(r.Dir, name)
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil, nil, check.Failf("Il n'y a pas de fichier %s dans le dossier du lab (le nom est sensible à la casse).",
			"There is no %s in the lab folder (the name is case-sensitive).", name), nil
	case err != nil:
		return nil, nil, check.Outcome{}, err
	case !st.Mode().IsRegular():
		return nil, nil, check.Failf("%s n'est pas un fichier ordinaire (lien symbolique ou dossier).",
			"%s is not a regular file (a symbolic link or a folder).", name).Because("not-regular"), nil
	case st.Size() == 0:
		return nil, nil, check.Failf("Le %s est vide.", "The %s is empty.", name).At(name, 1).Because("empty"), nil
	}
	src, err = os.ReadFile(path)
	if err != nil {
		return nil, nil, check.Outcome{}, err
	}
	if bytes.IndexByte(src, 0) >= 0 || !utf8.Valid(src) {
		return nil, nil, check.Failf("Le %s n'est pas un fichier texte (octets binaires ou encodage non UTF-8).",
			"The %s is not a text file (binary bytes or not UTF-8).", name).At(name, 0).Because("not-text"), nil
	}
	df = dockerfile.Analyze(ctx, name, src)
	if pe := df.ParseError; pe != nil && pe.LabsOnly != "" {
		return nil, nil, check.Failf("Le %[1]s utilise RUN %[2]s, qui n'existe que dans le canal expérimental docker/dockerfile:1-labs : "+
			"la correction ne peut pas le télécharger (aucun registre joignable, la ligne # syntax= est neutralisée) "+
			"et n'accorde jamais les droits qu'il demande (security.insecure, périphériques). Retirez %[2]s de l'instruction RUN.",
			"The %[1]s uses RUN %[2]s, which only the experimental docker/dockerfile:1-labs channel defines: "+
				"the grader cannot fetch it (no registry reachable, the # syntax= line is neutralised) "+
				"and never grants what it asks for (security.insecure, devices). Remove %[2]s from the RUN instruction.",
			name, pe.LabsOnly).At(name, pe.Line).Because("syntax"), nil
	}
	if pe := df.ParseError; pe != nil {
		// BuildKit's English stays out: Explain says which instruction and how to write it.
		why, where := pe.Explain(), check.Lit("", "")
		if pe.Line > 0 {
			where = check.T(", ligne %d", ", line %d", pe.Line)
		}
		o := check.Outcome{Status: check.Fail, Message: check.Lit(
			fmt.Sprintf("Le %s ne se lit pas%s : %s", name, where.FR, why.FR),
			fmt.Sprintf("The %s does not parse%s: %s", name, where.EN, why.EN))}
		return nil, nil, o.At(name, pe.Line).Because("syntax"), nil
	}
	if n := len(df.Stages); n > 1 {
		return src, df, check.Passf("%s trouvé : %d étapes.", "%s found: %d stages.", name, n).At(name, 0), nil
	}
	return src, df, check.Passf("%s trouvé : une étape.", "%s found: one stage.", name).At(name, 0), nil
}
