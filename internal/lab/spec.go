// Package lab loads lab specs: the points, kinds, titles, hints and timeouts of every check,
// kept out of Go code so instructors can reweigh a lab without a rebuild.
package lab

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ddlab/grade/internal/check"
)

// SchemaVersion is the only spec schema this grader reads.
const SchemaVersion = 1

// maxSpecBytes bounds a spec file: specs are small, and an instructor's typo must not hang us.
const maxSpecBytes = 1 << 20

// Kinds of checks.
const (
	Required = "required"
	Bonus    = "bonus"
	Gate     = "gate"
)

// Spec is one lab's spec (labs/labN.yaml).
type Spec struct {
	SchemaVersion int               `yaml:"schemaVersion"`
	Lab           string            `yaml:"lab"`
	Chapter       int               `yaml:"chapter"`
	Title         check.Text        `yaml:"title"`
	Summary       check.Text        `yaml:"summary"`
	Timeout       Duration          `yaml:"timeout"`
	BonusCap      float64           `yaml:"bonusCap"`
	Submission    []string          `yaml:"submission"`
	Params        map[string]string `yaml:"params"`
	// Shared lays folders of other labs' starters into this lab's starter, so the course's
	// common code (the lab app's labkit, the offline Go proxy) exists once in the source:
	// "api/internal/labkit": "lab5/_starter/internal/labkit".
	Shared map[string]string `yaml:"shared"`
	Checks []CheckSpec       `yaml:"checks"`
	// File is the name the spec was read from, for error messages.
	File string `yaml:"-"`
	// Digest is "sha256:…" of the spec file's bytes, so a report names the exact spec it was
	// graded with.
	Digest string `yaml:"-"`
}

// CheckSpec is what the spec says about one check.
type CheckSpec struct {
	ID     string     `yaml:"id"`
	Kind   string     `yaml:"kind"`
	Points float64    `yaml:"points"`
	Title  check.Text `yaml:"title"`
	Hint   check.Text `yaml:"hint"`
	// Hints replace Hint for a failure of a known cause (check.Outcome.Cause): a Dockerfile
	// that does not parse needs other advice than one that is missing.
	Hints map[string]check.Text `yaml:"hints"`
	// Section names the part of the chapter that teaches what the check asserts, for the
	// report's "to reread" line.
	Section check.Text `yaml:"section"`
	Timeout Duration   `yaml:"timeout"`
}

// HintFor is the hint for a failure of cause ("" or unknown: the check's own hint).
func (c *CheckSpec) HintFor(cause string) check.Text {
	if h, ok := c.Hints[cause]; ok {
		return h
	}
	return c.Hint
}

// Duration is a time.Duration written as a Go duration string ("30s", "5m").
type Duration time.Duration

// UnmarshalYAML reads a duration string; bare numbers are refused on purpose.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind != yaml.ScalarNode || n.Tag != "!!str" {
		return fmt.Errorf("line %d: duration must be a string like \"30s\"", n.Line)
	}
	v, err := time.ParseDuration(n.Value)
	if err != nil || v < 0 {
		return fmt.Errorf("line %d: invalid duration %q", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// Check returns the spec of check id, or nil.
func (s *Spec) Check(id string) *CheckSpec {
	for i := range s.Checks {
		if s.Checks[i].ID == id {
			return &s.Checks[i]
		}
	}
	return nil
}

// MaxScore is the sum of the required points.
func (s *Spec) MaxScore() float64 {
	var sum float64
	for _, c := range s.Checks {
		if c.Kind == Required {
			sum += c.Points
		}
	}
	return sum
}

// BonusPoints is the bonus a submission can earn, after the cap.
func (s *Spec) BonusPoints() float64 {
	var sum float64
	for _, c := range s.Checks {
		if c.Kind == Bonus {
			sum += c.Points
		}
	}
	return min(sum, s.BonusCap)
}

var (
	labIDRe   = regexp.MustCompile(`^lab([1-9]|1[0-4])$`)
	checkIDRe = regexp.MustCompile(`^lab([1-9]|1[0-4])\.[a-z0-9]+(-[a-z0-9]+)*$`)
)

// Parse reads and validates one spec strictly: unknown keys, a wrong schema version,
// duplicate IDs or points that do not add up are errors.
func Parse(name string, data []byte) (*Spec, error) {
	if len(data) > maxSpecBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxSpecBytes)
	}
	if err := checkShape(data); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	// Read the version first so an old or new spec gets a clear message, not a field error.
	var head struct {
		SchemaVersion int `yaml:"schemaVersion"`
	}
	if err := yaml.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if head.SchemaVersion != SchemaVersion {
		return nil, fmt.Errorf("%s: schemaVersion %d, want %d", name, head.SchemaVersion, SchemaVersion)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var s Spec
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := dec.Decode(new(any)); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: more than one YAML document", name)
	}
	if err := s.validate(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	s.File = name
	s.Digest = fmt.Sprintf("sha256:%x", sha256.Sum256(data))
	return &s, nil
}

// maxMappingKeys bounds the keys of one YAML mapping. The yaml library looks for duplicate
// keys in time and memory quadratic in a mapping's size (one error string per pair): a few
// thousand repeated keys would take minutes and gigabytes.
const maxMappingKeys = 1000

// checkShape parses every document of data without decoding it, and refuses mappings too
// large or with duplicate keys before the library's quadratic check sees them.
func checkShape(data []byte) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if err := checkNode(&doc); err != nil {
			return err
		}
	}
}

