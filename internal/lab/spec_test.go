package lab

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// validSpec is the smallest spec Parse accepts with every kind of check.
const validSpec = `schemaVersion: 1
lab: lab3
chapter: 3
title: {fr: "Images et couches", en: "Images and layers"}
summary: {fr: "Résumé", en: "Summary"}
timeout: 5m
bonusCap: 5
submission: [Dockerfile]
params:
  port: "8080"
checks:
  - id: lab3.files
    kind: gate
    points: 0
    title: {fr: "Fichiers", en: "Files"}
    hint: {fr: "Indice fichiers", en: "Files hint"}
  - id: lab3.first-step
    kind: required
    points: 60
    timeout: 30s
    title: {fr: "Premier", en: "First"}
    hint: {fr: "Indice 1", en: "Hint 1"}
  - id: lab3.second
    kind: required
    points: 40
    title: {fr: "Second", en: "Second"}
    hint: {fr: "Indice 2", en: "Hint 2"}
  - id: lab3.extra
    kind: bonus
    points: 10
    title: {fr: "Bonus", en: "Bonus"}
    hint: {fr: "Indice bonus", en: "Bonus hint"}
`

// edit returns validSpec with old replaced by new, failing if old is not there.
func edit(t *testing.T, old, new string) string {
	t.Helper()
	require.Contains(t, validSpec, old, "the test edits a fragment the spec lacks")
	return strings.Replace(validSpec, old, new, 1)
}

func TestParseValid(t *testing.T) {
	s, err := Parse("lab3.yaml", []byte(validSpec))
	require.NoError(t, err)
	assert.Equal(t, SchemaVersion, s.SchemaVersion)
	assert.Equal(t, "lab3", s.Lab)
	assert.Equal(t, 3, s.Chapter)
	assert.Equal(t, "Images and layers", s.Title.EN)
	assert.Equal(t, Duration(5*time.Minute), s.Timeout)
	assert.Equal(t, []string{"Dockerfile"}, s.Submission)
	require.Len(t, s.Checks, 4)
	assert.Equal(t, Duration(30*time.Second), s.Check("lab3.first-step").Timeout)
	assert.Zero(t, s.Check("lab3.second").Timeout)
	assert.Nil(t, s.Check("lab3.missing"))
	assert.Equal(t, Gate, s.Check("lab3.files").Kind)
	assert.InDelta(t, 100, s.MaxScore(), 0)
	assert.InDelta(t, 5, s.BonusPoints(), 0, "bonus capped")

	v, err := s.Param("port")
	require.NoError(t, err)
	assert.Equal(t, "8080", v)
	_, err = s.Param("nope")
	require.ErrorContains(t, err, "params.nope is missing")
	require.ErrorContains(t, err, "lab3")
}

