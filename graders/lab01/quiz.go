package lab01

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
	"github.com/ddlab/grade/internal/quizkey"
)

const answersFile = "answers.yaml"

// maxAnswersBytes bounds answers.yaml: four letters and the comments of the starter.
const maxAnswersBytes = 16 << 10

var (
	questionRe = regexp.MustCompile(`^q[0-9]+$`)
	letterRe   = regexp.MustCompile(`^[a-d]$`)
)

// parseKey reads the answer key of the spec, "q1=<digest> q2=<digest> …", each digest being
// quizkey.Digest(salt, question, letter): the spec, and so the student's binary, never holds
// the letters (tools/quizkey prints a key line).
func parseKey(s string) (map[string]string, error) {
	key := map[string]string{}
	for _, f := range strings.Fields(s) {
		q, d, ok := strings.Cut(f, "=")
		if !ok || !questionRe.MatchString(q) || !quizkey.Valid(d) || key[q] != "" {
			return nil, fmt.Errorf("params.quiz-answers: %q is not q<N>=<digest> (tools/quizkey), once per question", f)
		}
		key[q] = d
	}
	if len(key) == 0 {
		return nil, errors.New("params.quiz-answers is empty")
	}
	return key, nil
}

// answerError is why answers.yaml cannot be read, at a line when there is one.
type answerError struct {
	Line int
	Why  check.Text
}

func (e *answerError) Error() string { return e.Why.EN }

// parseAnswers reads answers.yaml: one mapping of question → letter. It walks the YAML
// node tree itself, so that aliases are never expanded and duplicate keys are reported
// with their line (yaml's own duplicate check is quadratic). Values are returned trimmed
// and lower-cased, as written: judging them is the caller's job. Keys other than qN (the
// student's own notes) are not checked.
func parseAnswers(data []byte) (map[string]string, map[string]int, *answerError) {
	fail := func(line int, fr, en string, args ...any) (map[string]string, map[string]int, *answerError) {
		return nil, nil, &answerError{Line: line, Why: check.T(fr, en, args...)}
	}
	if len(data) > maxAnswersBytes {
		return fail(0, "le fichier dépasse %d Kio", "the file is larger than %d KiB", maxAnswersBytes>>10)
	}
	if !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0 {
		return fail(0, "ce n'est pas un fichier texte UTF-8", "it is not a UTF-8 text file")
	}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return fail(0, "le fichier est vide : il doit contenir des lignes « qN: lettre »", "the file is empty: it must hold lines of \"qN: letter\"")
	} else if err != nil {
		p := compose.YAMLSyntax("answers.yaml", data, err)
		why := p.Text()
		return nil, nil, &answerError{Line: p.Line, Why: check.Lit("YAML invalide : "+why.FR, "invalid YAML: "+why.EN)}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return fail(extra.Line, "plusieurs documents YAML", "more than one YAML document")
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		line := doc.Line
		if len(doc.Content) == 1 {
			line = doc.Content[0].Line
		}
		return fail(line, "le fichier doit être une liste de lignes « qN: lettre »", "the file must be lines of \"qN: letter\"")
	}
	m := doc.Content[0]
	answers, lines := map[string]string{}, map[string]int{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return fail(k.Line, "clé inattendue", "unexpected key")
		}
		if first, dup := lines[k.Value]; dup {
			return fail(k.Line, "%s déjà donnée ligne %d", "%s already given on line %d", check.CutLine(k.Value, 30), first)
		}
		lines[k.Value] = k.Line
		if !questionRe.MatchString(k.Value) {
			continue // not a question: the student's own notes
		}
		if v.Kind != yaml.ScalarNode {
			return fail(k.Line, "la réponse à %s doit être une lettre, pas une liste ni un bloc", "the answer to %s must be a letter, not a list or a block", check.CutLine(k.Value, 30))
		}
		answers[k.Value] = strings.ToLower(strings.TrimSpace(v.Value))
	}
	return answers, lines, nil
}

// quizObs is answers.yaml as the grader found it.
type quizObs struct {
	Refused    *check.Text // why the submission copy refused it
	Missing    bool
	NotRegular bool
	Size       int64
	Data       []byte
}

