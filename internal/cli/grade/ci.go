package grade

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"os"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/report"
)

// formats are the values of --format, in the order --help lists them.
var formats = []string{"text", "json", "junit", "github", "classroom", "gitlab", "codequality", "sarif", "gradescope", "prairielearn"}

// CIOptions are the flags for CI platforms and grading services (docs/ci.md).
type CIOptions struct {
	SARIF        []string
	CodeQuality  []string
	Gradescope   []string
	PrairieLearn []string
	// ExitZero exits 0 once the reports are written, whatever the grade: PrairieLearn
	// ignores results.json unless the grader exits 0.
	ExitZero bool
}

// addCIFlags registers the CI report files and --exit-zero.
func addCIFlags(f *cliutil.Factory, fl *pflag.FlagSet, o *CIOptions) {
	fl.StringArrayVar(&o.SARIF, "sarif", nil, f.Say(
		"écrire aussi un journal SARIF 2.1.0 pour le code scanning de GitHub dans `FICHIER`",
		"also write a SARIF 2.1.0 log for GitHub code scanning to `FILE`"))
	fl.StringArrayVar(&o.CodeQuality, "codequality", nil, f.Say(
		"écrire aussi un rapport Code Quality de GitLab dans `FICHIER`", "also write a GitLab Code Quality report to `FILE`"))
	fl.StringArrayVar(&o.Gradescope, "gradescope", nil, f.Say(
		"écrire aussi le results.json de Gradescope dans `FICHIER`", "also write Gradescope's results.json to `FILE`"))
	fl.StringArrayVar(&o.PrairieLearn, "prairielearn", nil, f.Say(
		"écrire aussi le results.json de PrairieLearn dans `FICHIER`", "also write PrairieLearn's results.json to `FILE`"))
	fl.BoolVar(&o.ExitZero, "exit-zero", false, f.Say(
		"sortir avec le code 0 une fois les rapports écrits, même si des vérifications échouent (PrairieLearn)",
		"exit 0 once the reports are written, even if checks failed (PrairieLearn)"))
}

// checkFormat validates --format.
func checkFormat(format string) error {
	if !slices.Contains(formats, format) {
		return cliutil.FlagErrorf("--format : « %s » n'est pas un format de grade (%s)", "--format: %q is not one of %s", format, strings.Join(formats, ", "))
	}
	return nil
}

// outputs lists the report files the CI flags ask for.
func (o *CIOptions) outputs() []output {
	var outs []output
	for _, f := range []struct {
		format string
		paths  []string
	}{{"sarif", o.SARIF}, {"codequality", o.CodeQuality}, {"gradescope", o.Gradescope}, {"prairielearn", o.PrairieLearn}} {
		for _, p := range f.paths {
			outs = append(outs, output{f.format, p})
		}
	}
	return outs
}

// exit applies --exit-zero to the error runGrade returns once its reports are written.
func (o *CIOptions) exit(err error) error {
	if o.ExitZero {
		if e, ok := err.(*cliutil.ExitError); !ok || e.Code != cliutil.ExitInterrupted {
			return nil
		}
	}
	return err
}

// writeStdoutCI writes the stdout report of the formats whose destination depends on the CI
// platform, and reports whether it did:
//   - github: the workflow commands on stdout, and the Markdown summary appended to
//     $GITHUB_STEP_SUMMARY when the runner set it;
//   - classroom: the "result=" line appended to $GITHUB_OUTPUT when set, else stdout;
//   - text inside GitLab CI (GITLAB_CI set): the text report in collapsible sections.
func writeStdoutCI(f *cliutil.Factory, rep *report.Report, format string) (bool, error) {
	switch format {
	case "github":
		token, err := stopToken()
		if err != nil {
			return true, err
		}
		if err := (report.GitHub{Token: token}).Write(f.IO.Out, rep); err != nil {
			return true, err
		}
		if p := f.Getenv("GITHUB_STEP_SUMMARY"); p != "" {
			if err := appendReport(p, report.GitHubSummary{}, rep); err != nil {
				return true, cliutil.Errorf("impossible d'écrire dans $GITHUB_STEP_SUMMARY (%s)", "cannot write to $GITHUB_STEP_SUMMARY (%s)", cliutil.Why(err))
			}
		}
		return true, nil
	case "classroom":
		if p := f.Getenv("GITHUB_OUTPUT"); p != "" {
			if err := appendReport(p, report.Classroom{}, rep); err != nil {
				return true, cliutil.Errorf("impossible d'écrire dans $GITHUB_OUTPUT (%s)", "cannot write to $GITHUB_OUTPUT (%s)", cliutil.Why(err))
			}
			return true, nil
		}
	case "text":
		if f.Getenv("GITLAB_CI") != "" {
			return true, report.GitLab{Color: f.IO.ColorOut()}.Write(f.IO.Out, rep)
		}
	}
	return false, nil
}

// appendReport renders rep and appends it to path in one write, as GitHub's runner expects
// of $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY (other steps append to the same files).
func appendReport(path string, w report.Writer, rep *report.Report) error {
	var buf bytes.Buffer
	if err := w.Write(&buf, rep); err != nil {
		return err
	}
	fh, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	if _, err := fh.Write(buf.Bytes()); err != nil {
		fh.Close()
		return err
	}
	return fh.Close()
}

// stopToken draws the ::stop-commands:: token: random, so a student cannot print it to
// resume command processing inside the build log.
func stopToken() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "grade" + hex.EncodeToString(b), nil
}
