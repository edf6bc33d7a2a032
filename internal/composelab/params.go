package composelab

import (
	"fmt"
	"strconv"
	"time"
)

// Params reads a lab spec's parameters and keeps the first malformed one as Err: a spec
// missing a value is the instructor's error, reported once.
type Params struct {
	Values map[string]string
	Err    error
}

// Duration reads a positive Go duration ("60s").
func (p *Params) Duration(key string) time.Duration {
	d, err := time.ParseDuration(p.Values[key])
	if (err != nil || d <= 0) && p.Err == nil {
		p.Err = fmt.Errorf("params.%s: %q is not a duration", key, p.Values[key])
	}
	return d
}

// Int reads a positive number.
func (p *Params) Int(key string) int {
	n, err := strconv.Atoi(p.Values[key])
	if (err != nil || n <= 0) && p.Err == nil {
		p.Err = fmt.Errorf("params.%s: %q is not a positive number", key, p.Values[key])
	}
	return n
}
