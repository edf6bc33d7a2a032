package compose

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/compose-spec/compose-go/v2/types"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
)

// fixture is the absolute path of testdata/load/<name>: Load works on absolute folders, as
// the grader's private copy is.
func fixture(t *testing.T, name string) string {
	t.Helper()
	dir, err := filepath.Abs(filepath.Join("testdata", "load", name))
	require.NoError(t, err)
	return dir
}

// writeTree writes files (path → content) under a fresh folder and returns it.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, content := range files {
		full := filepath.Join(dir, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(content), 0o644))
	}
	return dir
}

// mustLoad loads a project the test expects to be fine.
func mustLoad(t *testing.T, s Source) *Loaded {
	t.Helper()
	if s.Name == "" {
		s.Name = "run-test"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	l, probs, err := Load(ctx, s)
	require.NoError(t, err)
	require.Empty(t, probs)
	require.NotNil(t, l)
	return l
}

func env(p *types.Project, service, key string) string {
	if v := p.Services[service].Environment[key]; v != nil {
		return *v
	}
	return "<unset>"
}

func TestLoad(t *testing.T) {
	// The grader's own environment must never reach interpolation: a CI runner's secrets
	// would end up in a student's containers.
	t.Setenv("GRADE_TEST_HOST_ONLY", "leaked")
	t.Setenv("GREETING", "from-the-grader-process")

	tests := []struct {
		name     string
		src      Source
		services []string
		check    func(t *testing.T, l *Loaded)
	}{
		{
			name:     ".env gives the defaults, the override is merged, profiles are off",
			src:      Source{Dir: fixture(t, "env"), Name: "run-a1"},
			services: []string{"api"},
			check: func(t *testing.T, l *Loaded) {
				p := l.Project
				assert.Equal(t, "Bonjour", env(p, "api", "GREETING"), ".env is read")
				assert.Equal(t, "from-dotenv", env(p, "api", "MODE"), ".env wins over the ${VAR:-default}")
				assert.Equal(t, "info", env(p, "api", "LEVEL"), "${VAR:-default} when nothing sets VAR")
				assert.Equal(t, "absent", env(p, "api", "HOST_ONLY"), "the process environment is not used")
				assert.Equal(t, "oui", env(p, "api", "FROM_OVERRIDE"), "compose.override.yaml is merged")
				assert.Equal(t, "ddlab/busybox:1", p.Services["api"].Image, "interpolation from .env in image")
				assert.Equal(t, []string{"compose.yaml", "compose.override.yaml"}, l.Files)
				assert.Equal(t, "lab8", l.Declared, "the declared name, interpolated with its default")
				assert.Equal(t, "run-a1", p.Name, "the run's name wins over the declared one")
				assert.Equal(t, "run-a1_back", p.Networks["back"].Name, "networks are named after the run")
				assert.True(t, bool(p.Networks["back"].Internal))
				assert.Equal(t, "run-a1_data", p.Volumes["data"].Name, "volumes are named after the run")
				assert.Equal(t, "run-a1_default", p.Networks["default"].Name)
				assert.Contains(t, p.DisabledServices, "debug")
			},
		},
		{
			name: "the grader's Env wins over .env and over the defaults",
			src: Source{Dir: fixture(t, "env"), Name: "run-a2", Env: map[string]string{
				"GREETING": "Salut", "MODE": "debug", "LEVEL": "warn", "PROJECT": "autre"}},
			services: []string{"api"},
			check: func(t *testing.T, l *Loaded) {
				p := l.Project
				assert.Equal(t, "Salut", env(p, "api", "GREETING"))
				assert.Equal(t, "debug", env(p, "api", "MODE"))
				assert.Equal(t, "warn", env(p, "api", "LEVEL"))
				assert.Equal(t, "autre", l.Declared, "the declared name is interpolated with the grader's Env")
				assert.Equal(t, "run-a2", p.Name)
				assert.Equal(t, "run-a2_back", p.Networks["back"].Name)
			},
		},
		{
			name:     "a profile turns its services on",
			src:      Source{Dir: fixture(t, "env"), Name: "run-a3", Profiles: []string{"debug"}},
			services: []string{"api", "debug"},
		},
		{
			name:     "Files given explicitly: no override added",
			src:      Source{Dir: fixture(t, "env"), Name: "run-a4", Files: []string{"compose.yaml"}},
			services: []string{"api"},
			check: func(t *testing.T, l *Loaded) {
				assert.Equal(t, []string{"compose.yaml"}, l.Files)
				assert.Equal(t, "<unset>", env(l.Project, "api", "FROM_OVERRIDE"))
				assert.Equal(t, "Bonjour", env(l.Project, "api", "GREETING"), ".env is still read")
			},
		},
		{
			name:     "docker-compose.yml and its override, as Compose picks them",
			src:      Source{Dir: fixture(t, "yml"), Name: "run-a5"},
			services: []string{"web"},
			check: func(t *testing.T, l *Loaded) {
				assert.Equal(t, []string{"docker-compose.yml", "docker-compose.override.yml"}, l.Files)
				assert.Equal(t, types.ShellCommand{"gateway"}, l.Project.Services["web"].Command)
				assert.Empty(t, l.Declared, "no name: written")
			},
		},
		{
			name:     "a required variable given by the grader",
			src:      Source{Dir: fixture(t, "required"), Name: "run-a6", Env: map[string]string{"DB_PASSWORD": "s3cret"}},
			services: []string{"db"},
			check: func(t *testing.T, l *Loaded) {
				assert.Equal(t, "s3cret", env(l.Project, "db", "PASSWORD"))
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := mustLoad(t, tc.src)
			assert.ElementsMatch(t, tc.services, l.Project.ServiceNames())
			assert.Equal(t, tc.src.Dir, l.Project.WorkingDir)
			if tc.check != nil {
				tc.check(t, l)
			}
		})
	}
}

func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name string
		src  Source
		file string
		want []string // substrings of the one problem's message
	}{
		{
			name: "${VAR:?msg} without a value",
			src:  Source{Dir: fixture(t, "required")},
			file: "compose.yaml",
			want: []string{"variable obligatoire", "DB_PASSWORD", "définissez DB_PASSWORD dans .env"},
		},
		{
			name: "no Compose file in the folder",
			src:  Source{Dir: fixture(t, "empty")},
			file: "compose.yaml",
			want: []string{"aucun fichier Compose"},
		},
		{
			name: "a file named but missing",
			src:  Source{Dir: fixture(t, "env"), Files: []string{"compose.yaml", "compose.prod.yaml"}},
			file: "compose.prod.yaml",
			want: []string{"fichier absent du dossier rendu"},
		},
		{
			name: "depends_on an undefined service",
			src:  Source{Dir: fixture(t, "undefined")},
			file: "compose.yaml",
			want: []string{"depends_on nomme un service qui n'existe pas", `"db"`},
		},
	}
	chain := map[string]string{"compose.yaml": "include: [f1.yaml]\nservices:\n  web:\n    image: ddlab/webapp:1\n"}
	for i := 1; i <= maxFiles+5; i++ {
		chain[fmt.Sprintf("f%d.yaml", i)] = fmt.Sprintf("include: [f%d.yaml]\n", i+1)
	}
	tests = append(tests, []struct {
		name string
		src  Source
		file string
		want []string
	}{
		{
			name: "include chain too long",
			src:  Source{Dir: writeTree(t, chain)},
			file: fmt.Sprintf("f%d.yaml", maxFiles),
			want: []string{"plus de 32 fichiers Compose inclus"},
		},
		{
			name: "a duration in words, which only compose-go sees",
			src:  Source{Dir: writeTree(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: ddlab/webapp:1\n    healthcheck:\n      interval: five seconds\n"})},
			file: "compose.yaml",
			want: []string{"durée invalide : écrivez par exemple 10s", `invalid duration "five seconds"`},
		},
		{
			name: "a .env line compose-go cannot read is placed in .env",
			src: Source{Dir: writeTree(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: ddlab/webapp:1\n",
				".env": "A=1\nB=2\n\nBAD KEY=3\n"})},
			file: ".env",
			want: []string{"ligne invalide", "une ligne `CLÉ=valeur` par variable"},
		},
		{
			name: "a published port that is not a number",
			src:  Source{Dir: writeTree(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: ddlab/webapp:1\n    ports: [\"127.0.0.1:abc:8080\"]\n"})},
			file: "compose.yaml",
			want: []string{"port publié invalide"},
		},
	}...)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.src.Name = "run-p"
			l, probs, err := Load(context.Background(), tc.src)
			require.NoError(t, err, "the student's problem is not the grader's error")
			assert.Nil(t, l)
			require.Len(t, probs, 1, "%v", probs)
			assert.Equal(t, tc.file, probs[0].File)
			for _, w := range tc.want {
				assert.Contains(t, probs[0].Message, w)
			}
			assert.NotContains(t, probs[0].Message, tc.src.Dir, "the grader's private folder is not shown")
			assertBilingual(t, probs[0], tc.src.Dir)
		})
	}
}