func TestParseValidVariants(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"no checks at all", "schemaVersion: 1\nlab: lab14\ntitle: {fr: a, en: b}\ntimeout: 1h30m\n"},
		{"quoted duration", edit(t, "timeout: 5m", `timeout: "5m"`)},
		{"explicit string tag", edit(t, "timeout: 5m", `timeout: !!str 5m`)},
		{"comments and document marker", "# spec\n---\n" + validSpec + "# end\n"},
		{"explicit end of document", validSpec + "...\n"},
		{"zero bonusCap", edit(t, "bonusCap: 5", "bonusCap: 0")},
		{"fractional points", edit(t, "points: 60\n", "points: 59.5\n") + "  - {id: lab3.half, kind: required, points: 0.5, title: {fr: a, en: b}, hint: {fr: c, en: d}}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.in))
			assert.NoError(t, err)
		})
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // substrings of the error
	}{
		{"wrong schemaVersion", edit(t, "schemaVersion: 1", "schemaVersion: 2"), []string{"x.yaml: schemaVersion 2, want 1"}},
		{"missing schemaVersion", strings.Replace(validSpec, "schemaVersion: 1\n", "", 1), []string{"schemaVersion 0, want 1"}},
		{"schemaVersion first even with unknown keys", "schemaVersion: 3\nfuture: [a]\n", []string{"schemaVersion 3, want 1"}},
		{"schemaVersion not a number", edit(t, "schemaVersion: 1", "schemaVersion: one"), []string{"x.yaml", "cannot unmarshal"}},
		{"unknown top-level key", validSpec + "extra: 1\n", []string{"field extra not found"}},
		{"unknown key in a check", edit(t, "    kind: gate\n", "    kind: gate\n    weight: 2\n"), []string{"field weight not found"}},
		{"unknown key in a title", edit(t, `title: {fr: "Images et couches", en: "Images and layers"}`, `title: {fr: a, en: b, de: c}`), []string{"field de not found"}},
		{"misspelt key", edit(t, "bonusCap: 5", "bonuscap: 5"), []string{"field bonuscap not found"}},
		{"duplicate key", edit(t, "chapter: 3\n", "chapter: 3\nchapter: 4\n"), []string{`mapping key "chapter" already defined`}},
		{"duplicate param", edit(t, "  port: \"8080\"\n", "  port: \"8080\"\n  port: \"9090\"\n"), []string{`mapping key "port" already defined`}},
		{"duplicate id", edit(t, "id: lab3.second", "id: lab3.first-step"), []string{"checks[2] lab3.first-step: duplicate id"}},
		{"id of another lab", edit(t, "id: lab3.second", "id: lab4.second"), []string{"checks[2] lab4.second: id must start with lab3."}},
		{"id not kebab-case", edit(t, "id: lab3.second", "id: lab3.Second_one"), []string{"id must look like lab3.kebab-case"}},
		{"id without lab", edit(t, "id: lab3.second", "id: second"), []string{"id must look like"}},
		{"lab out of range", edit(t, "lab: lab3", "lab: lab15"), []string{`lab "lab15" is not lab1…lab14`}},
		{"lab with zero", edit(t, "lab: lab3", "lab: lab03"), []string{`lab "lab03"`}},
		{"kind invalid", edit(t, "kind: bonus", "kind: optional"), []string{"checks[3] lab3.extra: kind must be required, bonus or gate"}},
		{"kind missing", edit(t, "    kind: bonus\n", ""), []string{"kind must be required, bonus or gate"}},
		{"gate with points", edit(t, "kind: gate\n    points: 0", "kind: gate\n    points: 5"), []string{"checks[0] lab3.files: a gate scores 0 points"}},
		{"required with no points", edit(t, "points: 40", "points: 0"), []string{"points must be > 0"}},
		{"bonus with negative points", edit(t, "points: 10", "points: -10"), []string{"lab3.extra: points must be > 0"}},
		{"bonus with NaN points", edit(t, "points: 10", "points: .nan"), []string{"lab3.extra: points must be > 0"}},
		{"bonus with infinite points", edit(t, "points: 10", "points: .inf"), []string{"lab3.extra: points must be > 0"}},
		{"negative bonusCap", edit(t, "bonusCap: 5", "bonusCap: -5"), []string{"bonusCap must be a number >= 0"}},
		{"NaN bonusCap", edit(t, "bonusCap: 5", "bonusCap: .NaN"), []string{"bonusCap must be a number >= 0"}},
		{"required points not adding to 100", edit(t, "points: 40", "points: 30"), []string{"required points add up to 90, want 100"}},
		{"required points over 100", edit(t, "points: 40", "points: 41"), []string{"add up to 101, want 100"}},
		{"missing title fr", edit(t, `title: {fr: "Premier", en: "First"}`, `title: {en: "First"}`), []string{"checks[1] lab3.first-step: title and hint need fr and en"}},
		{"missing title en", edit(t, `title: {fr: "Second", en: "Second"}`, `title: {fr: "Second"}`), []string{"lab3.second: title and hint need fr and en"}},
		{"missing hint fr", edit(t, `hint: {fr: "Indice bonus", en: "Bonus hint"}`, `hint: {en: "Bonus hint"}`), []string{"lab3.extra: title and hint need fr and en"}},
		{"missing hint en", edit(t, `hint: {fr: "Indice 2", en: "Hint 2"}`, `hint: {fr: "Indice 2"}`), []string{"lab3.second: title and hint need fr and en"}},
		{"missing hint", edit(t, "    hint: {fr: \"Indice fichiers\", en: \"Files hint\"}\n", ""), []string{"lab3.files: title and hint need fr and en"}},
		{"missing lab title en", edit(t, `title: {fr: "Images et couches", en: "Images and layers"}`, `title: {fr: "Images et couches"}`), []string{"title needs fr and en"}},
		{"missing timeout", edit(t, "timeout: 5m\n", ""), []string{"timeout is required"}},
		{"duration as a bare number", edit(t, "timeout: 5m", "timeout: 300"), []string{`duration must be a string like "30s"`}},
		{"check duration as a bare number", edit(t, "timeout: 30s", "timeout: 30"), []string{"line 20", `duration must be a string like "30s"`}},
		{"duration as a float", edit(t, "timeout: 5m", "timeout: 1.5"), []string{"duration must be a string"}},
		{"duration as a list", edit(t, "timeout: 5m", "timeout: [5m]"), []string{"duration must be a string"}},
		{"duration without unit", edit(t, "timeout: 5m", `timeout: "300"`), []string{`invalid duration "300"`}},
		{"negative duration", edit(t, "timeout: 5m", `timeout: -5m`), []string{`invalid duration "-5m"`}},
		{"duration with a custom tag", edit(t, "timeout: 5m", `timeout: !dur 5m`), []string{"duration must be a string"}},
		{"two YAML documents", validSpec + "---\nschemaVersion: 1\n", []string{"x.yaml: more than one YAML document"}},
		{"an empty second document", validSpec + "---\n", []string{"more than one YAML document"}},
		{"two documents, second invalid", validSpec + "---\n[unclosed\n", []string{"x.yaml"}},
		{"not YAML", "schemaVersion: 1\n\tlab: [", []string{"x.yaml: yaml:"}},
		{"empty", "", []string{"schemaVersion 0, want 1"}},
		{"a list, not a mapping", "- 1\n- 2\n", []string{"x.yaml"}},
		{"larger than 1 MiB", validSpec + "#" + strings.Repeat("x", 1<<20) + "\n", []string{"x.yaml: larger than 1048576 bytes"}},
		{"too many keys in one mapping", manyParams(maxMappingKeys + 1), []string{"more than 1000 keys in one mapping"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := Parse("x.yaml", []byte(tt.in))
			require.Error(t, err)
			assert.Nil(t, s)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestParseReportsEveryError(t *testing.T) {
	in := edit(t, "id: lab3.second", "id: lab3.first-step")
	in = strings.Replace(in, "kind: bonus", "kind: extra", 1)
	in = strings.Replace(in, "timeout: 5m\n", "", 1)
	_, err := Parse("x.yaml", []byte(in))
	require.Error(t, err)
	for _, w := range []string{"timeout is required", "duplicate id", "kind must be"} {
		assert.Contains(t, err.Error(), w)
	}
}

// manyParams returns validSpec with n distinct params.
func manyParams(n int) string {
	var p strings.Builder
	p.WriteString("params:\n")
	for i := range n {
		p.WriteString("  k" + strconv.Itoa(i) + ": v\n")
	}
	return strings.Replace(validSpec, "params:\n  port: \"8080\"\n", p.String(), 1)
}

func TestParseBounded(t *testing.T) {
	// The yaml library checks duplicate mapping keys in quadratic time and memory (one error
	// string per pair): thousands of repeated keys took minutes and gigabytes before
	// checkShape refused them.
	var dup strings.Builder
	dup.WriteString("schemaVersion: 1\nparams:\n")
	for dup.Len() < 1<<20-16 {
		dup.WriteString("  k: v\n")
	}
	var distinct strings.Builder
	distinct.WriteString("schemaVersion: 1\nparams:\n")
	for i := 0; distinct.Len() < 1<<20-32; i++ {
		distinct.WriteString("  k" + strconv.Itoa(i) + ": v\n")
	}
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"repeated keys", dup.String(), "keys in one mapping"},
		{"many distinct keys", distinct.String(), "keys in one mapping"},
		{"repeated keys under the limit", manyDup(maxMappingKeys), "already defined"},
		{"distinct keys at the limit", manyParams(maxMappingKeys), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse("x.yaml", []byte(tt.in))
			// Generous for -race on a busy machine; without the guard this took hours.
			assert.Less(t, time.Since(start), 30*time.Second)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Less(t, len(err.Error()), 1000, "one error, not one per pair")
		})
	}
}

