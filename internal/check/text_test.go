package check

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
)

func TestCut(t *testing.T) {
	tests := []struct {
		name, in string
		n        int
		want     string
	}{
		{"short", "abc", 3, "abc"},
		{"cut", "abc", 2, "ab…"},
		{"runes, not bytes", "ééé", 2, "éé…"},
		{"wide runes", "日本語です", 3, "日本語…"},
		{"invalid byte", "\xff", 3, "\uFFFD"},
		{"invalid byte then cut", "a\xffbc", 2, "a\uFFFD…"},
		{"lines kept", "a\nb", 5, "a\nb"},
		{"zero", "abc", 0, "…"},
		{"negative", "abc", -1, "…"},
		{"empty", "", 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, Cut(tt.in, tt.n))
		})
	}
}

func TestCutLine(t *testing.T) {
	assert.Equal(t, "ab…", CutLine("abc", 2))
	assert.Equal(t, "a·b", CutLine("a\tb", 10))
	assert.Equal(t, "a·b·", CutLine("a\nb\x7f", 10))
	assert.Equal(t, "\uFFFD", CutLine("\xff", 10))
}

func TestClip(t *testing.T) {
	tests := []struct {
		in   string
		n    int
		want string
	}{
		{"  one line  ", 20, "one line"},
		{"first\nsecond", 20, "first"},
		{"ééééé", 3, "ééé…"},
		{"", 5, ""},
		{"\xffx", 5, "\uFFFDx"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, Clip(tt.in, tt.n), tt.in)
	}
}

func TestOneLine(t *testing.T) {
	assert.Equal(t, "a b c", OneLine("  a\n\tb   c\n", 10))
	assert.Equal(t, "dial tcp: é…", OneLine("dial   tcp:\né refused", 11))
}

func TestShortID(t *testing.T) {
	for in, want := range map[string]string{
		"":                            "",
		"c1":                          "c1",
		"0123456789ab":                "0123456789ab",
		"0123456789abcdef":            "0123456789ab",
		"sha256:0123456789abcdef0123": "0123456789ab",
	} {
		assert.Equal(t, want, ShortID(in), in)
	}
}

func TestVerdict(t *testing.T) {
	assert.Equal(t, Outcome{}, Verdict(nil))
	o := Failf("non", "no")
	assert.Equal(t, o, Verdict(&o))
}

// FuzzCut: whatever the student's bytes, the result is valid UTF-8 and never longer than
// n runes plus the mark.
func FuzzCut(f *testing.F) {
	f.Add("ééé", 2)
	f.Add("\xff\xfe", 1)
	f.Fuzz(func(t *testing.T, s string, n int) {
		n %= 1000
		for _, got := range []string{Cut(s, n), CutLine(s, n), Clip(s, n), OneLine(s, n)} {
			assert.True(t, utf8.ValidString(got))
			assert.LessOrEqual(t, utf8.RuneCountInString(got), max(n, 0)+1)
		}
	})
}
