// Package compose loads a student's Compose files with compose-go, explains what is wrong with
// them in French and in English with file:line:column, applies the grader's policy, and prepares the project
// (labels, limits, images built by the grader) for the real Compose engine behind
// engine.Composer.
package compose

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/ddlab/grade/internal/check"
)

// DefaultFiles are the files `docker compose` reads when none is named, in its order of
// preference; the first that exists is the main file. Its override is added when present.
var DefaultFiles = []string{"compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml"}

// maxFiles bounds the files one project reads through include and extends.
const maxFiles = 32

// Source says what to load.
type Source struct {
	Dir   string   // the private copy of the submission
	Files []string // relative to Dir; empty: the default file and its override, as Compose does
	// Env is the grader's environment for interpolation: it wins over .env, as a shell
	// variable does. The grader's own process environment is never used: a CI runner's
	// secrets must not reach a student's containers.
	Env      map[string]string
	Profiles []string
	Name     string // the project name to run under (unique per run)
}

// Loaded is a project ready for the policy, with what the student wrote about it.
type Loaded struct {
	Project  *types.Project
	Declared string   // the top-level `name:` the student wrote, "" when absent
	Files    []string // the files loaded, relative to Dir
}

// Load reads and validates the project. Problems are the student's (a file that does not
// load); the error is the grader's (it could not read its own copy).
func Load(ctx context.Context, s Source) (*Loaded, []Problem, error) {
	files, probs := s.files()
	if len(probs) > 0 {
		return nil, probs, nil
	}
	declared := ""
	// The files named, then the include and extends files they name, recursively: compose-go
	// reads those too, and their env_file as well.
	queue := make([]localFile, len(files))
	for i, f := range files {
		queue[i] = localFile{f, "."}
	}
	seen := map[localFile]bool{}
	for i := 0; i < len(queue); i++ {
		f := queue[i]
		if seen[f] {
			continue
		}
		seen[f] = true
		if len(seen) > maxFiles {
			return nil, []Problem{problemAt(f.file, 0, 0, "", check.T(
				"plus de %d fichiers Compose inclus les uns dans les autres : simplifiez include/extends",
				"more than %d Compose files included in one another: simplify include/extends", maxFiles))}, nil
		}
		data, err := os.ReadFile(filepath.Join(s.Dir, f.file))
		if err != nil {
			if i < len(files) {
				return nil, nil, err
			}
			continue // a missing include is compose-go's to report
		}
		if p := Screen(f.file, data); p != nil {
			return nil, []Problem{*p}, nil
		}
		ps, next := unsafeRefs(s.Dir, f.base, f.file, data)
		if len(ps) > 0 {
			return nil, ps, nil
		}
		queue = append(queue, next...)
		if n := topName(data); n != "" && i < len(files) {
			declared = n
		}
	}
	if p := screenEnvFile(s.Dir, ".env"); p != nil {
		return nil, []Problem{*p}, nil
	}
	// The declared name, interpolated as Compose would, then the run's own name.
	if declared != "" {
		p, err := s.load(ctx, files, "")
		if err != nil {
			return nil, s.explain(files, err), nil
		}
		declared = p.Name
	}
	p, err := s.load(ctx, files, s.Name)
	if err != nil {
		return nil, s.explain(files, err), nil
	}
	return &Loaded{Project: p, Declared: declared, Files: files}, nil, nil
}

// files picks the files to load, as `docker compose` does without -f.
func (s Source) files() ([]string, []Problem) {
	if len(s.Files) > 0 {
		var out []string
		for _, f := range s.Files {
			if _, err := os.Stat(filepath.Join(s.Dir, f)); err != nil {
				return nil, []Problem{problemAt(f, 0, 0, "", check.T("fichier absent du dossier rendu : ajoutez-le",
					"file missing from the submission folder: add it"))}
			}
			out = append(out, f)
		}
		return out, nil
	}
	for _, main := range DefaultFiles {
		if st, err := os.Stat(filepath.Join(s.Dir, main)); err == nil && st.Mode().IsRegular() {
			out := []string{main}
			ext := filepath.Ext(main)
			override := strings.TrimSuffix(main, ext) + ".override" + ext
			if st, err := os.Stat(filepath.Join(s.Dir, override)); err == nil && st.Mode().IsRegular() {
				out = append(out, override)
			}
			return out, nil
		}
	}
	return nil, []Problem{problemAt("compose.yaml", 0, 0, "", check.T(
		"aucun fichier Compose (compose.yaml) dans le dossier rendu : créez-le à la racine du dossier",
		"no Compose file (compose.yaml) in the submission folder: create it at the top of the folder"))}
}

