package lab05

import (
	"fmt"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/buildlab"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/dockerfile"
	"github.com/ddlab/grade/internal/engine"
)

// Lab 5's verdicts on the Dockerfile, its builds and its image, each decided by a pure
// function from what its check observed, so judge_test.go judges every case (the failing
// fixtures' included) without an engine. A check that observes more only when the first
// look decides nothing (the image's files, a second build) has a staged judge: it returns
// decided=false until the observation holds a verdict. The running container's verdicts are
// in judge_app.go. lab5.files has no judge here: the kit's gate (grader.ReadDockerfile)
// decides it.

// judgeOfflineSyntax: no `# syntax=` directive, and every FROM names an allowed base or an
// earlier stage.
func judgeOfflineSyntax(df *dockerfile.Analysis, allowed []string) check.Outcome {
	if df.Syntax != "" {
		return check.Failf("La directive `# syntax=%s` télécharge le frontend depuis un registre, impossible hors ligne. Le correcteur l'a neutralisée pour construire quand même.",
			"The `# syntax=%s` directive pulls the frontend from a registry, impossible offline. The grader neutralised it to build anyway.", df.Syntax).
			At(dockerfileName, df.SyntaxLine).WithT(check.Lit("aucune directive `# syntax=`", "no `# syntax=` directive"), check.Same("# syntax="+df.Syntax))
	}
	stages := map[string]bool{}
	for _, st := range df.Stages {
		base := buildlab.NormalizeRef(st.Base)
		if !stages[strings.ToLower(st.Base)] && !contains(allowed, base) {
			return check.Failf("`FROM %s` n'est pas une image de base autorisée hors ligne.",
				"`FROM %s` is not a base image allowed offline.", st.Base).
				At(dockerfileName, st.Line).WithT(check.T("%s ou une étape précédente", "%s or an earlier stage", strings.Join(allowed, ", ")), check.Same(st.Base))
		}
		if st.Name != "" {
			stages[strings.ToLower(st.Name)] = true
		}
	}
	return check.Passf("Aucune directive # syntax= et toutes les images de base sont autorisées.",
		"No # syntax= directive and every base image is allowed.")
}

// judgeLint: BuildKit's linter finds nothing; otherwise the first ten findings are shown.
func judgeLint(lint []dockerfile.Problem) check.Outcome {
	if len(lint) == 0 {
		return check.Passf("Le linter BuildKit ne signale rien.", "The BuildKit linter reports nothing.")
	}
	var lines []string
	for i, p := range lint {
		if i == 10 {
			lines = append(lines, fmt.Sprintf("… (+%d)", len(lint)-10))
			break
		}
		// The linter's own line, as `docker build --check` prints it.
		lines = append(lines, fmt.Sprintf("%s:%d %s: %s", dockerfileName, p.Line, p.Rule, p.Message))
	}
	first := lint[0]
	o := check.Failf("Le linter BuildKit signale %d problèmes, dont %s ligne %d.",
		"The BuildKit linter reports %d problems, including %s on line %d.", len(lint), first.Rule, first.Line)
	if len(lint) == 1 {
		o = check.Failf("Le linter BuildKit signale un problème : %s ligne %d.",
			"The BuildKit linter reports one problem: %s on line %d.", first.Rule, first.Line)
	}
	return o.At(dockerfileName, first.Line).WithT(check.Lit("0 avertissement", "0 warnings"), check.Same(strings.Join(lines, "\n")))
}

