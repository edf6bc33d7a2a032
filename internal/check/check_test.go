package check

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"  one line  ", 20, "one line"},
		{"first\nsecond", 20, "first"},
		{"ééééé", 3, "ééé…"},
		{"", 5, ""},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Clip(tt.in, tt.n), tt.in)
	}
}

func TestTail(t *testing.T) {
	assert.Equal(t, "b\nc", Tail("a\nb\nc\n", 2))
	assert.Equal(t, "a", Tail("a\n", 5))
}