func (s Source) load(ctx context.Context, files []string, name string) (*types.Project, error) {
	env := make([]string, 0, len(s.Env))
	for k, v := range s.Env {
		env = append(env, k+"="+v)
	}
	sort.Strings(env)
	paths := make([]string, len(files))
	for i, f := range files {
		paths[i] = filepath.Join(s.Dir, f)
	}
	fns := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(s.Dir),
		cli.WithEnv(env),
		cli.WithEnvFiles(), // <Dir>/.env, read by WithDotEnv
		cli.WithDotEnv,
		cli.WithInterpolation(true),
		cli.WithResolvedPaths(true),
		cli.WithProfiles(s.Profiles),
		// No remote includes: nothing is fetched while loading a student's file.
		cli.WithLoadOptions(func(o *loader.Options) { o.ResourceLoaders = nil }),
	}
	if name != "" {
		fns = append(fns, cli.WithName(name))
	}
	opts, err := cli.NewProjectOptions(paths, fns...)
	if err != nil {
		return nil, err
	}
	return opts.LoadProject(ctx)
}

// explain turns compose-go's error into problems placed in the files where it can: its own
// schema messages carry no line, so the files are validated again by Locate.
func (s Source) explain(files []string, err error) []Problem {
	var out []Problem
	for _, f := range files {
		if data, rerr := os.ReadFile(filepath.Join(s.Dir, f)); rerr == nil {
			out = append(out, Locate(f, data)...)
		}
	}
	if len(out) > 0 {
		return out
	}
	// An env file compose-go cannot read names its line: the problem goes there, not on
	// compose.yaml.
	if m := envFileLine.FindStringSubmatch(err.Error()); m != nil {
		line, _ := strconv.Atoi(m[2])
		name := strings.TrimPrefix(display(s.Dir, m[1]), "./")
		return []Problem{problemAt(name, line, 0, "", sayf("ligne invalide (%s) : une ligne `CLÉ=valeur` par variable, sans espace dans la clé",
			"invalid line (%s): one `KEY=value` line per variable, with no space in the key", quote(m[3])))}
	}
	return []Problem{problemAt(files[0], 0, 0, "", loadText(s.Dir, err))}
}

var envFileLine = regexp.MustCompile(`failed to read (\S+): line (\d+): (.+)$`)

// loadText rewords compose-go's most common messages; each keeps compose-go's own words,
// quoted, after a sentence in each language, with the grader's private folder taken out.
func loadText(dir string, err error) check.Text {
	sep := string(filepath.Separator)
	msg := strings.ReplaceAll(err.Error(), dir+sep, "")
	msg = strings.ReplaceAll(msg, dir, ".")
	// A student's `..` names the folder the grader keeps its copies in.
	if parent := filepath.Dir(dir); filepath.IsAbs(dir) && parent != sep {
		msg = strings.ReplaceAll(msg, parent+sep, ".."+sep)
		msg = strings.ReplaceAll(msg, parent, "..")
	}
	said := quote(msg)
	var nf *os.PathError
	switch {
	case errors.As(err, &nf):
		p := display(dir, nf.Path)
		return sayf("fichier introuvable ou illisible : %s, vérifiez son nom et qu'il est bien dans le dossier rendu",
			"file not found or unreadable: %s, check its name and that it is in the submission folder", quote(p))
	case strings.Contains(msg, "depends on undefined service"):
		return sayf("depends_on nomme un service qui n'existe pas : corrigez le nom ou déclarez ce service (Compose signale %s)",
			"depends_on names a service that does not exist: fix the name or declare that service (Compose reports %s)", said)
	case strings.Contains(msg, "refers to undefined network"):
		return sayf("un service utilise un réseau qui n'est pas déclaré sous `networks:` au niveau racine : déclarez-le (Compose signale %s)",
			"a service uses a network not declared under the top-level `networks:`: declare it there (Compose reports %s)", said)
	case strings.Contains(msg, "refers to undefined volume"):
		return sayf("un service monte un volume nommé qui n'est pas déclaré sous `volumes:` au niveau racine : déclarez-le (Compose signale %s)",
			"a service mounts a named volume not declared under the top-level `volumes:`: declare it there (Compose reports %s)", said)
	case strings.Contains(msg, "required variable"):
		return sayf("une variable obligatoire (${VAR:?…}) n'a pas de valeur : définissez-la dans .env (Compose signale %s)",
			"a required variable (${VAR:?…}) has no value: set it in .env (Compose reports %s)", said)
	case strings.Contains(msg, "invalid interpolation format"):
		return sayf("interpolation invalide (${…}) : vérifiez les accolades, ou écrivez $$ pour un « $ » littéral (Compose signale %s)",
			`invalid interpolation (${…}): check the braces, or write $$ for a literal "$" (Compose reports %s)`, said)
	case strings.Contains(msg, "invalid hostPort") || strings.Contains(msg, "invalid containerPort") || strings.Contains(msg, "invalid port"):
		return sayf("port publié invalide : écrivez `127.0.0.1:8088:8080` (adresse, port de l'hôte, port du conteneur, en chiffres) (Compose signale %s)",
			"invalid published port: write `127.0.0.1:8088:8080` (address, host port, container port, as numbers) (Compose reports %s)", said)
	case strings.Contains(msg, "invalid duration"):
		return sayf("durée invalide : écrivez par exemple 10s, 1m30s, 500ms (Compose signale %s)",
			"invalid duration: write for example 10s, 1m30s, 500ms (Compose reports %s)", said)
	}
	return sayf("Compose refuse ce projet : corrigez ce qu'il signale, %s", "Compose rejects this project: fix what it reports, %s", said)
}
