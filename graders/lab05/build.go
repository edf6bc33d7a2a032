package lab05

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/docker/go-units"

	"github.com/ddlab/grade/internal/buildlab"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// build runs one build of the snapshot and registers the image for removal.
func (s *state) build(ctx context.Context, purpose, target string) (engine.BuildResult, error) {
	r := s.run
	args := map[string]string{}
	for _, kv := range strings.Fields(r.Spec.Params["build-args"]) {
		k, v, _ := strings.Cut(kv, "=")
		args[k] = v
	}
	r.Progress(fmt.Sprintf("build (%s)…", purpose))
	return s.kit.Build(ctx, engine.BuildRequest{Tag: fmt.Sprintf("ddlab-grade/%s:%s", r.ID[:12], purpose), Target: target, BuildArgs: args})
}

// buildOutcome is the verdict on a build that did not produce an image: the Dockerfile's
// fault, or a build that never finished. ok is false when o is the verdict.
func buildOutcome(ctx context.Context, res engine.BuildResult, err error, what string) (o check.Outcome, ok bool, _ error) {
	return buildlab.Outcome(ctx, res, err, what, offlineBases)
}

func (s *state) checkBuild(ctx context.Context) (check.Outcome, error) {
	if err := s.kit.WithoutSyntax(); err != nil {
		return check.Outcome{}, err
	}
	res, err := s.build(ctx, "main", "")
	b := buildlab.Summary(res)
	s.run.Build = b
	if o, ok, err := buildOutcome(ctx, res, err, "VERSION=1.2.3"); !ok {
		b.LogTail = o.Actual
		return o, err
	}
	img, err := s.run.Engine.InspectImage(ctx, res.ImageID)
	if err != nil {
		return check.Outcome{}, err
	}
	s.image, s.imageRef = img, res.ImageID
	port := s.run.Spec.Params["port"] + "/tcp"
	if !contains(img.ExposedPorts, port) {
		return check.Failf("L'image se construit mais n'expose pas le port %s.", "The image builds but does not expose port %s.", port).
			With("EXPOSE "+s.run.Spec.Params["port"], exposed(img.ExposedPorts)), nil
	}
	return check.Passf("Image construite en %s (%s), port %s exposé.", "Image built in %s (%s), port %s exposed.",
		res.Duration.Round(100*time.Millisecond), res.Builder, port), nil
}

func (s *state) imageFiles(ctx context.Context) ([]engine.File, error) {
	if s.files == nil {
		f, err := s.run.Engine.ImageFiles(ctx, s.imageRef)
		if err != nil {
			return nil, err
		}
		s.files = f
	}
	return s.files, nil
}

func (s *state) checkMultistage(ctx context.Context) (check.Outcome, error) {
	if len(s.df.Stages) < 2 {
		return check.Failf("Le Dockerfile n'a qu'une étape : l'image finale embarque la chaîne de compilation.",
			"The Dockerfile has a single stage: the final image carries the toolchain.").
			With("au moins 2 étapes", fmt.Sprintf("%d étape", len(s.df.Stages))), nil
	}
	final := s.df.Final()
	finals := strings.Fields(s.run.Spec.Params["final-bases"])
	if !contains(finals, buildlab.NormalizeRef(final.Base)) {
		return check.Failf("L'étape finale part de %s au lieu d'une base minimale.", "The final stage starts from %s instead of a minimal base.", final.Base).
			At(dockerfileName, final.Line).With(strings.Join(finals, " ou "), final.Base), nil
	}
	files, err := s.imageFiles(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	var found []string
	for _, f := range files {
		base := filepath.Base(f.Path)
		if strings.HasPrefix(f.Path, "/usr/local/go/") || f.Path == "/usr/local/go" ||
			(base == "go" && !f.Dir && f.Mode&0o111 != 0) || (strings.HasSuffix(base, ".go") && !f.Dir) {
			found = append(found, f.Path)
		}
		if len(found) == 5 {
			break
		}
	}
	if len(found) > 0 {
		return check.Failf("L'image finale contient encore la chaîne Go ou des sources.", "The final image still holds the Go toolchain or sources.").
			With("ni /usr/local/go, ni binaire go, ni fichier .go", strings.Join(found, "\n")), nil
	}
	return check.Passf("%d étapes ; l'image finale (FROM %s) ne contient ni Go ni sources.",
		"%d stages; the final image (FROM %s) holds neither Go nor sources.", len(s.df.Stages), final.Base), nil
}

func (s *state) checkSize(context.Context) (check.Outcome, error) {
	limit, err := units.FromHumanSize(s.run.Spec.Params["max-size"])
	if err != nil {
		return check.Outcome{}, fmt.Errorf("params.max-size: %w", err)
	}
	got := units.HumanSize(float64(s.image.Size))
	if s.image.Size > limit {
		return check.Failf("L'image finale pèse %s, plus que %s.", "The final image weighs %s, more than %s.", got, units.HumanSize(float64(limit))).
			With("≤ "+units.HumanSize(float64(limit)), got), nil
	}
	return check.Passf("L'image finale pèse %s.", "The final image weighs %s.", got), nil
}

// runStep matches BuildKit vertices of RUN instructions ("[build 3/5] RUN …") and classic
// steps ("Step 3/9 : RUN …").
var runStep = regexp.MustCompile(`^(\[[^\]]*\d+/\d+\]|Step \d+/\d+ :) RUN `)

// touch appends a line to every named file of the snapshot, so the next build sees new
// content (mtime alone does not bust either builder's cache).
func (s *state) touch(rel []string, line string) ([]string, error) {
	var done []string
	for _, p := range rel {
		path := filepath.Join(s.run.Dir, filepath.FromSlash(p))
		// Excluded files are absent from the snapshot: write them anyway, as a student's
		// edit would, and let .dockerignore decide.
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return done, err
		}
		f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return done, err
		}
		_, err = fmt.Fprintf(f, "\n%s\n", line)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return done, err
		}
		done = append(done, p)
	}
	return done, nil
}

