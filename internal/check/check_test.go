package check

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTail(t *testing.T) {
	assert.Equal(t, "b\nc", Tail("a\nb\nc\n", 2))
	assert.Equal(t, "a", Tail("a\n", 5))
}

func TestRemoteSkipKeepsPercent(t *testing.T) {
	o := RemoteSkip("tcp://h:2376", "100% distant.", "100% remote.")
	assert.Contains(t, o.Message.FR, "DOCKER_HOST=tcp://h:2376) : 100% distant.")
	assert.Contains(t, o.Message.EN, "100% remote.")
	assert.Equal(t, Skip, o.Status)
	assert.True(t, o.Excluded, "the environment's limit leaves the denominator")
}
