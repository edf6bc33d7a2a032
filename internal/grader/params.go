package grader

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/lab"
)

// ParamType is the type of a spec parameter's value. Values are strings in the YAML; the
// type says how the checks read them.
type ParamType int

// Param types. The zero value is invalid on purpose.
const (
	String   ParamType = iota + 1 // any non-empty text
	Int                           // a whole number, within [Min, Max]
	Duration                      // a Go duration, "30s", > 0
	Size                          // a size, "25MB", > 0
	List                          // words separated by spaces, at least one
)

// Param declares one spec parameter a grader reads.
type Param struct {
	Key      string
	Type     ParamType
	Min, Max int64 // Int only, inclusive
	// Default is used when the spec leaves the key out; Optional says it may (a required
	// param has no default).
	Default  string
	Optional bool
}

// StringParam declares a required text parameter.
func StringParam(key string) Param { return Param{Key: key, Type: String} }

// IntParam declares a required whole-number parameter in [min, max].
func IntParam(key string, min, max int64) Param {
	return Param{Key: key, Type: Int, Min: min, Max: max}
}

// PortParam declares a required TCP port parameter.
func PortParam(key string) Param { return IntParam(key, 1, 65535) }

// DurationParam declares a required duration parameter.
func DurationParam(key string) Param { return Param{Key: key, Type: Duration} }

// SizeParam declares a required size parameter.
func SizeParam(key string) Param { return Param{Key: key, Type: Size} }

// ListParam declares a required list parameter.
func ListParam(key string) Param { return Param{Key: key, Type: List} }

// WhenOmitted returns p made optional, with def as its value when the spec leaves it out (""
// for none: the reader then applies its own rule).
func (p Param) WhenOmitted(def string) Param {
	p.Optional, p.Default = true, def
	return p
}

// check tells why v is not a value of p, in French and English.
func (p Param) check(v string) *check.Text {
	bad := func(fr, en string, args ...any) *check.Text {
		t := check.T(fr, en, args...)
		return &t
	}
	switch p.Type {
	case String:
		if strings.TrimSpace(v) == "" {
			return bad("la valeur est vide", "the value is empty")
		}
	case List:
		if len(strings.Fields(v)) == 0 {
			return bad("la liste est vide (des mots séparés par des espaces sont attendus)", "the list is empty (words separated by spaces expected)")
		}
	case Int:
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil {
			return bad("« %s » n'est pas un nombre entier", "%q is not a whole number", v)
		}
		if n < p.Min || n > p.Max {
			return bad("%d n'est pas entre %d et %d", "%d is not between %d and %d", n, p.Min, p.Max)
		}
	case Duration:
		d, err := time.ParseDuration(strings.TrimSpace(v))
		if err != nil {
			return bad("« %s » n'est pas une durée (exemples : 30s, 2m)", "%q is not a duration (e.g. 30s, 2m)", v)
		}
		if d <= 0 {
			return bad("la durée %s doit être positive", "the duration %s must be positive", d)
		}
	case Size:
		n, err := units.FromHumanSize(strings.TrimSpace(v))
		if err != nil {
			return bad("« %s » n'est pas une taille (exemples : 25MB, 512KB)", "%q is not a size (e.g. 25MB, 512KB)", v)
		}
		if n <= 0 {
			return bad("la taille %s doit être positive", "the size %s must be positive", v)
		}
	default:
		return bad("type de paramètre inconnu", "unknown param type")
	}
	return nil
}

// CheckParams checks spec's params against those its grader declares: a required one
// missing, one the grader does not read (a typo), or a value of the wrong type or out of
// range is an error, in French then English, naming the spec's file and the key.
func CheckParams(spec *lab.Spec, m Meta) error {
	file := spec.File
	if file == "" {
		file = spec.Lab + ".yaml"
	}
	declared := map[string]bool{}
	var errs []error
	for _, p := range m.AllParams() {
		declared[p.Key] = true
		v, ok := spec.Params[p.Key]
		if !ok {
			if !p.Optional {
				errs = append(errs, fmt.Errorf("%s : params.%s manque : %s le lit (obligatoire) / params.%s is missing: %s reads it",
					file, p.Key, spec.Lab, p.Key, spec.Lab))
			}
			continue
		}
		if why := p.check(v); why != nil {
			errs = append(errs, fmt.Errorf("%s : params.%s : %s / params.%s: %s", file, p.Key, why.FR, p.Key, why.EN))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(spec.Params)) {
		if !declared[k] {
			errs = append(errs, fmt.Errorf("%s : params.%s : paramètre inconnu de %s (faute de frappe ?) / params.%s: %s does not read it",
				file, k, spec.Lab, k, spec.Lab))
		}
	}
	return errors.Join(errs...)
}

// WithDefaults returns spec with the defaults of the params it leaves out filled in; spec
// itself is not changed.
func WithDefaults(spec *lab.Spec, m Meta) *lab.Spec {
	var missing []Param
	for _, p := range m.AllParams() {
		if _, ok := spec.Params[p.Key]; !ok && p.Default != "" {
			missing = append(missing, p)
		}
	}
	if len(missing) == 0 {
		return spec
	}
	s := *spec
	s.Params = maps.Clone(spec.Params)
	if s.Params == nil {
		s.Params = map[string]string{}
	}
	for _, p := range missing {
		s.Params[p.Key] = p.Default
	}
	return &s
}
