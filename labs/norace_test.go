//go:build !race

package labs_test

var raceFlags []string
