package report

import (
	"time"

	"github.com/ddlab/grade/internal/check"
)

// startedAt is fixed so golden files are stable; it is not in UTC on purpose (writers must
// convert): 2025-03-01T10:00:00Z.
var startedAt = time.Date(2025, 3, 1, 11, 0, 0, 0, time.FixedZone("CET", 3600))

// hostileLog is the tail of a failed build as a student's Dockerfile can make it: colours,
// an OSC title, a lone ESC, NUL and BEL, CRLF and CR, XML specials, and forged CI commands.
const hostileLog = "#5 [2/3] RUN apt-get install -y curl\n" +
	"#5 0.512 \x1b[31mE: Impossible de trouver le paquet « curl »\x1b[0m\r\n" +
	"#5 0.513 \x1b]0;pwned\x07progression\rterminée\x1b[2K\n" +
	"::error file=Dockerfile,line=1::annotation forgée\n" +
	"  ::add-mask::secret\n" +
	"\x1b[0m::warning::après une couleur\n" +
	"echo ##[error]ancienne commande\n" +
	"NUL\x00 ESC\x1b seul, BEL\x07, DEL\x7f, fin de CDATA ]]> et <script>alert('é')</script> & co\n" +
	"#5 ERROR: process \"/bin/sh -c apt-get install -y curl\" did not complete successfully: exit code: 100\n"

// reportAllPass is a French report where every check passed, with a gate and a bonus.
func reportAllPass() *Report {
	return &Report{
		SchemaVersion: SchemaVersion,
		ToolVersion:   "1.4.0",
		Provenance:    Provenance{SpecDigest: "sha256:0d4e", Timeout: 15 * time.Minute},
		Lab:           "lab3",
		Title:         "Images et couches",
		Submission:    "tp3",
		Lang:          "fr",
		StartedAt:     startedAt,
		Duration:      41234 * time.Millisecond,
		Score:         11,
		Bonus:         1,
		MaxScore:      10,
		Passed:        true,
		Engine:        &Engine{Version: "28.5.2", APIVersion: "1.51", OS: "linux", Arch: "amd64"},
		Build:         &Build{Builder: "buildkit", Duration: 12345 * time.Millisecond, Steps: 7, CachedSteps: 3},
		Results: []check.Result{
			{
				ID: "lab3.builds", Title: "L'image se construit", Kind: "gate", Status: check.Pass,
				Message: "Image construite en 7 étapes.", Duration: 12345 * time.Millisecond,
			},
			{
				ID: "lab3.base-image", Title: "Image de base épinglée", Kind: "required", Status: check.Pass,
				Points: 4, MaxPoints: 4, Message: "FROM python:3.12-slim", Duration: 2 * time.Millisecond,
			},
			{
				ID: "lab3.layer-order", Title: "Dépendances copiées avant le code", Kind: "required", Status: check.Pass,
				Points: 3, MaxPoints: 3, Duration: 1500 * time.Microsecond,
			},
			{
				ID: "lab3.cmd-exec-form", Title: "CMD en forme exec", Kind: "required", Status: check.Pass,
				Points: 3, MaxPoints: 3, Hint: "Écrivez CMD [\"python\", \"app.py\"].",
			},
			{
				ID: "lab3.small-image", Title: "Image de moins de 150 Mo", Kind: "bonus", Status: check.Pass,
				Points: 1, MaxPoints: 1, Message: "L'image pèse 128 Mo.", Duration: 4 * time.Millisecond,
			},
		},
	}
}

// reportMixed is a French report with every status, a failed build whose log tail is hostile, and
// student-controlled text in messages and file names.
func reportMixed() *Report {
	return &Report{
		SchemaVersion: SchemaVersion,
		ToolVersion:   "1.4.0",
		Provenance:    Provenance{SpecDigest: "sha256:5f1c0e", SpecFile: "cours-2025/lab5.yaml", Timeout: 5 * time.Minute, TimeoutOverridden: true, ScriptSandbox: "bubblewrap"},
		Lab:           "lab5",
		Chapter:       5,
		Title:         "Volumes et persistance",
		Submission:    "./rendus/élève-1",
		Lang:          "fr",
		StartedAt:     startedAt,
		Duration:      12500 * time.Millisecond,
		Score:         2.5,
		MaxScore:      10,
		Passed:        false,
		Engine:        &Engine{Version: "20.10.24+dfsg1", APIVersion: "1.41", OS: "linux", Arch: "amd64"},
		Build: &Build{
			Builder: "buildkit", Duration: 8400 * time.Millisecond, Steps: 3, CachedSteps: 1,
			LogTail: hostileLog,
		},
		Results: []check.Result{
			{
				ID: "lab5.dockerfile", Title: "Le Dockerfile est lisible", Kind: "gate", Status: check.Pass,
				Duration: 3 * time.Millisecond,
			},
			{
				ID: "lab5.builds", Title: "L'image se construit", Kind: "gate", Status: check.Fail,
				Message:  "La construction a échoué à l'étape 2/3.",
				Actual:   hostileLog,
				Hint:     "Vérifiez le nom du paquet, et lancez apt-get update && apt-get install dans le même RUN.",
				File:     "Dockerfile",
				Line:     3,
				Duration: 8400 * time.Millisecond,
			},
			{
				ID: "lab5.healthcheck", Title: "L'étape finale déclare un HEALTHCHECK", Kind: "required",
				Status: check.Fail, Points: 0, MaxPoints: 2.5,
				Message:  "Aucune instruction HEALTHCHECK dans l'étape \x1b[1mfinale\x1b[0m.",
				Expected: "HEALTHCHECK CMD curl -f http://localhost/ || exit 1",
				Actual:   "(aucune)",
				Hint:     "Ajoutez HEALTHCHECK après le dernier FROM.",
				File:     "Dockerfile",
				Duration: time.Millisecond,
			},
			{
				ID: "lab5.volume-data", Title: "Un volume nommé est monté sur /data", Kind: "required",
				Status: check.Skip, Points: 0, MaxPoints: 4,
				Message: "Non évalué : le contrôle préalable lab5.builds n'a pas réussi.", BlockedBy: "lab5.builds",
			},
			{
				ID: "lab5.persist", Title: "Les données survivent au redémarrage", Kind: "required",
				Status: check.Error, Points: 0, MaxPoints: 3,
				Message:  "Le moteur Docker n'a pas répondu dans le délai (30 s).",
				Actual:   "context deadline exceeded",
				Hint:     "Cet indice ne doit pas apparaître : une erreur n'est pas la faute de l'étudiant.",
				Duration: 30 * time.Second,
			},
			{
				ID: "lab5.dockerignore", Title: "Un .dockerignore exclut .git", Kind: "required",
				Status: check.Pass, Points: 2.5, MaxPoints: 0.5 + 2,
				File: "rendus\n::error::nom de fichier.txt", Line: 1,
			},
			{
				ID: "lab5.small-image", Title: "Image de moins de 50 Mo", Kind: "bonus", Status: check.Fail,
				Points: 0, MaxPoints: 1, Message: "Pas d'image à mesurer.",
			},
		},
	}
}