func manyDup(n int) string {
	var b strings.Builder
	b.WriteString("schemaVersion: 1\nparams:\n")
	for range n {
		b.WriteString("  k: v\n")
	}
	return b.String()
}

func TestDurationUnmarshal(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{`30s`, 30 * time.Second, false},
		{`"1h2m3s"`, time.Hour + 2*time.Minute + 3*time.Second, false},
		{`'250ms'`, 250 * time.Millisecond, false},
		{`0s`, 0, false},
		{`30`, 0, true},
		{`0`, 0, true},
		{`true`, 0, true},
		{`~`, 0, false}, // null: the library leaves the field unset
		{`"-1s"`, 0, true},
		{`"soon"`, 0, true},
		{`{a: 1}`, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			in := edit(t, "timeout: 30s", "timeout: "+tt.in)
			s, err := Parse("x.yaml", []byte(in))
			if tt.wantErr {
				require.Error(t, err)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, Duration(tt.want), s.Check("lab3.first-step").Timeout)
		})
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"5", "lab5"},
		{"Lab5", "lab5"},
		{"lab05", "lab5"},
		{" LAB5 ", "lab5"},
		{"lab5", "lab5"},
		{"14", "lab14"},
		{"lab010", "lab10"},
		{"\tlab14\n", "lab14"},
		{"0", "lab"},
		{"", "lab"},
		{"lab 5", "lab 5"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			assert.Equal(t, tt.want, Normalize(tt.in))
		})
	}
}
