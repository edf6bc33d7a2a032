package report

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
)

func TestSanitize(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "empty", in: "", want: ""},
		{name: "plain", in: "RUN apt-get update && apt-get install -y curl\n\tdone", want: "RUN apt-get update && apt-get install -y curl\n\tdone"},
		{name: "accents kept", in: "Étape « finale » réussie ✔", want: "Étape « finale » réussie ✔"},
		{name: "xml specials kept for the encoder", in: "]]> <script>&amp;", want: "]]> <script>&amp;"},
		{name: "sgr colours", in: "\x1b[1;31merror\x1b[0m here", want: "error here"},
		{name: "csi private and erase", in: "\x1b[?25l\x1b[2Kline\x1b[?25h", want: "line"},
		{name: "osc title with bel", in: "a\x1b]0;pwned\x07b", want: "ab"},
		{name: "osc hyperlink with st", in: "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\", want: "click"},
		{name: "osc clipboard unterminated stops at line end", in: "\x1b]52;c;ZXZpbA==\nnext", want: "\nnext"},
		{name: "dcs string", in: "a\x1bPq#0;2;0;0;0\x1b\\b", want: "ab"},
		{name: "charset and reset escapes", in: "\x1b(Ba\x1bcb\x1b7c", want: "abc"},
		{name: "8-bit csi", in: "\u009b31mred", want: "red"},
		{name: "lone esc", in: "a\x1b", want: "a"},
		{name: "c0 controls dropped", in: "a\x00b\x07c\x08d\x0be\x0cf\x7fg", want: "abcdefg"},
		{name: "c1 controls dropped", in: "a\u0085b\u009fc", want: "abc"},
		{name: "crlf and cr", in: "a\r\nb\rc", want: "a\nb\nc"},
		{name: "xml non-characters dropped", in: "a\uFFFEb\uFFFFc", want: "abc"},
		{name: "invalid utf-8 replaced", in: "a\xffb", want: "a\uFFFDb"},
		{name: "workflow command at line start", in: "::error::x", want: ":\u200b:error::x"},
		{name: "workflow command after spaces", in: "log\n   ::add-mask::s", want: "log\n   :\u200b:add-mask::s"},
		{name: "workflow command after unicode space", in: "\u00a0\u3000::set-output name=x::y", want: "\u00a0\u3000:\u200b:set-output name=x::y"},
		{name: "workflow command revealed by stripping", in: "\x1b[0m::warning::x", want: ":\u200b:warning::x"},
		{name: "workflow command revealed by cr", in: "progress\r::error::x", want: "progress\n:\u200b:error::x"},
		{name: "colons inside a line kept", in: "image: nginx::latest a::b", want: "image: nginx::latest a::b"},
		{name: "legacy command anywhere", in: "echo ##[error]x", want: "echo ##\u200b[error]x"},
		{name: "legacy command revealed by stripping", in: "#\x00#[warning]x", want: "##\u200b[warning]x"},
		{name: "azure command", in: "x ##vso[task.setvariable variable=a]b", want: "x ##\u200bvso[task.setvariable variable=a]b"},
		{name: "hash comments kept", in: "## section\n# comment", want: "## section\n# comment"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Sanitize(tt.in)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, got, Sanitize(got), "Sanitize must be idempotent")
		})
	}
}

func TestSanitizeLine(t *testing.T) {
	assert.Equal(t, "a b c", sanitizeLine("a\nb\tc"))
	assert.Equal(t, "rendus :\u200b:error::x", sanitizeLine("rendus\n::error::x"))
}

func TestSanitizedLeavesInputAlone(t *testing.T) {
	r := reportMixed()
	r.Results[0].Status = 0
	s := sanitized(r)

	assert.Equal(t, hostileLog, r.Build.LogTail, "input build must not be modified")
	assert.Equal(t, hostileLog, r.Results[1].Actual, "input results must not be modified")
	assert.Equal(t, check.Status(0), r.Results[0].Status)

	assert.NotSame(t, r.Build, s.Build)
	assert.NotSame(t, r.Engine, s.Engine)
	assert.Equal(t, check.Error, s.Results[0].Status, "an invalid status is rendered as an error")
	assert.NotContains(t, s.Build.LogTail, "\x1b")
	assert.Equal(t, "fr", s.Lang)
}

func TestNormLang(t *testing.T) {
	for in, want := range map[string]string{"": "fr", "fr": "fr", "en": "en", "de": "fr", "EN": "fr"} {
		assert.Equal(t, want, normLang(in), "normLang(%q)", in)
	}
	require.Same(t, &english, labelsFor("en"))
	require.Same(t, &french, labelsFor(""))
}