// reportEnglish is a report in English graded from an absolute submission path.
func reportEnglish() *Report {
	return &Report{
		SchemaVersion: SchemaVersion,
		ToolVersion:   "1.4.0",
		Provenance:    Provenance{SpecDigest: "sha256:9a7b", Timeout: 90 * time.Second, TimeoutOverridden: true, ScriptSandbox: "none: --sandbox off"},
		Lab:           "lab6",
		Chapter:       6,
		Title:         "Networks",
		Submission:    "/home/alice/lab6",
		Lang:          "en",
		StartedAt:     startedAt,
		Duration:      850 * time.Millisecond,
		Score:         3,
		MaxScore:      6,
		Passed:        false,
		Engine:        &Engine{Version: "28.5.2", APIVersion: "1.51", OS: "linux", Arch: "arm64"},
		Results: []check.Result{
			{
				ID: "lab6.compose-valid", Title: "compose.yaml is valid", Kind: "gate", Status: check.Pass,
			},
			{
				ID: "lab6.user-network", Title: "Services share a user-defined network", Kind: "required",
				Status: check.Pass, Points: 3, MaxPoints: 3, Message: "Network \"backend\" joins web and db.",
			},
			{
				ID: "lab6.db-not-published", Title: "The database port is not published", Kind: "required",
				Status: check.Fail, Points: 0, MaxPoints: 3,
				Message:  "Service db publishes port 5432 on the host.",
				Expected: "no ports: entry on db",
				Actual:   "ports:\n  - \"5432:5432\"",
				Hint:     "Remove ports: from db; web reaches it as db:5432 on the backend network.",
				File:     "compose.yaml",
				Line:     14,
			},
			{
				ID: "lab6.dns", Title: "web resolves db by name", Kind: "bonus", Status: check.Skip,
				MaxPoints: 1, Message: "Not evaluated: prerequisite lab6.db-not-published did not pass.", BlockedBy: "lab6.db-not-published",
			},
		},
	}
}

// reportStatic is a report graded without an engine: no engine, no build, no language set, and the
// engine checks excluded from the denominator.
func reportStatic() *Report {
	return &Report{
		SchemaVersion: SchemaVersion,
		ToolVersion:   "dev",
		Provenance:    Provenance{SpecDigest: "sha256:0d4e", Timeout: 15 * time.Minute},
		Lab:           "lab2",
		Title:         "Premier Dockerfile",
		Submission:    ".",
		StartedAt:     startedAt,
		Duration:      20 * time.Millisecond,
		Score:         3,
		MaxScore:      3,
		Passed:        true,
		Results: []check.Result{
			{
				ID: "lab2.from", Title: "FROM utilise une étiquette précise", Kind: "required", Status: check.Pass,
				Points: 1, MaxPoints: 1, File: "Dockerfile", Line: 1,
			},
			{
				ID: "lab2.workdir", Title: "WORKDIR plutôt que cd", Kind: "required", Status: check.Pass,
				Points: 2, MaxPoints: 2,
			},
			{
				ID: "lab2.runs", Title: "Le conteneur démarre", Kind: "required", Status: check.Skip,
				MaxPoints: 2, Excluded: true,
				Message: "Pas de moteur Docker (mode --static) : vérification hors barème.",
			},
		},
	}
}

// reportGradeError is a report for a submission that could not be graded at all.
func reportGradeError() *Report {
	return &Report{
		SchemaVersion: SchemaVersion,
		ToolVersion:   "1.4.0",
		Provenance:    Provenance{SpecDigest: "sha256:0d4e", Timeout: 15 * time.Minute},
		Lab:           "lab7",
		Title:         "Compose",
		Submission:    "tp7",
		Lang:          "fr",
		StartedAt:     startedAt,
		Duration:      3 * time.Millisecond,
		MaxScore:      12,
		Error: "moteur Docker injoignable : permission denied while trying to connect to the " +
			"Docker daemon socket at unix:///var/run/docker.sock\n::error::injecté",
	}
}

// fixtures are the reports every writer is tested on, by golden file name.
var fixtures = []struct {
	name   string
	report func() *Report
}{
	{"allpass", reportAllPass},
	{"mixed", reportMixed},
	{"english", reportEnglish},
	{"static", reportStatic},
	{"error", reportGradeError},
}
