package grader

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/lab"
)

// metaGrader is a grader that declares m.
type metaGrader struct {
	fakeGrader
	m Meta
}

func (g metaGrader) Meta() Meta { return g.m }

func TestCheckParams(t *testing.T) {
	m := Meta{Kind: Scripts, Params: []Param{
		PortParam("port"), DurationParam("wait"), SizeParam("max"), ListParam("tags"), StringParam("greeting"),
		IntParam("scale", 2, 5).WhenOmitted("3"),
	}}
	good := map[string]string{"port": "8080", "wait": "2s", "max": "25MB", "tags": "1.0 latest", "greeting": "Bonjour"}
	tests := []struct {
		name   string
		change map[string]string // "" deletes the key
		want   []string          // substrings of the error; none when valid
	}{
		{"valid", nil, nil},
		{"a default fills an omitted param", map[string]string{"scale": ""}, nil},
		{"script-timeout is common to script labs", map[string]string{"script-timeout": "4s"}, nil},
		{"snapshot limits are common to all labs", map[string]string{"context-max": "1MB", "context-files": "10"}, nil},
		{"missing required", map[string]string{"port": ""}, []string{"lab9.yaml : params.port manque : lab9 le lit (obligatoire)"}},
		{"not a number", map[string]string{"port": "http"}, []string{"params.port : « http » n'est pas un nombre entier"}},
		{"out of range", map[string]string{"port": "70000"}, []string{"params.port : 70000 n'est pas entre 1 et 65535"}},
		{"below range", map[string]string{"scale": "1"}, []string{"params.scale : 1 n'est pas entre 2 et 5"}},
		{"bare number as duration", map[string]string{"wait": "30"}, []string{"params.wait : « 30 » n'est pas une durée"}},
		{"negative duration", map[string]string{"wait": "-1s"}, []string{"la durée -1s doit être positive"}},
		{"not a size", map[string]string{"max": "big"}, []string{"params.max : « big » n'est pas une taille"}},
		{"empty list", map[string]string{"tags": "  "}, []string{"params.tags : la liste est vide"}},
		{"empty string", map[string]string{"greeting": " "}, []string{"params.greeting : la valeur est vide"}},
		{"common param checked too", map[string]string{"script-timeout": "soon"}, []string{"params.script-timeout : « soon »"}},
		{"unknown key", map[string]string{"prot": "8080"}, []string{"params.prot : paramètre inconnu de lab9"}},
		{"every problem at once", map[string]string{"port": "", "wait": "x", "typo": "1"},
			[]string{"params.port manque", "params.wait :", "params.typo : paramètre inconnu"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			params := map[string]string{}
			for k, v := range good {
				params[k] = v
			}
			for k, v := range tt.change {
				if v == "" {
					delete(params, k)
				} else {
					params[k] = v
				}
			}
			spec := &lab.Spec{Lab: "lab9", File: "lab9.yaml", Params: params}
			err := CheckParams(spec, m)
			if len(tt.want) == 0 {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestWithDefaults(t *testing.T) {
	m := Meta{Kind: Scripts, Params: []Param{IntParam("scale", 2, 5).WhenOmitted("3"), PortParam("port")}}
	spec := &lab.Spec{Lab: "lab9", Params: map[string]string{"port": "8080"}}
	got := WithDefaults(spec, m)
	assert.Equal(t, map[string]string{"port": "8080", "scale": "3", "script-timeout": "120s"}, got.Params)
	assert.Equal(t, map[string]string{"port": "8080"}, spec.Params, "the spec given is not changed")

	full := &lab.Spec{Lab: "lab9", Params: map[string]string{"port": "1", "scale": "4", "script-timeout": "5s"}}
	assert.Same(t, full, WithDefaults(full, m), "nothing to fill: the same spec")
}

func TestMetaValidate(t *testing.T) {
	tests := []struct {
		name string
		m    Meta
		want string
	}{
		{"valid", Meta{Kind: Compose, Exclusive: true, Fuzz: []string{"FuzzX", "internal/compose.FuzzLoadProject"}}, ""},
		{"kind unset", Meta{}, "Meta.Kind is not set"},
		{"contract without exclusive", Meta{Kind: Scripts, Contract: Contract{Containers: []string{"lab9-web"}}}, "a Contract needs Exclusive"},
		{"param twice", Meta{Kind: Static, Params: []Param{PortParam("port"), StringParam("port")}}, "param port declared twice"},
		{"bad default", Meta{Kind: Static, Params: []Param{PortParam("port").WhenOmitted("http")}}, "default of param port"},
		{"fuzz name", Meta{Kind: Static, Fuzz: []string{"ParseX"}}, `fuzz target "ParseX"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewRegistry(metaGrader{fakeGrader{lab: "lab9"}, tt.m})
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
}

func TestMetaNeedsFiles(t *testing.T) {
	for k, want := range map[Kind]bool{Dockerfile: false, Scripts: true, Compose: true, Swarm: true, Static: false} {
		assert.Equal(t, want, Meta{Kind: k}.NeedsFiles(), k.String())
	}
}

func TestCrossCheckParams(t *testing.T) {
	g := metaGrader{fakeGrader{lab: "lab9", ids: []string{"lab9.a"}}, Meta{Kind: Static, Params: []Param{PortParam("port"), StringParam("version")}}}
	spec := &lab.Spec{Lab: "lab9", Checks: []lab.CheckSpec{{ID: "lab9.a"}}, Params: map[string]string{"port": "8080"}}
	err := CrossCheck(spec, g)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "params.version")
	spec.Params["version"] = "1.2.3"
	assert.NoError(t, CrossCheck(spec, g))
}
