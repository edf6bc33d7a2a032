package grader

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/docker/go-units"

	"github.com/ddlab/grade/internal/lab"
)

// Values reads a spec's params as the types a grader declared. CrossCheck has checked them
// before any run; the reader still refuses a missing or malformed value, keeping the first
// as Err, so a check never runs on a zero nobody meant. Ranges are the declaration's
// business, not the reader's.
type Values struct {
	spec *lab.Spec
	Err  error
}

// ReadValues starts reading spec's params.
func ReadValues(spec *lab.Spec) *Values { return &Values{spec: spec} }

func (v *Values) raw(key string) (string, bool) {
	s, err := v.spec.Param(key)
	if err != nil {
		v.fail(err)
		return "", false
	}
	return strings.TrimSpace(s), true
}

func (v *Values) fail(err error) {
	if v.Err == nil {
		v.Err = err
	}
}

// String reads a text param.
func (v *Values) String(key string) string {
	s, _ := v.raw(key)
	return s
}

// Duration reads a positive Go duration ("60s").
func (v *Values) Duration(key string) time.Duration {
	s, ok := v.raw(key)
	if !ok {
		return 0
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		v.fail(fmt.Errorf("params.%s: %q is not a positive duration", key, s))
		return 0
	}
	return d
}

// Int64 reads a non-negative whole number (a size in bytes, CPUs in billionths).
func (v *Values) Int64(key string) int64 {
	s, ok := v.raw(key)
	if !ok {
		return 0
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		v.fail(fmt.Errorf("params.%s: %q is not a non-negative integer", key, s))
		return 0
	}
	return n
}

// Int reads a non-negative whole number.
func (v *Values) Int(key string) int { return int(v.Int64(key)) }

// Size reads a positive size in bytes, with decimal units ("25MB" is 25,000,000), as
// CheckParams does.
func (v *Values) Size(key string) int64 {
	s, ok := v.raw(key)
	if !ok {
		return 0
	}
	n, err := units.FromHumanSize(s)
	if err != nil || n <= 0 {
		v.fail(fmt.Errorf("params.%s: %q is not a positive size", key, s))
		return 0
	}
	return n
}
