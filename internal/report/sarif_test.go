package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestSARIFSchema validates every fixture's SARIF against the SARIF 2.1.0 schema subset in
// testdata, with formats asserted (uri, uri-reference), and checks what GitHub code
// scanning needs beyond the schema: a location on every result and a rule for its ruleId.
func TestSARIFSchema(t *testing.T) {
	abs, err := filepath.Abs("testdata/sarif-2.1.0-subset.schema.json")
	require.NoError(t, err)
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	sch, err := c.Compile(abs)
	require.NoError(t, err)

	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			var buf bytes.Buffer
			require.NoError(t, SARIF{}.Write(&buf, fx.report()))
			inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(buf.Bytes()))
			require.NoError(t, err)
			require.NoError(t, sch.Validate(inst))

			var log sarifLog
			require.NoError(t, json.Unmarshal(buf.Bytes(), &log))
			run := log.Runs[0]
			for _, res := range run.Results {
				require.Len(t, res.Locations, 1, "GitHub needs a location")
				assert.NotEmpty(t, res.Locations[0].PhysicalLocation.ArtifactLocation.URI)
				assert.Equal(t, res.RuleID, run.Tool.Driver.Rules[res.RuleIndex].ID)
				assert.NotEmpty(t, res.PartialFingerprints)
			}
		})
	}
}

// TestSARIFSchemaCatches makes sure the schema subset is not vacuous: it rejects a wrong
// version, an unknown level and a misspelt property.
func TestSARIFSchemaCatches(t *testing.T) {
	abs, err := filepath.Abs("testdata/sarif-2.1.0-subset.schema.json")
	require.NoError(t, err)
	sch, err := jsonschema.NewCompiler().Compile(abs)
	require.NoError(t, err)
	for name, doc := range map[string]string{
		"version": `{"version":"2.0.0","runs":[{"tool":{"driver":{"name":"grade"}}}]}`,
		"level":   `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"grade"}},"results":[{"message":{"text":"x"},"level":"fatal"}]}]}`,
		"typo":    `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"grade","semverVersion":"1"}}}]}`,
		"line":    `{"version":"2.1.0","runs":[{"tool":{"driver":{"name":"grade"}},"results":[{"message":{"text":"x"},"locations":[{"physicalLocation":{"artifactLocation":{"uri":"a"},"region":{"startLine":0}}}]}]}]}`,
	} {
		inst, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(doc)))
		require.NoError(t, err)
		assert.Error(t, sch.Validate(inst), name)
	}
}
