package grade

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/report"
)

// output is one report destination: a format and a path ("-" is stdout).
type output struct {
	format string
	path   string
}

// width wraps the text report's sentences (a terminal's width; 0 for a file or a pipe).
func writerFor(format string, color bool, width int, hostname string) (report.Writer, error) {
	switch format {
	case "text":
		return report.Text{Color: color, Width: width}, nil
	case "json":
		return report.JSON{}, nil
	case "junit":
		return report.JUnit{Hostname: hostname}, nil
	case "github":
		token, err := stopToken()
		return report.GitHub{Token: token}, err
	case "classroom":
		return report.Classroom{}, nil
	case "gitlab":
		return report.GitLab{Color: color}, nil
	case "codequality":
		return report.CodeQuality{}, nil
	case "sarif":
		return report.SARIF{}, nil
	case "gradescope":
		return report.Gradescope{}, nil
	case "prairielearn":
		return report.PrairieLearn{}, nil
	}
	return nil, cliutil.FlagErrorf("--format : « %s » n'est pas un format de grade (%s)", "--format: %q is not one of %s", format, strings.Join(formats, ", "))
}

// writeAtomic renders into memory, then replaces path in one rename, so a CI job reading the
// file never sees half a report.
func writeAtomic(path string, w report.Writer, r *report.Report) error {
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := io.Copy(tmp, &buf); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	// Flushed before the rename, so a crash never leaves an empty report under the real name.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
