package lab04

import (
	"fmt"
	"strconv"
	"time"
)

// The spec is checked for every parameter when it is loaded (Params); a value that does not
// parse is the instructor's error, reported as a grader error, not as the student's failure.

func (s *state) param(key string) string { return s.run.Spec.Params[key] }

func (s *state) duration(key string) (time.Duration, error) {
	d, err := time.ParseDuration(s.param(key))
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("params.%s: %q is not a positive duration", key, s.param(key))
	}
	return d, nil
}

func (s *state) int64(key string) (int64, error) {
	n, err := strconv.ParseInt(s.param(key), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("params.%s: %q is not a non-negative integer", key, s.param(key))
	}
	return n, nil
}

func (s *state) int(key string) (int, error) {
	n, err := s.int64(key)
	return int(n), err
}