func (s *state) checkQuiz(context.Context) (check.Outcome, error) {
	key, err := parseKey(s.run.Spec.Params["quiz-answers"])
	if err != nil {
		return check.Outcome{}, err
	}
	var o quizObs
	for _, p := range s.run.Refused {
		if p.Path == answersFile {
			o.Refused = &p.Message
		}
	}
	// The full copy when there is one: a .dockerignore must not hide the answers.
	dir := s.run.Files
	if dir == "" {
		dir = s.run.Dir
	}
	path := filepath.Join(dir, answersFile)
	st, err := os.Lstat(path)
	switch {
	case o.Refused != nil:
	case errors.Is(err, os.ErrNotExist):
		o.Missing = true
	case err != nil:
		return check.Outcome{}, err
	case !st.Mode().IsRegular():
		o.NotRegular = true
	case st.Size() > maxAnswersBytes:
		o.Size = st.Size()
	default:
		if o.Data, err = os.ReadFile(path); err != nil {
			return check.Outcome{}, err
		}
	}
	return judgeQuizFile(o, key, s.run.Spec.Params["quiz-salt"]), nil
}

// judgeQuizFile: answers.yaml is there, readable (parseAnswers), and right (judgeQuiz).
func judgeQuizFile(o quizObs, key map[string]string, salt string) check.Outcome {
	switch {
	case o.Refused != nil:
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: answersFile + " est refusé : " + o.Refused.FR, EN: answersFile + " is refused: " + o.Refused.EN}}
	case o.Missing:
		return check.Failf("%s est absent du dossier du lab.", "%s is missing from the lab folder.", answersFile)
	case o.NotRegular:
		return check.Failf("%s n'est pas un fichier ordinaire.", "%s is not a regular file.", answersFile)
	case o.Size > maxAnswersBytes:
		return check.Failf("%s est trop gros (%d octets).", "%s is too large (%d bytes).", answersFile, o.Size)
	}
	answers, lines, perr := parseAnswers(o.Data)
	if perr != nil {
		return check.Outcome{Status: check.Fail, Message: check.Text{
			FR: fmt.Sprintf("%s ne peut pas être lu : %s.", answersFile, perr.Why.FR),
			EN: fmt.Sprintf("%s cannot be read: %s.", answersFile, perr.Why.EN)}}.At(answersFile, perr.Line).Because("syntax")
	}
	return judgeQuiz(key, salt, answers, lines)
}

// judgeQuiz names the questions left unanswered and those answered wrong, never the right
// letters (it does not know them: key holds salted digests).
func judgeQuiz(key map[string]string, salt string, answers map[string]string, lines map[string]int) check.Outcome {
	qs := make([]string, 0, len(key))
	for q := range key {
		qs = append(qs, q)
	}
	sort.Slice(qs, func(i, j int) bool { return len(qs[i]) < len(qs[j]) || len(qs[i]) == len(qs[j]) && qs[i] < qs[j] })
	var blank, wrong []string
	firstLine := 0
	for _, q := range qs {
		a, ok := answers[q]
		switch {
		case !ok || !letterRe.MatchString(a):
			blank = append(blank, q)
		case quizkey.Digest(salt, q, a) != key[q]:
			wrong = append(wrong, q)
		default:
			continue
		}
		if firstLine == 0 {
			firstLine = lines[q]
		}
	}
	right := len(qs) - len(blank) - len(wrong)
	got := check.T("%d/%d justes", "%d/%d right", right, len(qs))
	want := check.T("%d/%d justes", "%d/%d right", len(qs), len(qs))
	if len(blank) == 0 && len(wrong) == 0 {
		return check.Passf("Les %d réponses sont justes.", "All %d answers are right.", len(qs))
	}
	fr, en := []string{}, []string{}
	if len(blank) > 0 {
		fr = append(fr, "sans réponse valide (une lettre a, b, c ou d) : "+strings.Join(blank, ", "))
		en = append(en, "without a valid answer (one letter a, b, c or d): "+strings.Join(blank, ", "))
	}
	if len(wrong) > 0 {
		fr = append(fr, "à revoir : "+strings.Join(wrong, ", "))
		en = append(en, "to revisit: "+strings.Join(wrong, ", "))
	}
	o := check.Outcome{Status: check.Fail, Message: check.Text{
		FR: fmt.Sprintf("%d/%d bonnes réponses ; %s.", right, len(qs), strings.Join(fr, " ; ")),
		EN: fmt.Sprintf("%d/%d right answers; %s.", right, len(qs), strings.Join(en, "; "))}}
	return o.WithT(want, got).At(answersFile, firstLine)
}
