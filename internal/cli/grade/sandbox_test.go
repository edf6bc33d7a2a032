package grade

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestSandboxMode(t *testing.T) {
	tests := []struct {
		name, flag string
		env        map[string]string
		want       string
		err        bool
	}{
		{name: "a student's machine", want: "auto"},
		{name: "a CI runner", env: map[string]string{"CI": "true"}, want: "require"},
		{name: "the environment says", env: map[string]string{"GRADE_SANDBOX": "off", "CI": "true"}, want: "off"},
		{name: "the flag wins", flag: "require", env: map[string]string{"GRADE_SANDBOX": "off"}, want: "require"},
		{name: "a typo is an error, not a silent host run", env: map[string]string{"GRADE_SANDBOX": "of"}, err: true},
		{name: "a bad flag", flag: "none", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := sandboxMode(tt.flag, func(k string) string { return tt.env[k] })
			if tt.err {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}