// TestLoadSchemaProblemIsPlaced checks that a file compose-go refuses on its schema gets the
// line of the key, which compose-go's own message lacks.
func TestLoadSchemaProblemIsPlaced(t *testing.T) {
	dir := writeTree(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: ddlab/webapp:1\n    ports: 8080\n"})
	_, probs, err := Load(context.Background(), Source{Dir: dir, Name: "run-s"})
	require.NoError(t, err)
	require.NotEmpty(t, probs)
	assert.Equal(t, "compose.yaml", probs[0].File)
	assert.Equal(t, 4, probs[0].Line)
	assert.Equal(t, "services.web.ports", probs[0].Path)
}

func TestUnsafeRefs(t *testing.T) {
	dir := "/srv/rendu"
	tests := []struct {
		name  string
		yaml  string
		paths []string // the Path of each problem, in order
		why   string   // a substring of the first message
	}{
		{"relative env_file inside", "services:\n  web:\n    env_file: [web.env, {path: conf/db.env, required: false}]\n", nil, ""},
		{"extends and include inside", "include: [sub/compose.yaml]\nservices:\n  web:\n    extends: {file: base.yaml, service: b}\n", nil, ""},
		{"absolute env_file", "services:\n  web:\n    env_file: /etc/shadow\n", []string{"services.web.env_file"}, "chemin absolu"},
		{"home env_file", "services:\n  web:\n    env_file: ~/.aws/credentials\n", []string{"services.web.env_file"}, "chemin absolu"},
		{"../ env_file", "services:\n  web:\n    env_file: [ok.env, ../voisin/.env]\n", []string{"services.web.env_file"}, "sort du dossier rendu"},
		{"env_file in a {path:} entry", "services:\n  web:\n    env_file:\n      - path: /proc/self/environ\n", []string{"services.web.env_file"}, "chemin absolu"},
		{"$HOME in env_file", "services:\n  web:\n    env_file: $HOME/x\n", []string{"services.web.env_file"}, "variable"},
		{"${VAR} in label_file", "services:\n  web:\n    label_file: ${F:-a.labels}\n", []string{"services.web.label_file"}, "variable"},
		{"extends.file outside", "services:\n  web:\n    extends:\n      file: ../other/compose.yaml\n      service: web\n", []string{"services.web.extends.file"}, "sort du dossier rendu"},
		{"include outside", "include:\n  - ../../etc/compose.yaml\nservices: {}\n", []string{"include"}, "sort du dossier rendu"},
		{"include path list and env_file", "include:\n  - path: [a.yaml, /etc/b.yaml]\n    env_file: ../.env\n", []string{"include", "include"}, ""},
		{"include project_directory", "include:\n  - path: a.yaml\n    project_directory: /\n", []string{"include"}, "chemin absolu"},
		{
			"env_file hidden behind a merge key",
			"x-base: &base\n  env_file: /etc/shadow\nservices:\n  web:\n    <<: *base\n    image: ddlab/webapp:1\n",
			[]string{"services.web.env_file"}, "chemin absolu",
		},
		{
			"env_file hidden behind an alias",
			"x-files: &files [/etc/passwd]\nservices:\n  web:\n    env_file: *files\n",
			[]string{"services.web.env_file"}, "chemin absolu",
		},
		{
			"services hidden behind a merge list",
			"x-a: &a\n  web:\n    env_file: ../up.env\nservices:\n  <<: [*a]\n",
			[]string{"services.web.env_file"}, "sort du dossier rendu",
		},
		{"not YAML: left to Screen", "services: [\n", nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			probs, _ := unsafeRefs(dir, ".", "compose.yaml", []byte(tc.yaml))
			var paths []string
			for _, p := range probs {
				paths = append(paths, p.Path)
				assert.Equal(t, "compose.yaml", p.File)
				assert.Positive(t, p.Line, "placed on the path's line")
			}
			assert.Equal(t, tc.paths, paths, "%v", probs)
			if tc.why != "" && len(probs) > 0 {
				assert.Contains(t, probs[0].Message, tc.why)
			}
			for _, p := range probs {
				assertBilingual(t, p, dir)
			}
		})
	}
}