// judgeCacheMount: the RUN that compiles (go build or go install) mounts a BuildKit cache on
// Go's build cache: its default place, a */go-build folder, or where GOCACHE points (set by
// ENV or on the command line). A cache on another step speeds nothing the lab asks for.
func judgeCacheMount(df *dockerfile.Analysis) check.Outcome {
	gocache := map[string]bool{}
	for _, st := range df.Stages {
		for _, c := range st.Commands {
			if c.Name == "env" {
				for _, kv := range c.Args {
					if v, ok := strings.CutPrefix(kv, "GOCACHE="); ok {
						gocache[path.Clean(v)] = true
					}
				}
			}
		}
	}
	elsewhere := 0 // line of a build-cache mount on a step that does not compile
	for _, st := range df.Stages {
		for _, c := range st.Commands {
			for _, m := range c.Mounts {
				t := path.Clean(m.Target)
				if m.Type != "cache" || !(t == "/root/.cache/go-build" || path.Base(t) == "go-build" || gocache[t] ||
					strings.Contains(c.Text, "GOCACHE="+t)) {
					continue
				}
				if !c.Runs("go build") && !c.Runs("go install") {
					if elsewhere == 0 {
						elsewhere = c.Line
					}
					continue
				}
				return check.Passf("Ligne %d : cache BuildKit monté sur %s pour la compilation.", "Line %d: BuildKit cache mounted on %s for the compile step.", c.Line, m.Target).
					At(dockerfileName, c.Line)
			}
		}
	}
	if elsewhere > 0 {
		return check.Failf("Ligne %d : le cache de compilation Go est monté sur une instruction RUN qui ne compile pas : montez-le sur celle de `go build`.",
			"Line %d: Go's build cache is mounted on a RUN instruction that does not compile: mount it on the `go build` one.", elsewhere).
			At(dockerfileName, elsewhere).
			WithT(check.Same("RUN --mount=type=cache,target=/root/.cache/go-build go build …"), check.T("ligne %d, sans `go build`", "line %d, without `go build`", elsewhere))
	}
	return check.Failf("Aucune instruction RUN ne monte de cache sur le cache de compilation Go.",
		"No RUN instruction mounts a cache on Go's build cache.").
		WithT(check.Same("RUN --mount=type=cache,target=/root/.cache/go-build go build …"), check.Lit("aucun", "none"))
}

// built is one build as a judge sees it: what the engine returned, and whether the check's
// deadline cut it short.
type built struct {
	Res      engine.BuildResult
	TimedOut bool
}

// noImage is the kit's verdict on a build that produced no image; ok is true when it
// produced one. what names the build in the message ("--target test").
func (b built) noImage(what check.Text) (o check.Outcome, ok bool) {
	if b.TimedOut || b.Res.Failed {
		return judgeBuilt(b.Res, b.TimedOut, what), false
	}
	return check.Outcome{}, true
}

// judgeBuilt is buildlab.Judge with the offline bases lab 5 allows.
func judgeBuilt(res engine.BuildResult, timedOut bool, what check.Text) check.Outcome {
	return buildlab.Judge(res, timedOut, what, offlineBases)
}

// buildObs is what lab5.build observes: the build, and the ports its image exposes.
type buildObs struct {
	Build   built
	Port    string   // the spec's port
	Exposed []string // the image's exposed ports ("8080/tcp"), when it was built
}

// judgeBuild: the image builds offline with the spec's build args and exposes the port.
func judgeBuild(o buildObs) check.Outcome {
	if out, ok := o.Build.noImage(check.Same("VERSION=1.2.3")); !ok {
		return out
	}
	port := o.Port + "/tcp"
	if !contains(o.Exposed, port) {
		return check.Failf("L'image se construit mais n'expose pas le port %s.", "The image builds but does not expose port %s.", port).
			WithT(check.Same("EXPOSE "+o.Port), exposed(o.Exposed)).Because("expose")
	}
	return check.Passf("Image construite en %s (%s), port %s exposé.", "Image built in %s (%s), port %s exposed.",
		check.Duration(o.Build.Res.Duration.Round(100*time.Millisecond)), o.Build.Res.Builder, port)
}

// multistageObs is what lab5.multistage observes: the Dockerfile, then the image's files.
type multistageObs struct {
	DF     *dockerfile.Analysis
	Finals []string      // the final bases the spec allows
	Files  []engine.File // the final image's files
	Listed bool          // Files was observed
}

