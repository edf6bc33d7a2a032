package grader

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ddlab/grade/internal/lab"
)

func TestValues(t *testing.T) {
	spec := &lab.Spec{Lab: "labX", Params: map[string]string{
		"wait": "60s", "n": " 3 ", "zero": "0", "name": "web", "bad": "soon", "neg": "-1", "none": "0s", "max": "25MB",
	}}
	v := ReadValues(spec)
	assert.Equal(t, time.Minute, v.Duration("wait"))
	assert.Equal(t, 3, v.Int("n"))
	assert.Equal(t, int64(0), v.Int64("zero"))
	assert.Equal(t, "web", v.String("name"))
	assert.Equal(t, int64(25_000_000), v.Size("max"))
	assert.NoError(t, v.Err)

	tests := []struct {
		name string
		read func(*Values)
		err  string
	}{
		{"missing", func(v *Values) { v.Int("absent") }, "labX: params.absent is missing"},
		{"not a duration", func(v *Values) { v.Duration("bad") }, `params.bad: "soon" is not a positive duration`},
		{"zero duration", func(v *Values) { v.Duration("none") }, `params.none: "0s" is not a positive duration`},
		{"negative", func(v *Values) { v.Int64("neg") }, `params.neg: "-1" is not a non-negative integer`},
		{"not a size", func(v *Values) { v.Size("name") }, `params.name: "web" is not a positive size`},
		{"not a number", func(v *Values) { v.Int("wait") }, `params.wait: "60s" is not a non-negative integer`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := ReadValues(spec)
			tt.read(v)
			v.Duration("bad") // a later error never replaces the first
			assert.EqualError(t, v.Err, tt.err)
		})
	}
}
