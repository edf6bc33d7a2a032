package report

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"
)

// testToken is the ::stop-commands:: token of the GitHub golden files; the command line
// draws a random one.
const testToken = "gradetoken0123456789"

// platformWriters are the CI and grading-platform writers, by golden file extension. They are
// kept apart from [writers] because GitHub's and GitLab's output holds commands and escape
// sequences on purpose; each has its own safety test.
var platformWriters = []struct {
	ext    string
	writer Writer
}{
	{"github.txt", GitHub{Token: testToken}},
	{"summary.md", GitHubSummary{}},
	{"classroom.txt", Classroom{}},
	{"gitlab.txt", GitLab{}},
	{"codequality.json", CodeQuality{}},
	{"sarif.json", SARIF{}},
	{"gradescope.json", Gradescope{}},
	{"prairielearn.json", PrairieLearn{}},
}

func TestPlatformGolden(t *testing.T) {
	for _, fx := range fixtures {
		for _, wr := range platformWriters {
			name := fx.name + "." + wr.ext
			t.Run(name, func(t *testing.T) {
				var buf bytes.Buffer
				require.NoError(t, wr.writer.Write(&buf, fx.report()))
				assertGolden(t, name, buf.Bytes())
			})
		}
	}
}

func TestPlatformWritersNilReport(t *testing.T) {
	for _, wr := range platformWriters {
		require.ErrorIs(t, wr.writer.Write(&bytes.Buffer{}, nil), errNilReport, wr.ext)
	}
}