// judgeMultistage: two stages at least, a minimal final base, and no Go toolchain or source
// in the final image. decided is false until the files are listed.
func judgeMultistage(o multistageObs) (out check.Outcome, decided bool) {
	if len(o.DF.Stages) < 2 {
		return check.Failf("Le Dockerfile n'a qu'une étape : l'image finale embarque la chaîne de compilation.",
			"The Dockerfile has a single stage: the final image carries the toolchain.").
			WithT(check.Lit("au moins 2 étapes", "at least 2 stages"), stageCount(len(o.DF.Stages))), true
	}
	final := o.DF.Final()
	if !contains(o.Finals, buildlab.NormalizeRef(final.Base)) {
		return check.Failf("L'étape finale part de %s au lieu d'une base minimale.", "The final stage starts from %s instead of a minimal base.", final.Base).
			At(dockerfileName, final.Line).WithT(check.Lit(strings.Join(o.Finals, " ou "), strings.Join(o.Finals, " or ")), check.Same(final.Base)), true
	}
	if !o.Listed {
		return check.Outcome{}, false
	}
	var found []string
	for _, f := range o.Files {
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
			WithT(check.Lit("ni /usr/local/go, ni binaire go, ni fichier .go", "no /usr/local/go, no go binary, no .go file"), check.Same(strings.Join(found, "\n"))), true
	}
	return check.Passf("%d étapes ; l'image finale (FROM %s) ne contient ni Go ni sources.",
		"%d stages; the final image (FROM %s) holds neither Go nor sources.", len(o.DF.Stages), final.Base), true
}

// judgeSize: the final image weighs at most limit bytes.
func judgeSize(size, limit int64) check.Outcome {
	got, max := check.Size(float64(size)), check.Size(float64(limit))
	if size > limit {
		return check.Failf("L'image finale pèse %s, plus que %s.", "The final image weighs %s, more than %s.", got, max).
			WithT(check.T("≤ %s", "≤ %s", max), got)
	}
	return check.Passf("L'image finale pèse %s.", "The final image weighs %s.", got)
}

// tinyObs is what lab5.tiny observes: the image's size, then its files.
type tinyObs struct {
	Size, Limit int64
	Files       []engine.File
	Listed      bool // Files was observed
}

// shells are the names of the programs that give a shell, wherever they are: the shells
// themselves and the multi-call binaries whose applets include one.
var shells = map[string]bool{"sh": true, "bash": true, "ash": true, "dash": true, "zsh": true, "ksh": true, "mksh": true,
	"csh": true, "tcsh": true, "fish": true, "busybox": true, "toybox": true}

// shellIn names a file of the image that is a shell or a link to one, /bin/sh first, "" when
// there is none.
func shellIn(files []engine.File) string {
	for _, f := range files {
		if f.Path == "/bin/sh" {
			return f.Path
		}
	}
	for _, f := range files {
		if f.Dir {
			continue
		}
		if shells[path.Base(f.Path)] {
			return f.Path
		}
		if f.Link != "" && shells[path.Base(f.Link)] {
			return f.Path + " → " + f.Link
		}
	}
	return ""
}

// judgeTiny: at most the tiny limit, and no shell anywhere (not only /bin/sh: a busybox in
// /usr/bin or an applet link is one). decided is false until the files of a small enough
// image are listed.
func judgeTiny(o tinyObs) (out check.Outcome, decided bool) {
	if o.Size > o.Limit {
		got, max := check.Size(float64(o.Size)), check.Size(float64(o.Limit))
		return check.Failf("L'image pèse %s, plus que %s.", "The image weighs %s, more than %s.", got, max).
			WithT(check.T("≤ %s", "≤ %s", max), got), true
	}
	if !o.Listed {
		return check.Outcome{}, false
	}
	if sh := shellIn(o.Files); sh != "" {
		return check.Failf("L'image contient un shell (%s).", "The image holds a shell (%s).", sh).WithT(check.Lit("aucun shell", "no shell"), check.Same(sh)), true
	}
	return check.Passf("Image de %s sans shell.", "Image of %s with no shell.", check.Size(float64(o.Size))), true
}