// TestUnsafeRefsFollowsIncludes: compose-go reads the include and extends files itself, and
// the env_file they name; a host file must not come in through them either.
func TestUnsafeRefsFollowsIncludes(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		file  string // where the problem is
		path  string
	}{
		{
			name: "env_file in an included file",
			files: map[string]string{
				"compose.yaml":     "include: [sub/compose.yaml]\nservices:\n  web:\n    image: ddlab/webapp:1\n",
				"sub/compose.yaml": "services:\n  other:\n    image: ddlab/busybox:1\n    env_file: /etc/passwd\n",
			},
			file: "sub/compose.yaml", path: "services.other.env_file",
		},
		{
			name: "env_file in an extended file",
			files: map[string]string{
				"compose.yaml": "services:\n  web:\n    image: ddlab/webapp:1\n    extends: {file: base.yaml, service: b}\n",
				"base.yaml":    "services:\n  b:\n    env_file: /etc/hostname\n",
			},
			file: "base.yaml", path: "services.b.env_file",
		},
		{
			name: "../ resolved from the included file's own folder",
			files: map[string]string{
				"compose.yaml":       "include: [a/b/compose.yaml]\n",
				"a/b/compose.yaml":   "services:\n  x:\n    image: ddlab/busybox:1\n    extends: {file: ../../../up.yaml, service: y}\n",
				"a/b/unused.env":     "",
				"a/b/compose.x.yaml": "",
			},
			file: "a/b/compose.yaml", path: "services.x.extends.file",
		},
		{
			name: "two levels down, behind a merge key",
			files: map[string]string{
				"compose.yaml":     "include: [one.yaml]\n",
				"one.yaml":         "include: [{path: two/compose.yaml}]\n",
				"two/compose.yaml": "x-e: &e\n  env_file: [../../outside.env]\nservices:\n  z:\n    <<: *e\n    image: ddlab/busybox:1\n",
			},
			file: "two/compose.yaml", path: "services.z.env_file",
		},
		{
			name: "an include cycle is bounded",
			files: map[string]string{
				"compose.yaml": "include: [a.yaml]\nservices:\n  web:\n    image: ddlab/webapp:1\n",
				"a.yaml":       "include: [b/../a.yaml, ./a.yaml, compose.yaml]\nservices:\n  w:\n    image: ddlab/webapp:1\n    env_file: /etc/group\n",
			},
			file: "a.yaml", path: "services.w.env_file",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := writeTree(t, tc.files)
			l, probs, err := Load(context.Background(), Source{Dir: dir, Name: "run-r"})
			require.NoError(t, err)
			assert.Nil(t, l)
			require.Len(t, probs, 1, "%v", probs)
			assert.Equal(t, tc.file, probs[0].File)
			assert.Equal(t, tc.path, probs[0].Path)
			assertBilingual(t, probs[0], dir)
		})
	}

	t.Run("relative paths inside, from each file's folder, load", func(t *testing.T) {
		dir := writeTree(t, map[string]string{
			"compose.yaml":     "include: [sub/compose.yaml]\nservices:\n  web:\n    image: ddlab/webapp:1\n    env_file: web.env\n    extends: {file: base/base.yaml, service: b}\n",
			"web.env":          "FROM_WEB=1\n",
			"base/base.yaml":   "services:\n  b:\n    env_file: ../shared.env\n",
			"shared.env":       "SHARED=1\n",
			"sub/compose.yaml": "services:\n  other:\n    image: ddlab/busybox:1\n    env_file: ../shared.env\n",
		})
		l := mustLoad(t, Source{Dir: dir})
		assert.Equal(t, "1", env(l.Project, "web", "FROM_WEB"))
		assert.Equal(t, "1", env(l.Project, "web", "SHARED"))
		assert.Equal(t, "1", env(l.Project, "other", "SHARED"))
	})
}

