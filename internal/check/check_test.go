package check

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTail(t *testing.T) {
	assert.Equal(t, "b\nc", Tail("a\nb\nc\n", 2))
	assert.Equal(t, "a", Tail("a\n", 5))
}