func (s *state) checkCacheDeps(ctx context.Context) (check.Outcome, error) {
	if _, err := s.touch([]string{"cmd/server/main.go"}, "// grade "+s.run.ID+" cache-deps"); err != nil {
		return layoutFail(err), nil
	}
	res, err := s.build(ctx, "cache-deps", "")
	if o, ok, err := buildOutcome(ctx, res, err, "après modification de cmd/server/main.go"); !ok {
		return o, err
	}
	download, compile := findStep(res.Steps, "go mod download"), findStep(res.Steps, "go build")
	switch {
	case download == nil:
		return check.Failf("Aucune étape `RUN … go mod download` : les dépendances ne sont pas installées dans une étape à part.",
			"No `RUN … go mod download` step: dependencies are not installed in a step of their own.").
			With("RUN go mod download, avant COPY du code", stepNames(res.Steps)), nil
	case !download.Cached:
		return check.Failf("Après une modification de cmd/server/main.go, l'étape `go mod download` a été réexécutée : elle dépend du code.",
			"After editing cmd/server/main.go, the `go mod download` step ran again: it depends on the code.").
			With("CACHED "+download.Name, download.Name), nil
	case compile == nil:
		return check.Failf("Aucune étape `RUN … go build` trouvée.", "No `RUN … go build` step found.").
			With("RUN go build …", stepNames(res.Steps)), nil
	case compile.Cached:
		return check.Failf("Après une modification du code, l'étape `go build` est restée en cache : le code n'est pas copié avant la compilation ?",
			"After editing the code, the `go build` step stayed cached: is the code copied before compiling?").
			With(compile.Name+" réexécutée", "CACHED "+compile.Name), nil
	}
	return check.Passf("Code modifié : `go mod download` en cache, `go build` réexécuté.",
		"Code edited: `go mod download` cached, `go build` re-run."), nil
}

func (s *state) checkCacheDocs(ctx context.Context) (check.Outcome, error) {
	docs := []string{"README.md"}
	if entries, err := os.ReadDir(filepath.Join(s.run.Dir, "docs")); err == nil {
		for _, e := range entries {
			if e.Type().IsRegular() {
				docs = append(docs, "docs/"+e.Name())
			}
		}
	} else {
		docs = append(docs, "docs/grade.md")
	}
	if _, err := s.touch(docs, "<!-- grade "+s.run.ID+" cache-docs -->"); err != nil {
		return layoutFail(err), nil
	}
	res, err := s.build(ctx, "cache-docs", "")
	if o, ok, err := buildOutcome(ctx, res, err, "après modification de la documentation"); !ok {
		return o, err
	}
	var reran []string
	for _, st := range res.Steps {
		if runStep.MatchString(st.Name) && !st.Cached {
			reran = append(reran, st.Name)
		}
	}
	if len(reran) > 0 {
		return check.Failf("Modifier README.md et docs/ a relancé %d étape(s) RUN : la documentation entre dans le contexte copié.",
			"Editing README.md and docs/ re-ran %d RUN step(s): the docs are part of the copied context.", len(reran)).
			With("toutes les étapes RUN en cache", strings.Join(reran, "\n")), nil
	}
	same := ""
	if res.ImageID == s.imageRef {
		same = " (image identique)"
	}
	return check.Passf("Documentation modifiée : aucune étape RUN relancée%s.", "Docs edited: no RUN step re-ran%s.", same), nil
}

