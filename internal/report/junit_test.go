package report

import (
	"bytes"
	"encoding/xml"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The parse-back types are independent of the writer's, so a tag typo on one side shows.
type parsedSuites struct {
	XMLName   xml.Name      `xml:"testsuites"`
	Name      string        `xml:"name,attr"`
	Tests     int           `xml:"tests,attr"`
	Failures  int           `xml:"failures,attr"`
	Errors    int           `xml:"errors,attr"`
	Skipped   int           `xml:"skipped,attr"`
	Time      string        `xml:"time,attr"`
	Timestamp string        `xml:"timestamp,attr"`
	Suites    []parsedSuite `xml:"testsuite"`
}

type parsedSuite struct {
	Name       string `xml:"name,attr"`
	Tests      int    `xml:"tests,attr"`
	Failures   int    `xml:"failures,attr"`
	Errors     int    `xml:"errors,attr"`
	Skipped    int    `xml:"skipped,attr"`
	Time       string `xml:"time,attr"`
	Timestamp  string `xml:"timestamp,attr"`
	Hostname   string `xml:"hostname,attr"`
	Properties []struct {
		Name  string `xml:"name,attr"`
		Value string `xml:"value,attr"`
	} `xml:"properties>property"`
	Cases []parsedCase `xml:"testcase"`
}

type parsedProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Body    string `xml:",chardata"`
}

type parsedCase struct {
	Classname string         `xml:"classname,attr"`
	Name      string         `xml:"name,attr"`
	Time      string         `xml:"time,attr"`
	File      string         `xml:"file,attr"`
	Line      int            `xml:"line,attr"`
	Failure   *parsedProblem `xml:"failure"`
	Error     *parsedProblem `xml:"error"`
	Skipped   *parsedProblem `xml:"skipped"`
	SystemOut string         `xml:"system-out"`
}

func (s parsedSuite) property(name string) (string, bool) {
	for _, p := range s.Properties {
		if p.Name == name {
			return p.Value, true
		}
	}
	return "", false
}

// isXMLChar reports whether r is in the XML 1.0 Char production.
func isXMLChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

var junitTimeRE = regexp.MustCompile(`^\d+\.\d{3}$`)

func writeJUnit(t *testing.T, r *Report) ([]byte, parsedSuites) {
	t.Helper()
	var buf bytes.Buffer
	require.NoError(t, JUnit{Hostname: "runner-1"}.Write(&buf, r))
	var doc parsedSuites
	require.NoError(t, xml.Unmarshal(buf.Bytes(), &doc), buf.String())
	return buf.Bytes(), doc
}

func TestJUnitParsesBack(t *testing.T) {
	for _, fx := range fixtures {
		t.Run(fx.name, func(t *testing.T) {
			r := fx.report()
			out, doc := writeJUnit(t, r)

			require.True(t, utf8.Valid(out))
			for i, c := range string(out) {
				require.True(t, isXMLChar(c), "rune %U at byte %d is not an XML 1.0 Char", c, i)
			}
			assert.NotContains(t, string(out), "&#x1B;")
			assert.NotContains(t, string(out), "\uFFFD", "encoding/xml replaced a rune the sanitiser missed")
			assert.NotContains(t, string(out), "<![CDATA[")
			assert.True(t, strings.HasPrefix(string(out), xml.Header))

			require.Len(t, doc.Suites, 1)
			s := doc.Suites[0]
			assert.Equal(t, "grade "+r.Lab, doc.Name)
			assert.Equal(t, r.Lab, s.Name)
			assert.Equal(t, "runner-1", s.Hostname)
			assert.Equal(t, "2025-03-01T10:00:00Z", doc.Timestamp)
			assert.Equal(t, doc.Timestamp, s.Timestamp)
			assert.Regexp(t, junitTimeRE, doc.Time)
			assert.Equal(t, doc.Time, s.Time)

			var failures, errs, skipped int
			names := map[string]bool{}
			for _, tc := range s.Cases {
				assert.Equal(t, r.Lab, tc.Classname)
				assert.False(t, names[tc.Name], "duplicate test case name %q", tc.Name)
				names[tc.Name] = true
				assert.Regexp(t, junitTimeRE, tc.Time)
				n := 0
				if tc.Failure != nil {
					failures++
					n++
					assert.Equal(t, "CheckFailed", tc.Failure.Type)
					assert.NotEmpty(t, tc.Failure.Body, "GitLab shows only the body")
				}
				if tc.Error != nil {
					errs++
					n++
					assert.Equal(t, "GraderError", tc.Error.Type)
					assert.NotEmpty(t, tc.Error.Body)
				}
				if tc.Skipped != nil {
					skipped++
					n++
				}
				assert.LessOrEqual(t, n, 1, "a test case has at most one verdict element")
			}
			assert.Equal(t, len(s.Cases), s.Tests)
			assert.Equal(t, failures, s.Failures)
			assert.Equal(t, errs, s.Errors)
			assert.Equal(t, skipped, s.Skipped)
			assert.Equal(t, s.Tests, doc.Tests)
			assert.Equal(t, s.Failures, doc.Failures)
			assert.Equal(t, s.Errors, doc.Errors)
			assert.Equal(t, s.Skipped, doc.Skipped)

			score, ok := s.property("grade.score")
			assert.True(t, ok)
			assert.Equal(t, formatPoints(r.Score), score)
			_, ok = s.property("grade.engine_version")
			assert.Equal(t, r.Engine != nil, ok)
		})
	}
}