// TestLoadRefusesBeforeReading: a hostile reference is refused before compose-go opens it.
// compose-go would fail on an unreadable /etc/shadow with its own words (or, as root, read
// it); the problem here is the grader's, placed on the merge key's target.
func TestLoadRefusesBeforeReading(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"compose.yaml": "x-base: &base\n  env_file: /etc/shadow\nservices:\n  web:\n    <<: *base\n    image: ddlab/webapp:1\n",
	})
	l, probs, err := Load(context.Background(), Source{Dir: dir, Name: "run-h"})
	require.NoError(t, err)
	assert.Nil(t, l)
	require.Len(t, probs, 1)
	assert.Equal(t, Problem{File: "compose.yaml", Line: 2, Column: 13, Path: "services.web.env_file",
		Message: "« /etc/shadow » est un chemin absolu : seuls les fichiers du dossier rendu sont lus, donnez un chemin relatif",
		EN:      `"/etc/shadow" is an absolute path: only the files of the submission folder are read, give a relative path`}, probs[0])
	assert.Equal(t, "compose.yaml:2:13 services.web.env_file : « /etc/shadow » est un chemin absolu : seuls les fichiers du dossier rendu sont lus, donnez un chemin relatif", probs[0].String())
	assert.Equal(t, check.Text{
		FR: "compose.yaml:2:13 services.web.env_file\u00a0: « /etc/shadow » est un chemin absolu : seuls les fichiers du dossier rendu sont lus, donnez un chemin relatif",
		EN: `compose.yaml:2:13 services.web.env_file: "/etc/shadow" is an absolute path: only the files of the submission folder are read, give a relative path`,
	}, probs[0].Say())
}

