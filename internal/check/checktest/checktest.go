// Package checktest holds the assertions the judges' table tests share.
package checktest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ddlab/grade/internal/check"
)

// Verdict asserts an outcome's status and that its French message holds msg.
func Verdict(t testing.TB, o check.Outcome, want check.Status, msg string) {
	t.Helper()
	assert.Equal(t, want, o.Status, o.Message.FR)
	assert.Contains(t, o.Message.FR, msg)
}

// Staged asserts a staged judge's result: undecided, or decided with status and message.
func Staged(t testing.TB, o check.Outcome, done, wantDone bool, want check.Status, msg string) {
	t.Helper()
	if !wantDone {
		assert.False(t, done, "the observation so far must not decide: %s", o.Message.FR)
		return
	}
	assert.True(t, done, "the observation must decide")
	Verdict(t, o, want, msg)
}