// cacheObs is what a cache check observes: the grader's edit of the submission, then the
// rebuild it caused.
type cacheObs struct {
	Layout error  // why the submission could not be edited as the lab's layout promises
	Build  built  // the rebuild after the edit
	First  string // the image lab5.build made
}

// judgeCacheDeps: after a code edit, `go mod download` stays cached and `go build` re-runs.
func judgeCacheDeps(o cacheObs) check.Outcome {
	if o.Layout != nil {
		return layoutFail(o.Layout)
	}
	if out, ok := o.Build.noImage(check.Lit("après modification de cmd/server/main.go", "after editing cmd/server/main.go")); !ok {
		return out
	}
	steps := o.Build.Res.Steps
	download, compile := findStep(steps, "go mod download"), findStep(steps, "go build")
	switch {
	case download == nil:
		return check.Failf("Aucune étape `RUN … go mod download` : les dépendances ne sont pas installées dans une étape à part.",
			"No `RUN … go mod download` step: dependencies are not installed in a step of their own.").
			WithT(check.Lit("RUN go mod download, avant le COPY du code", "RUN go mod download, before the code is copied"), stepNames(steps))
	case !download.Cached:
		return check.Failf("Après une modification de cmd/server/main.go, l'étape `go mod download` a été réexécutée : elle dépend du code.",
			"After editing cmd/server/main.go, the `go mod download` step ran again: it depends on the code.").
			With("CACHED "+download.Name, download.Name)
	case compile == nil:
		return check.Failf("Aucune étape `RUN … go build` trouvée.", "No `RUN … go build` step found.").
			WithT(check.Same("RUN go build …"), stepNames(steps))
	case compile.Cached:
		return check.Failf("Après une modification du code, l'étape `go build` est restée en cache : le code n'est pas copié avant la compilation ?",
			"After editing the code, the `go build` step stayed cached: is the code copied before compiling?").
			WithT(check.T("%s réexécutée", "%s run again", compile.Name), check.Same("CACHED "+compile.Name))
	case strings.Contains(compile.Output, "go: downloading"):
		// The cache flag says the step was reused, not that it did its work: a `go mod
		// download` that fails behind `|| true` stays cached while go build fetches every time.
		got := firstLineWith(compile.Output, "go: downloading")
		return check.Failf("`go mod download` est en cache, mais `go build` retélécharge les modules (%s) : l'étape des dépendances ne les installe pas (échoue-t-elle en silence ?).",
			"`go mod download` is cached, but `go build` downloads the modules again (%s): the dependency step does not install them (does it fail silently?).", got).
			WithT(check.Lit("aucun « go: downloading » dans `go build`", "no \"go: downloading\" in `go build`"), check.Same(got))
	}
	return check.Passf("Code modifié : `go mod download` en cache, `go build` réexécuté.",
		"Code edited: `go mod download` cached, `go build` re-run.")
}