func (s *state) checkTestStage(ctx context.Context) (check.Outcome, error) {
	if s.df.StageByName("test") == nil {
		return check.Failf("Aucune étape nommée « test » (`FROM … AS test`).", "No stage named \"test\" (`FROM … AS test`)."), nil
	}
	res, err := s.build(ctx, "test", "test")
	if o, ok, err := buildOutcome(ctx, res, err, "--target test"); !ok {
		return o, err
	}
	inject := filepath.Join(s.run.Dir, "cmd", "server", "zz_grade_injected_test.go")
	src := "package main\n\nimport \"testing\"\n\n// Written by grade: the test stage must fail on it.\nfunc TestGradeInjected(t *testing.T) { t.Fatal(\"échec injecté par grade " + s.run.ID + "\") }\n"
	if err := os.WriteFile(inject, []byte(src), 0o644); err != nil {
		return layoutFail(err), nil
	}
	defer os.Remove(inject)
	res, err = s.build(ctx, "test-injected", "test")
	if err != nil {
		o, _, err := buildOutcome(ctx, res, err, "--target test avec un test en échec")
		return o, err
	}
	if !res.Failed || !strings.Contains(res.Log, "TestGradeInjected") {
		return check.Failf("Un test en échec a été ajouté dans cmd/server, mais `--target test` réussit encore (ou échoue sans l'exécuter) : l'étape test n'exécute pas `go test ./...`.",
			"A failing test was added to cmd/server, yet `--target test` still succeeds (or fails without running it): the test stage does not run `go test ./...`.").
			With("échec de TestGradeInjected", check.Tail(res.Log, buildlab.LogTailLines)), nil
	}
	return check.Passf("`--target test` réussit, et échoue avec un test en échec injecté.",
		"`--target test` succeeds, and fails once a failing test is injected."), nil
}

func (s *state) checkTiny(ctx context.Context) (check.Outcome, error) {
	limit, err := units.FromHumanSize(s.run.Spec.Params["tiny-size"])
	if err != nil {
		return check.Outcome{}, fmt.Errorf("params.tiny-size: %w", err)
	}
	if s.image.Size > limit {
		return check.Failf("L'image pèse %s, plus que %s.", "The image weighs %s, more than %s.",
			units.HumanSize(float64(s.image.Size)), units.HumanSize(float64(limit))).
			With("≤ "+units.HumanSize(float64(limit)), units.HumanSize(float64(s.image.Size))), nil
	}
	files, err := s.imageFiles(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	for _, f := range files {
		if f.Path == "/bin/sh" {
			return check.Failf("L'image contient un shell (/bin/sh).", "The image holds a shell (/bin/sh).").With("pas de /bin/sh", "/bin/sh"), nil
		}
	}
	return check.Passf("Image de %s sans shell.", "Image of %s with no shell.", units.HumanSize(float64(s.image.Size))), nil
}

// layoutFail is the verdict when the grader cannot edit the submission as the lab's layout
// promises (cmd/server missing, README.md a folder…): the starter's layout was changed.
func layoutFail(err error) check.Outcome {
	return check.Failf("La soumission ne suit pas l'organisation du lab (cmd/server/main.go, README.md, docs/) : %v",
		"The submission does not follow the lab's layout (cmd/server/main.go, README.md, docs/): %v", err)
}

func findStep(steps []engine.Step, text string) *engine.Step {
	for i := range steps {
		if runStep.MatchString(steps[i].Name) && strings.Contains(steps[i].Name, text) {
			return &steps[i]
		}
	}
	return nil
}

func stepNames(steps []engine.Step) string {
	var names []string
	for _, st := range steps {
		if runStep.MatchString(st.Name) {
			names = append(names, st.Name)
		}
	}
	if len(names) == 0 {
		return "aucune étape RUN"
	}
	return strings.Join(names, "\n")
}

func exposed(ports []string) string {
	if len(ports) == 0 {
		return "aucun port exposé"
	}
	return strings.Join(ports, ", ")
}
