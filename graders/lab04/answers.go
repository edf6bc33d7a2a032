package lab04

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/compose"
)

// maxAnswerBytes bounds diagnostic.yaml: three short answers fit in far less.
const maxAnswerBytes = 64 << 10

// The three keys of diagnostic.yaml, in the order the starter lists them.
const (
	keyExitCode = "code_sortie"
	keyVariable = "variable_manquante"
	keyState    = "etat"
)

var answerKeys = []string{keyExitCode, keyVariable, keyState}

// answers are diagnostic.yaml's answers and the line each is on.
type answers struct {
	ExitCode int
	Variable string
	State    string
	Line     map[string]int
}

// answerError is what is wrong with diagnostic.yaml, at a line when there is one, in French
// and English.
type answerError struct {
	Line   int
	FR, EN string
}

func (e *answerError) Error() string { return e.EN }

func answerErr(line int, fr, en string, args ...any) *answerError {
	return &answerError{Line: line, FR: fmt.Sprintf(fr, args...), EN: fmt.Sprintf(en, args...)}
}

// parseAnswers reads diagnostic.yaml strictly: one YAML mapping holding exactly the three
// keys, each with a plain value; anything else is an answerError naming the line.
func parseAnswers(data []byte) (answers, *answerError) {
	switch {
	case len(data) > maxAnswerBytes:
		return answers{}, answerErr(0, "le fichier fait %d octets : ce n'est pas un diagnostic de trois lignes.",
			"the file is %d bytes long: that is not a three-line diagnosis.", len(data))
	case !utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0:
		return answers{}, answerErr(0, "ce n'est pas un fichier texte (UTF-8).", "it is not a (UTF-8) text file.")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
		return answers{}, answerErr(0, "le fichier est vide.", "the file is empty.")
	} else if err != nil {
		return answers{}, yamlError(data, err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		line := next.Line
		if err != nil {
			return answers{}, yamlError(data, err)
		}
		return answers{}, answerErr(line, "un seul document YAML est attendu (retirez `---`).",
			"a single YAML document is expected (remove `---`).")
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return answers{}, answerErr(root.Line, "le fichier doit contenir des lignes « clé: valeur » (%s).",
			"the file must hold `key: value` lines (%s).", strings.Join(answerKeys, ", "))
	}
	a := answers{Line: map[string]int{}}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			return answers{}, answerErr(k.Line, "une clé doit être un simple nom (%s).", "a key must be a plain name (%s).",
				strings.Join(answerKeys, ", "))
		}
		if !isAnswerKey(k.Value) {
			return answers{}, answerErr(k.Line, "clé inconnue « %s » (attendues : %s).", "unknown key %q (expected: %s).",
				check.Cut(k.Value, 40), strings.Join(answerKeys, ", "))
		}
		if _, dup := a.Line[k.Value]; dup {
			return answers{}, answerErr(k.Line, "la clé %s apparaît deux fois.", "key %s appears twice.", k.Value)
		}
		a.Line[k.Value] = k.Line
		if v.Kind != yaml.ScalarNode {
			return answers{}, answerErr(v.Line, "%s doit avoir une valeur simple, pas une liste ni un bloc.",
				"%s must have a plain value, not a list or a block.", k.Value)
		}
		val := strings.TrimSpace(v.Value)
		if v.Tag == "!!null" || val == "" {
			return answers{}, answerErr(k.Line, "%s est vide : complétez-la.", "%s is empty: fill it in.", k.Value)
		}
		switch k.Value {
		case keyExitCode:
			n, err := strconv.Atoi(val)
			if err != nil || (v.Tag != "!!int" && v.Tag != "!!str") {
				return answers{}, answerErr(v.Line, "%s doit être un nombre entier, pas « %s ».", "%s must be an integer, not %q.",
					keyExitCode, check.Cut(val, 40))
			}
			a.ExitCode = n
		case keyVariable:
			a.Variable = val
		case keyState:
			a.State = val
		}
	}
	var missing []string
	for _, k := range answerKeys {
		if _, ok := a.Line[k]; !ok {
			missing = append(missing, k)
		}
	}
	switch {
	case len(missing) == 1:
		return answers{}, answerErr(0, "clé absente : %s.", "missing key: %s.", missing[0])
	case len(missing) > 1:
		return answers{}, answerErr(0, "clés absentes : %s.", "missing keys: %s.", strings.Join(missing, ", "))
	}
	return a, nil
}

func isAnswerKey(k string) bool {
	for _, want := range answerKeys {
		if k == want {
			return true
		}
	}
	return false
}

// yamlError turns the library's message ("yaml: line 3: mapping values are not allowed in
// this context") into what to fix, at the faulty line.
func yamlError(data []byte, err error) *answerError {
	p := compose.YAMLSyntax(answerFile, data, err)
	why := p.Text()
	return &answerError{Line: p.Line, FR: "YAML invalide : " + why.FR + ".", EN: "invalid YAML: " + why.EN + "."}
}
