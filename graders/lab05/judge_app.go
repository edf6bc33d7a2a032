package lab05

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/probe"
)

// Lab 5's verdicts on the running container, pure like judge.go's. The container the checks
// share gives one verdict to all of them when it cannot run (judgeNotStarted, judgeExited,
// judgeDied, judgeAnswer); each check's own judge decides the rest.

// judgeNotStarted: the engine created the container but could not start it (the image's
// entrypoint cannot run: no shell in scratch…); why is the engine's complaint.
func judgeNotStarted(why string) check.Outcome {
	return check.Failf("Le conteneur ne démarre pas : « %s »", "The container does not start: %s", check.Clip(why, 300))
}

// judgeExited: the container stopped within its first moment; logs are its last output.
func judgeExited(c engine.Container, logs string) check.Outcome {
	return check.Failf("Le conteneur s'arrête aussitôt (code de sortie %d).", "The container stops at once (exit code %d).", c.ExitCode).
		WithT(keepsRunning, check.Same(check.Tail(logs, 10)))
}

// judgeDied: the container stopped on its own later, during grading.
func judgeDied(c engine.Container, logs string) check.Outcome {
	return check.Failf("Le conteneur s'est arrêté tout seul pendant la correction (code de sortie %d).",
		"The container stopped by itself during grading (exit code %d).", c.ExitCode).
		WithT(keepsRunning, check.Same(check.Tail(logs, 10)))
}

// keepsRunning is what judgeExited and judgeDied expected.
var keepsRunning = check.Lit("un conteneur qui reste démarré", "a container that keeps running")

// judgeAnswer is the verdict on a GET the app did not answer; nil when it answered.
func judgeAnswer(path string, port int, resp probe.Response) *check.Outcome {
	if resp.OK {
		return nil
	}
	o := check.Failf("GET %s sur le port %d ne répond pas depuis le conteneur.", "GET %s on port %d gets no answer inside the container.", path, port).
		WithT(check.Lit("une réponse HTTP 200", "an HTTP 200 response"), check.Same(resp.Err))
	return &o
}

// nonRootObs is what lab5.nonroot observes: the image's USER, then the app's /whoami.
type nonRootObs struct {
	User   string
	Whoami *string // the body of GET /whoami; nil until asked
}

// judgeNonRoot: USER is a numeric non-zero UID, and the app sees that UID. decided is false
// until the app is asked.
func judgeNonRoot(o nonRootObs) (out check.Outcome, decided bool) {
	uid, _, _ := strings.Cut(o.User, ":")
	n, err := strconv.Atoi(uid)
	switch {
	case o.User == "":
		return check.Failf("L'image ne déclare pas d'utilisateur : le conteneur tourne en root.", "The image sets no user: the container runs as root.").
			With("USER 65532", "(root)"), true
	case err != nil:
		return check.Failf("USER %s est un nom : utilisez un UID numérique (l'image finale n'a pas forcément de /etc/passwd).",
			"USER %s is a name: use a numeric UID (the final image may have no /etc/passwd).", o.User).
			WithT(check.Lit("un UID numérique ≠ 0", "a numeric UID ≠ 0"), check.Same(o.User)), true
	case n == 0:
		return check.Failf("USER 0 : le conteneur tourne en root.", "USER 0: the container runs as root.").WithT(check.Lit("un UID ≠ 0", "a UID ≠ 0"), check.Same(o.User)), true
	case o.Whoami == nil:
		return check.Outcome{}, false
	}
	var who struct {
		UID int `json:"uid"`
	}
	if err := json.Unmarshal([]byte(*o.Whoami), &who); err != nil {
		return check.Failf("GET /whoami ne renvoie pas le JSON attendu.", "GET /whoami does not return the expected JSON.").
			With(`{"uid": …}`, check.Clip(*o.Whoami, 300)), true
	}
	if who.UID == 0 {
		return check.Failf("L'application se voit en root (uid 0) malgré USER %s.", "The app sees itself as root (uid 0) despite USER %s.", o.User).
			With("uid ≠ 0", "uid 0"), true
	}
	return check.Passf("USER %s ; /whoami répond uid %d.", "USER %s; /whoami answers uid %d.", o.User, who.UID), true
}

// healthObs is what lab5.healthcheck observes: the image's HEALTHCHECK, then the container
// look after look.
type healthObs struct {
	Test []string          // the image's healthcheck test ("CMD", "/app/server", …)
	Ctr  *engine.Container // the latest look at the container; nil before the first
	Late bool              // the health wait is over
	Wait time.Duration     // the health wait
}