func TestJUnitFailureBody(t *testing.T) {
	_, doc := writeJUnit(t, reportMixed())
	cases := map[string]parsedCase{}
	for _, tc := range doc.Suites[0].Cases {
		cases[tc.Name] = tc
	}

	build := cases["lab5.builds"]
	require.NotNil(t, build.Failure)
	assert.Equal(t, "La construction a échoué à l'étape 2/3.", build.Failure.Message)
	assert.Equal(t, "rendus/élève-1/Dockerfile", build.File, "file is joined with a relative submission")
	assert.Equal(t, 3, build.Line)
	body := build.Failure.Body
	for _, want := range []string{
		"L'image se construit\n", "obtenu\u00a0:\n  #5 [2/3]", "]]> et <script>alert('é')</script> & co",
		"indice\u00a0: Vérifiez", "fichier\u00a0: rendus/élève-1/Dockerfile:3",
	} {
		assert.Contains(t, body, want)
	}
	assert.NotContains(t, body, "\x1b")
	assert.NotContains(t, body, "pwned")

	hc := cases["lab5.healthcheck"]
	require.NotNil(t, hc.Failure)
	assert.Contains(t, hc.Failure.Body, "(0/2,5)")
	assert.Contains(t, hc.Failure.Body, "attendu\u00a0: HEALTHCHECK CMD curl -f http://localhost/ || exit 1")
	assert.Zero(t, hc.Line, "no line attribute without one")

	assert.NotNil(t, cases["lab5.volume-data"].Skipped)
	assert.Equal(t, "Non évalué : le contrôle préalable lab5.builds n'a pas réussi.", cases["lab5.volume-data"].Skipped.Message)

	persist := cases["lab5.persist"]
	require.NotNil(t, persist.Error)
	assert.NotContains(t, persist.Error.Body, "Cet indice", "no fix-it hint for grade's own errors")

	pass := cases["lab5.dockerfile"]
	assert.Nil(t, pass.Failure)
	assert.Equal(t, "Le Dockerfile est lisible", pass.SystemOut)
}

func TestJUnitFilePaths(t *testing.T) {
	_, doc := writeJUnit(t, reportEnglish())
	for _, tc := range doc.Suites[0].Cases {
		if tc.Name == "lab6.db-not-published" {
			assert.Equal(t, "compose.yaml", tc.File, "an absolute submission is not joined")
			assert.Equal(t, 14, tc.Line)
		} else {
			assert.Empty(t, tc.File)
		}
	}

	_, doc = writeJUnit(t, reportStatic())
	assert.Equal(t, "Dockerfile", doc.Suites[0].Cases[0].File, `"." is cleaned away`)
}

func TestJUnitGradeError(t *testing.T) {
	_, doc := writeJUnit(t, reportGradeError())
	s := doc.Suites[0]
	require.Len(t, s.Cases, 1, "an ungradable submission must not look like an empty, green run")
	assert.Equal(t, 1, doc.Errors)
	tc := s.Cases[0]
	assert.Equal(t, "grade", tc.Name)
	require.NotNil(t, tc.Error)
	assert.Contains(t, tc.Error.Body, "Erreur\u00a0: moteur Docker injoignable")
}

func TestJUnitDuplicateIDs(t *testing.T) {
	r := reportAllPass()
	r.Results[2].ID = r.Results[1].ID
	_, doc := writeJUnit(t, r)
	assert.Equal(t, "lab3.base-image", doc.Suites[0].Cases[1].Name)
	assert.Equal(t, "lab3.base-image#2", doc.Suites[0].Cases[2].Name)
}