// firstLineWith is the first line of s that holds text, trimmed.
func firstLineWith(s, text string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, text) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// judgeCacheDocs: after an edit of README.md and docs/, no RUN step re-runs.
func judgeCacheDocs(o cacheObs) check.Outcome {
	if o.Layout != nil {
		return layoutFail(o.Layout)
	}
	if out, ok := o.Build.noImage(check.Lit("après modification de la documentation", "after editing the docs")); !ok {
		return out
	}
	var reran []string
	for _, st := range o.Build.Res.Steps {
		if runStep.MatchString(st.Name) && !st.Cached {
			reran = append(reran, st.Name)
		}
	}
	if len(reran) > 0 {
		o := check.Failf("Modifier README.md et docs/ a relancé %d étapes RUN : la documentation entre dans le contexte copié.",
			"Editing README.md and docs/ re-ran %d RUN steps: the docs are part of the copied context.", len(reran))
		if len(reran) == 1 {
			o = check.Failf("Modifier README.md et docs/ a relancé une étape RUN : la documentation entre dans le contexte copié.",
				"Editing README.md and docs/ re-ran a RUN step: the docs are part of the copied context.")
		}
		return o.WithT(check.Lit("toutes les étapes RUN en cache", "every RUN step cached"), check.Same(strings.Join(reran, "\n")))
	}
	if o.Build.Res.ImageID == o.First {
		return check.Passf("Documentation modifiée : aucune étape RUN relancée (image identique).", "Docs edited: no RUN step re-ran (same image).")
	}
	return check.Passf("Documentation modifiée : aucune étape RUN relancée.", "Docs edited: no RUN step re-ran.")
}

// testStageObs is what lab5.test-stage observes, stage by stage.
type testStageObs struct {
	HasStage bool   // the Dockerfile names a stage "test"
	Plain    *built // --target test as submitted; nil until built
	Layout   error  // why the failing test could not be written
	Injected *built // --target test with a failing test added; nil until built
}

// judgeTestStage: `--target test` builds as submitted, and fails by running the failing test
// the grader adds. decided is false while the next build must be observed.
func judgeTestStage(o testStageObs) (out check.Outcome, decided bool) {
	if !o.HasStage {
		return check.Failf("Aucune étape nommée « test » (`FROM … AS test`).", "No stage named \"test\" (`FROM … AS test`)."), true
	}
	if o.Plain == nil {
		return check.Outcome{}, false
	}
	if out, ok := o.Plain.noImage(check.Same("--target test")); !ok {
		return out, true
	}
	if o.Layout != nil {
		return layoutFail(o.Layout), true
	}
	if o.Injected == nil {
		return check.Outcome{}, false
	}
	res := o.Injected.Res
	if o.Injected.TimedOut {
		return judgeBuilt(res, true, check.Lit("--target test avec un test en échec", "--target test with a failing test")), true
	}
	if !res.Failed || !strings.Contains(res.Log, "TestGradeInjected") {
		return check.Failf("Un test en échec a été ajouté dans cmd/server, mais `--target test` réussit encore (ou échoue sans l'exécuter) : l'étape test n'exécute pas `go test ./...`.",
			"A failing test was added to cmd/server, yet `--target test` still succeeds (or fails without running it): the test stage does not run `go test ./...`.").
			WithT(check.Lit("échec de TestGradeInjected", "TestGradeInjected failing"), check.Same(check.Tail(res.Log, buildlab.LogTailLines))), true
	}
	return check.Passf("`--target test` réussit, et échoue avec un test en échec injecté.",
		"`--target test` succeeds, and fails once a failing test is injected."), true
}

// layoutFail is the verdict when the grader cannot edit the submission as the lab's layout
// promises (cmd/server missing, README.md a folder…): the starter's layout was changed.
func layoutFail(err error) check.Outcome {
	return check.Failf("La soumission ne suit pas l'organisation du lab (cmd/server/main.go, README.md, docs/) : « %v »",
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

func stepNames(steps []engine.Step) check.Text {
	var names []string
	for _, st := range steps {
		if runStep.MatchString(st.Name) {
			names = append(names, st.Name)
		}
	}
	if len(names) == 0 {
		return check.Lit("aucune étape RUN", "no RUN step")
	}
	return check.Same(strings.Join(names, "\n"))
}

func exposed(ports []string) check.Text {
	if len(ports) == 0 {
		return check.Lit("aucun port exposé", "no exposed port")
	}
	return check.Same(strings.Join(ports, ", "))
}

// stageCount words a number of stages below two.
func stageCount(n int) check.Text {
	if n == 0 {
		return check.Lit("aucune étape", "no stage")
	}
	return check.T("%d étape", "%d stage", n)
}