func TestLoadEnvFileInsideIsRead(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"compose.yaml": "services:\n  web:\n    image: ddlab/webapp:1\n    env_file: [conf/web.env]\n",
		"conf/web.env": "GREETING=Bonjour\n",
	})
	l := mustLoad(t, Source{Dir: dir})
	assert.Equal(t, "Bonjour", env(l.Project, "web", "GREETING"))
	assert.True(t, strings.HasPrefix(l.Project.Services["web"].EnvFiles[0].Path, dir))
}

// TestLoadScreensEnvFiles: .env and env_file contents are bounded before compose-go
// interpolates them, which it does with no deadline.
func TestLoadScreensEnvFiles(t *testing.T) {
	bomb := "A=" + strings.Repeat("${A:-x}", 400) + "\n"
	for name, files := range map[string]map[string]string{
		".env":     {"compose.yaml": "services:\n  s:\n    image: ddlab/busybox:1\n", ".env": bomb},
		"env_file": {"compose.yaml": "services:\n  s:\n    image: ddlab/busybox:1\n    env_file: [app.env]\n", "app.env": bomb},
		"huge":     {"compose.yaml": "services:\n  s:\n    image: ddlab/busybox:1\n", ".env": "A=" + strings.Repeat("x", 70<<10) + "\n"},
	} {
		t.Run(name, func(t *testing.T) {
			l, probs, err := Load(context.Background(), Source{Dir: writeTree(t, files), Name: "run"})
			require.NoError(t, err)
			require.Nil(t, l)
			require.Len(t, probs, 1)
			assert.Contains(t, probs[0].Message, "fichier d'environnement")
			assertBilingual(t, probs[0])
		})
	}
}

// TestLoadEnvLineIsPlaced: the student is sent to the line of .env, not to compose.yaml.
func TestLoadEnvLineIsPlaced(t *testing.T) {
	dir := writeTree(t, map[string]string{"compose.yaml": "services:\n  web:\n    image: ddlab/webapp:1\n", ".env": "A=1\nB=2\n\nBAD KEY=3\n"})
	_, probs, err := Load(context.Background(), Source{Dir: dir, Name: "run-p"})
	require.NoError(t, err)
	require.Len(t, probs, 1)
	assert.Equal(t, ".env", probs[0].File)
	assert.Equal(t, 4, probs[0].Line)
}
