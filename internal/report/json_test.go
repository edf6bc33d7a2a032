package report

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestJSONRoundTrip(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			r := fx.report()
			var buf bytes.Buffer
			require.NoError(t, JSON{}.Write(&buf, r))
			require.True(t, json.Valid(buf.Bytes()))

			// Generic decoding: what any consumer sees.
			var generic map[string]any
			require.NoError(t, json.Unmarshal(buf.Bytes(), &generic))
			assert.Equal(t, float64(1), generic["schema_version"])
			assert.Equal(t, "grade", generic["tool"])
			_, hasEngine := generic["engine"]
			assert.Equal(t, r.Engine != nil, hasEngine, "engine is omitted when nil")
			_, hasBuild := generic["build"]
			assert.Equal(t, r.Build != nil, hasBuild, "build is omitted when nil")
			_, hasError := generic["error"]
			assert.Equal(t, r.Error != "", hasError, "error is omitted when empty")
			assert.IsType(t, []any{}, generic["tests"], "tests is an array, never null")

			// Typed decoding and re-encoding give the same bytes: nothing is lost.
			var doc jsonDocument
			dec := json.NewDecoder(bytes.NewReader(buf.Bytes()))
			dec.DisallowUnknownFields()
			require.NoError(t, dec.Decode(&doc))
			var again bytes.Buffer
			enc := json.NewEncoder(&again)
			enc.SetIndent("", "  ")
			enc.SetEscapeHTML(false)
			require.NoError(t, enc.Encode(doc))
			assert.Equal(t, buf.String(), again.String())

			started, err := time.Parse(time.RFC3339, doc.StartedAt)
			require.NoError(t, err)
			assert.True(t, started.Equal(startedAt))
			assert.Equal(t, "2025-03-01T10:00:00Z", doc.StartedAt, "started_at is in UTC")

			require.Len(t, doc.Tests, len(r.Results))
			c := r.Count()
			assert.Equal(t, jsonCounts{c.Total, c.Passed, c.Failed, c.Skipped, c.Errors}, doc.Counts)
			for i, res := range r.Results {
				assert.Equal(t, res.ID, doc.Tests[i].ID)
				assert.Equal(t, res.Status.String(), doc.Tests[i].Status)
			}
		})
	}
}

func TestJSONFields(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, JSON{}.Write(&buf, reportMixed()))
	var doc jsonDocument
	require.NoError(t, json.Unmarshal(buf.Bytes(), &doc))

	assert.Equal(t, 12.5, doc.DurationSeconds)
	assert.Equal(t, 2.5, doc.Score)
	require.NotNil(t, doc.Build)
	assert.Equal(t, 8.4, doc.Build.DurationSeconds)
	assert.NotContains(t, doc.Build.LogTail, "\x1b")
	assert.Contains(t, doc.Build.LogTail, "<script>", "strings are not HTML-escaped")
	assert.Contains(t, buf.String(), "apt-get update && apt-get install", "no \\u0026 in hints")

	build := doc.Tests[1]
	assert.Equal(t, "lab5.builds", build.ID)
	assert.Equal(t, "L'image se construit", build.Name)
	assert.Equal(t, "gate", build.Kind)
	assert.Equal(t, "fail", build.Status)
	assert.Equal(t, "Dockerfile", build.File, "file stays relative to the submission")
	assert.Equal(t, 3, build.Line)
	assert.Equal(t, 8.4, build.DurationSeconds)
	assert.Equal(t, 0.003, doc.Tests[0].DurationSeconds)

	var st jsonDocument
	buf.Reset()
	require.NoError(t, JSON{}.Write(&buf, reportStatic()))
	require.NoError(t, json.Unmarshal(buf.Bytes(), &st))
	assert.Equal(t, "fr", st.Lang, "an empty language is French")
	assert.True(t, st.Tests[2].Excluded)
	assert.Equal(t, "skip", st.Tests[2].Status)
}
