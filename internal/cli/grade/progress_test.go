package grade

import (
	"bytes"
	"fmt"
	"github.com/ddlab/grade/internal/check"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/grader"
)

// TestProgressLanguage: the graders word their steps in both languages; a run shows each in
// its own, typeset for French.
func TestProgressLanguage(t *testing.T) {
	steps := []check.Text{check.Lit("démarrage du conteneur…", "starting the container…"), check.Same("docker stop…"),
		check.Lit("lab8 : down -v puis up…", "lab8: down -v then up…")}
	for lang, want := range map[string]string{
		"fr": "… démarrage du conteneur…\n… docker stop…\n… lab8\u00a0: down -v puis up…\n",
		"en": "… starting the container…\n… docker stop…\n… lab8: down -v then up…\n",
	} {
		var buf bytes.Buffer
		p := &progress{w: &buf, lang: lang}
		for _, s := range steps {
			p.Step(s)
		}
		p.Done()
		assert.Equal(t, want, buf.String(), lang)
	}
}

// Test_private: an error about the run's private copies names them "./", in the chosen
// language.
func Test_private(t *testing.T) {
	run := &grader.Run{ID: "0d6c4b7e-6f0a-4c5e-9a43-1b2c3d4e5f60", Dir: "/var/snap/lab5"}
	tmp := filepath.Join(os.TempDir(), "grade-0d6c4b7e-123456")
	err := cliutil.Errorf("contexte de build illisible (%v)", "unreadable build context (%v)",
		fmt.Errorf("open %s/Dockerfile: permission denied; stat /var/snap/lab5/go.mod", tmp))
	assert.Equal(t, "unreadable build context (open ./Dockerfile: permission denied; stat ./go.mod)", private("en", err, run))
	assert.Equal(t, "contexte de build illisible (open ./Dockerfile: permission denied; stat ./go.mod)", private("fr", err, run))
	assert.Equal(t, "plain", private("en", fmt.Errorf("plain"), nil))
}
