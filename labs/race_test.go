//go:build race

package labs_test

// raceFlags makes the test's own build of `grade` reuse the race-instrumented packages that
// `go test -race` has just compiled, instead of compiling everything a second time.
var raceFlags = []string{"-race"}
