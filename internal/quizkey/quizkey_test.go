package quizkey

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDigest(t *testing.T) {
	d := Digest("salt", "q1", "b")
	assert.True(t, Valid(d))
	assert.Len(t, d, Size)
	assert.Equal(t, d, Digest("salt", "q1", "b"), "stable")
	assert.NotEqual(t, d, Digest("salt", "q1", "c"), "the letter counts")
	assert.NotEqual(t, d, Digest("salt", "q2", "b"), "the question counts: equal letters do not show")
	assert.NotEqual(t, d, Digest("other", "q1", "b"), "the salt counts")
	assert.NotEqual(t, Digest("a", "b\x00c", "d"), Digest("a\x00b", "c", "d"), "fields cannot slide")
	for _, bad := range []string{"", "b", d + "0", d[:31], "8A40F24E9205A415572E047DA629FB29"} {
		assert.False(t, Valid(bad), bad)
	}
	// The value labs/lab1.yaml depends on.
	assert.Equal(t, "d36b02b559d209f65eac05d0328f3778", Digest("ddlab-lab1-7f3c91e2", "q1", "b"))
}