func checkNode(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		if len(n.Content)/2 > maxMappingKeys {
			return fmt.Errorf("line %d: more than %d keys in one mapping", n.Line, maxMappingKeys)
		}
		// The library's notion of a duplicate: same kind, same value.
		type key struct {
			kind  yaml.Kind
			value string
		}
		seen := make(map[key]int, len(n.Content)/2)
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i]
			if line, dup := seen[key{k.Kind, k.Value}]; dup {
				return fmt.Errorf("line %d: mapping key %q already defined at line %d", k.Line, k.Value, line)
			}
			seen[key{k.Kind, k.Value}] = k.Line
		}
	}
	for _, c := range n.Content {
		if err := checkNode(c); err != nil {
			return err
		}
	}
	return nil
}

func (s *Spec) validate() error {
	var errs []error
	if !labIDRe.MatchString(s.Lab) {
		errs = append(errs, fmt.Errorf("lab %q is not lab1…lab14", s.Lab))
	}
	if s.Title.FR == "" || s.Title.EN == "" {
		errs = append(errs, errors.New("title needs fr and en"))
	}
	if s.Timeout <= 0 {
		errs = append(errs, errors.New("timeout is required"))
	}
	if !(s.BonusCap >= 0) || math.IsInf(s.BonusCap, 1) { // also NaN and .inf
		errs = append(errs, errors.New("bonusCap must be a number >= 0"))
	}
	seen := map[string]bool{}
	for i, c := range s.Checks {
		where := fmt.Sprintf("checks[%d] %s", i, c.ID)
		switch {
		case !checkIDRe.MatchString(c.ID):
			errs = append(errs, fmt.Errorf("%s: id must look like %s.kebab-case", where, s.Lab))
		case !strings.HasPrefix(c.ID, s.Lab+"."):
			errs = append(errs, fmt.Errorf("%s: id must start with %s.", where, s.Lab))
		case seen[c.ID]:
			errs = append(errs, fmt.Errorf("%s: duplicate id", where))
		}
		seen[c.ID] = true
		switch c.Kind {
		case Required, Bonus:
			if !(c.Points > 0) || math.IsInf(c.Points, 1) { // also NaN and .inf
				errs = append(errs, fmt.Errorf("%s: points must be > 0", where))
			}
		case Gate:
			if c.Points != 0 {
				errs = append(errs, fmt.Errorf("%s: a gate scores 0 points", where))
			}
		default:
			errs = append(errs, fmt.Errorf("%s: kind must be required, bonus or gate", where))
		}
		if c.Title.FR == "" || c.Title.EN == "" || c.Hint.FR == "" || c.Hint.EN == "" {
			errs = append(errs, fmt.Errorf("%s: title and hint need fr and en", where))
		}
		if (c.Section.FR == "") != (c.Section.EN == "") {
			errs = append(errs, fmt.Errorf("%s: section needs fr and en", where))
		}
		for cause, h := range c.Hints {
			if cause == "" || h.FR == "" || h.EN == "" {
				errs = append(errs, fmt.Errorf("%s: hints.%s needs fr and en", where, cause))
			}
		}
	}
	if len(s.Checks) > 0 && s.MaxScore() != 100 {
		errs = append(errs, fmt.Errorf("required points add up to %g, want 100", s.MaxScore()))
	}
	return errors.Join(errs...)
}

// Param returns the parameter key, or an error naming the spec when it is missing.
func (s *Spec) Param(key string) (string, error) {
	v, ok := s.Params[key]
	if !ok {
		return "", fmt.Errorf("%s: params.%s is missing", s.Lab, key)
	}
	return v, nil
}
