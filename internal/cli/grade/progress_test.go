package grade

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/ddlab/grade/internal/cliutil"
	"github.com/ddlab/grade/internal/grader"
)

// TestProgressLanguage: the graders word their steps in French; an English run shows those
// it cannot read as English as a step number, never as French.
func TestProgressLanguage(t *testing.T) {
	steps := []string{"démarrage du conteneur…", "docker stop…", "lab8 : down -v puis up…"}
	for lang, want := range map[string]string{
		"fr": "… démarrage du conteneur…\n… docker stop…\n… lab8 : down -v puis up…\n",
		"en": "… grading, step 1…\n… docker stop…\n… grading, step 3…\n",
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