// judgeHealthcheck: an exec-form HEALTHCHECK, and the container healthy within the wait.
// decided is false while the container is still starting and the wait is not over.
func judgeHealthcheck(o healthObs) (out check.Outcome, decided bool) {
	hc := o.Test
	switch {
	case len(hc) == 0 || hc[0] == "NONE":
		return check.Failf("L'image n'a pas de HEALTHCHECK.", "The image has no HEALTHCHECK.").
			WithT(check.Same(`HEALTHCHECK CMD ["/app/server","healthcheck"]`), check.Lit("aucun", "none")), true
	case hc[0] != "CMD":
		return check.Failf("Le HEALTHCHECK est en forme shell (%s) : sans shell dans l'image il ne peut pas s'exécuter.",
			"The HEALTHCHECK uses the shell form (%s): with no shell in the image it cannot run.", hc[0]).
			WithT(check.Lit(`CMD ["…"] (forme exec)`, `CMD ["…"] (exec form)`), check.Same(strings.Join(hc, " "))), true
	case o.Ctr == nil:
		return check.Outcome{}, false
	}
	switch c := *o.Ctr; {
	case c.Health == "healthy":
		return check.Passf("Conteneur healthy (HEALTHCHECK %s).", "Container healthy (HEALTHCHECK %s).", strings.Join(hc[1:], " ")), true
	case c.Health == "unhealthy" || !c.Running:
		return check.Failf("Le conteneur est %s.", "The container is %s.", orState(c)).
			With("healthy", lastLines(c.HealthLog, 3)), true
	case o.Late:
		return check.Failf("Le conteneur n'est pas healthy après %s (état : %s) : intervalle trop long ?",
			"The container is not healthy after %s (state: %s): interval too long?", o.Wait, c.Health).
			WithT(check.T("healthy en moins de %s", "healthy within %s", o.Wait), check.Same(c.Health)), true
	}
	return check.Outcome{}, false
}

// versionObs is what lab5.version observes: the image's labels, then the app's /version.
type versionObs struct {
	Want    string            // the spec's version
	Labels  map[string]string // the image's
	Version *string           // the body of GET /version; nil until asked
}

// judgeVersion: the OCI version label and GET /version both give the version built with.
// decided is false until the app is asked.
func judgeVersion(o versionObs) (out check.Outcome, decided bool) {
	const label = "org.opencontainers.image.version"
	switch got, ok := o.Labels[label]; {
	case !ok:
		return check.Failf("L'image n'a pas le label %s.", "The image has no %s label.", label).WithT(check.Same(label+"="+o.Want), check.Lit("absent", "missing")), true
	case got != o.Want:
		return check.Failf("Le label %s vaut %q.", "Label %s is %q.", label, got).With(label+"="+o.Want, label+"="+got), true
	case o.Version == nil:
		return check.Outcome{}, false
	}
	if got := strings.TrimSpace(*o.Version); got != o.Want {
		return check.Failf("GET /version renvoie %q : VERSION n'atteint pas la compilation.", "GET /version returns %q: VERSION does not reach the compile step.", got).
			With(o.Want, got), true
	}
	return check.Passf("GET /version renvoie %s et le label est posé.", "GET /version returns %s and the label is set.", o.Want), true
}

// signalsObs is what lab5.signals observes of one `docker stop`.
type signalsObs struct {
	Took     time.Duration // from the stop request to the container's end
	ExitCode int
	Limit    time.Duration // the spec's stop-max
}

// judgeSignals: the app ends on SIGTERM, in less than the limit, with code 0. A shell as
// PID 1 does not pass SIGTERM on: the app is killed at the end of the grace period.
func judgeSignals(o signalsObs) check.Outcome {
	took := check.Duration(o.Took.Round(10 * time.Millisecond))
	got := check.T("arrêt en %s, code %d", "stopped in %s, code %d", took, o.ExitCode)
	switch {
	case o.Took >= o.Limit:
		return check.Failf("docker stop a pris %s : SIGTERM n'atteint pas l'application (PID 1 est un shell ?), elle a été tuée.",
			"docker stop took %s: SIGTERM does not reach the app (is PID 1 a shell?), it was killed.", took).
			WithT(check.T("arrêt en moins de %s, code 0", "stopped within %s, code 0", check.Duration(o.Limit)), got)
	case o.ExitCode != 0:
		return check.Failf("L'application s'arrête vite mais avec le code %d.", "The app stops quickly but with exit code %d.", o.ExitCode).
			WithT(check.Same("code 0"), got)
	}
	return check.Passf("docker stop : arrêt en %s, code %d.", "docker stop: stopped in %s, code %d.", took, o.ExitCode)
}

func orState(c engine.Container) string {
	if c.Health != "" && c.Running {
		return c.Health
	}
	return fmt.Sprintf("%s (code %d)", c.Status, c.ExitCode)
}

func lastLines(lines []string, n int) string {
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}
