package compose

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestPlace: a policy refusal names the file and line of the key, so the student's editor
// opens it there.
func TestPlace(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"compose.yaml":          "services:\n  web:\n    image: ddlab/webapp:1\n  api:\n    image: ddlab/webapp:1\n    privileged: true\n",
		"compose.override.yaml": "services:\n  api:\n    volumes:\n      - ./x:/x\n      - /etc:/host-etc\n",
	})
	files := []string{"compose.yaml", "compose.override.yaml"}
	ps := Place(dir, files, []Problem{
		{Path: "services.api.privileged"},
		{Path: "services.api.volumes[1]"},
		{Path: "services.ghost.privileged"},
		{File: "other.yaml", Line: 3, Path: "services.api.privileged"},
	})
	assert.Equal(t, []Problem{
		{File: "compose.yaml", Line: 6, Column: 5, Path: "services.api.privileged"},
		{File: "compose.override.yaml", Line: 5, Column: 9, Path: "services.api.volumes[1]"},
		{Path: "services.ghost.privileged"},
		{File: "other.yaml", Line: 3, Path: "services.api.privileged"},
	}, ps)
}
