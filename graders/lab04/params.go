package lab04

import "time"

// The spec is checked for every parameter when it is loaded (Params); a value that does not
// parse is the instructor's error, reported as a grader error, not as the student's failure.

// param is a parameter as written, for the messages that show it.
func (s *state) param(key string) string { return s.run.Spec.Params[key] }

func (s *state) duration(key string) (time.Duration, error) { return s.kit.Duration(key) }

func (s *state) int64(key string) (int64, error) { return s.kit.Int64(key) }

func (s *state) int(key string) (int, error) { return s.kit.Int(key) }
