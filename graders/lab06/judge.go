package lab06

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/script"
)

// Lab 6's verdicts, each decided by a pure function from what its check observed, so
// judge_test.go judges every case (the failing fixtures' included) without an engine. A
// check that acts between looks (edits a file, restarts, runs a script) observes in stages:
// its judge returns decided=false while the observation so far holds no verdict.

// answer is one request to the app: its reply, or the error that replaced it.
type answer struct {
	reply
	Err error
}

func ask(r reply, err error) answer { return answer{r, err} }

// String words the reply or the error.
func (a answer) String() string { return seen(a.reply, a.Err) }

// filesObs is what lab6.files observes.
type filesObs struct {
	Refused *check.Outcome // the copy's refusal, if any
	Missing []string
	Odd     []check.Text // each unusable file and why: "up.sh (vide)"
}

// judgeFiles: the copy refused nothing, and every required file is a regular, non-empty file.
func judgeFiles(o filesObs) check.Outcome {
	switch {
	case o.Refused != nil:
		return *o.Refused
	case len(o.Missing) > 0:
		return check.Failf("Fichiers manquants : %s.", "Missing files: %s.", strings.Join(o.Missing, ", ")).
			WithT(check.Same(strings.Join(required, ", ")), check.T("absents : %s", "missing: %s", strings.Join(o.Missing, ", ")))
	case len(o.Odd) > 0:
		odd := check.Join(o.Odd, ", ", ", ")
		return check.Failf("Fichiers inutilisables : %[1]s.", "Unusable files: %[2]s.", odd.FR, odd.EN).
			WithT(check.Lit("des fichiers texte non vides", "non-empty text files"), odd)
	}
	return check.Passf("Les scripts et config/kv.conf sont présents.", "The scripts and config/kv.conf are present.")
}

// namedVolumeObs is what lab6.named-volume observes: up.sh's failure, lab6-kv's mounts,
// then lab6-data's labels.
type namedVolumeObs struct {
	Start  *check.Outcome
	Mounts []engine.Mount
	Labels map[string]string
	Volume bool // the volume was inspected
}

// judgeNamedVolume: lab6-kv mounts the named volume lab6-data on /data, and the volume
// carries the lab's label.
func judgeNamedVolume(o namedVolumeObs) (out check.Outcome, decided bool) {
	if o.Start != nil {
		return *o.Start, true
	}
	want := "Type=volume Source=" + volumeName + " Destination=/data"
	m, ok := mountAt(o.Mounts, "/data")
	switch {
	case !ok:
		return check.Failf("Rien n'est monté sur /data dans %s.", "Nothing is mounted on /data in %s.", kvName).
			WithT(check.Same(want), describeAll(o.Mounts)), true
	case m.Type != "volume":
		return check.Failf("/data est un montage %s, pas le volume nommé %s.", "/data is a %s mount, not the named volume %s.", m.Type, volumeName).
			WithT(check.Same(want), describe(m)), true
	case anonymousName.MatchString(m.Source):
		return check.Failf("/data est un volume anonyme (créé par VOLUME de l'image), pas le volume nommé %s.",
			"/data is an anonymous volume (made by the image's VOLUME), not the named volume %s.", volumeName).WithT(check.Same(want), describe(m)), true
	case m.Source != volumeName:
		return check.Failf("/data est le volume %s, pas %s.", "/data is volume %s, not %s.", m.Source, volumeName).WithT(check.Same(want), describe(m)), true
	}
	if !o.Volume {
		return check.Outcome{}, false
	}
	if o.Labels["ddlab.lab"] != "lab6" {
		return check.Failf("Le volume %s n'a pas le label ddlab.lab=lab6.", "Volume %s lacks the label ddlab.lab=lab6.", volumeName).
			WithT(check.Same("ddlab.lab=lab6"), labelsText(o.Labels)), true
	}
	return check.Passf("%s monte le volume nommé %s sur /data ; le volume porte ddlab.lab=lab6.",
		"%s mounts the named volume %s on /data; the volume carries ddlab.lab=lab6.", kvName, volumeName), true
}

// judgeIdempotent: two up.sh in a row both exit 0 and leave lab6-kv running (start: why
// it is not).
func judgeIdempotent(up []script.Result, start *check.Outcome) check.Outcome {
	if len(up) > 0 && up[0].ExitCode != 0 {
		return grader.ScriptFailedAs(check.Lit("up.sh (premier lancement)", "up.sh (first run)"), up[0])
	}
	if len(up) > 1 && up[1].ExitCode != 0 {
		return grader.ScriptFailedAs(check.Lit("up.sh (second lancement, juste après le premier)", "up.sh (second run, right after the first)"), up[1])
	}
	if start != nil {
		return *start
	}
	return check.Passf("Deux up.sh de suite : code 0 les deux fois, %s tourne.", "Two up.sh in a row: exit 0 both times, %s runs.", kvName)
}

// leftObs is what a removing script (down.sh, purge.sh) left.
type leftObs struct {
	Script    script.Result
	Left      []string // the lab's containers that still exist
	HasVolume bool     // lab6-data still exists
}

// judgeDownKeeps: down.sh removes the lab's containers and keeps the volume.
func judgeDownKeeps(o leftObs) check.Outcome {
	if fail := (&scriptRun{check.Same("down.sh"), o.Script}).failed(); fail != nil {
		return *fail
	}
	if len(o.Left) > 0 {
		return check.Failf("Après down.sh, des conteneurs du lab existent encore : %s.", "After down.sh, lab containers still exist: %s.",
			strings.Join(o.Left, ", ")).WithT(noLabContainer, check.Same(strings.Join(o.Left, ", ")))
	}
	if !o.HasVolume {
		return check.Failf("down.sh a supprimé le volume %s : les données sont perdues.", "down.sh removed volume %s: the data is lost.", volumeName).
			WithT(check.T("le volume %s existe encore", "volume %s still exists", volumeName), check.Lit("volume absent", "volume missing"))
	}
	return check.Passf("Après down.sh : plus aucun conteneur lab6, le volume %s existe toujours.",
		"After down.sh: no lab6 container left, volume %s still exists.", volumeName)
}

// judgeNoAnonymous: no lab container mounted an anonymous volume. seen describes each one
// mounted; left are those still on the engine.
func judgeNoAnonymous(seen []check.Text, left []string) check.Outcome {
	if len(seen) == 0 {
		return check.Passf("Aucun volume anonyme dans les conteneurs du lab (up.sh, down.sh, up.sh).",
			"No anonymous volume in the lab's containers (up.sh, down.sh, up.sh).")
	}
	mounted := check.Join(seen, "; ", "; ")
	actual := check.T("volumes anonymes montés : %[1]s", "anonymous volumes mounted: %[2]s", mounted.FR, mounted.EN)
	if len(left) > 0 {
		still := check.T("\nencore présents sur le moteur : %s", "\nstill on the engine: %s", strings.Join(left, ", "))
		actual.FR, actual.EN = actual.FR+still.FR, actual.EN+still.EN
	}
	vols := check.Lit("Un volume anonyme a été monté", "An anonymous volume was mounted")
	if len(seen) > 1 {
		vols = check.T("%d volumes anonymes ont été montés", "%d anonymous volumes were mounted", len(seen))
	}
	var kept check.Text
	switch {
	case len(left) == 0 && len(seen) == 1:
		kept = check.Lit("mais il a été supprimé depuis", "but it has since been removed")
	case len(left) == 0:
		kept = check.Lit("mais aucun n'est resté sur le moteur", "but none was left on the engine")
	case len(seen) == 1:
		kept = check.Lit("et il est resté sur le moteur", "and it was left on the engine")
	case len(left) == 1:
		kept = check.Lit("dont un resté sur le moteur", "one of them left on the engine")
	default:
		kept = check.T("dont %d restés sur le moteur", "%d of them left on the engine", len(left))
	}
	return check.Failf("%[1]s par les conteneurs du lab, %[3]s.", "%[2]s by the lab's containers, %[4]s.", vols.FR, vols.EN, kept.FR, kept.EN).
		WithT(check.Lit("aucun volume anonyme (64 caractères hexadécimaux)", "no anonymous volume (64 hex digits)"), actual)
}

// persistenceObs is what lab6.persistence observes: down.sh, the container before and
// after up.sh, then GET k.
type persistenceObs struct {
	Nonce         string
	Down          script.Result
	Before, After string // lab6-kv's ID; After is "" until up.sh ran again
	Get           *answer
}

// judgePersistence: a value written through the app survives down.sh and up.sh, which must
// have removed and re-created the container.
func judgePersistence(o persistenceObs) (out check.Outcome, decided bool) {
	if fail := (&scriptRun{check.Same("down.sh"), o.Down}).failed(); fail != nil {
		return *fail, true
	}
	if o.After == "" {
		return check.Outcome{}, false
	}
	if o.After == o.Before {
		return check.Failf("%s n'a pas été recréé : down.sh ne l'a pas supprimé et up.sh l'a gardé, la persistance n'est pas prouvée.",
			"%s was not re-created: down.sh did not remove it and up.sh kept it, so persistence is not shown.", kvName).
			WithT(check.Lit("un nouveau conteneur après down.sh puis up.sh", "a new container after down.sh then up.sh"),
				check.T("le même conteneur %s", "the same container %s", check.ShortID(o.Before))), true
	}
	if o.Get == nil {
		return check.Outcome{}, false
	}
	if o.Get.Err != nil {
		return check.Failf("GET /kv/%s après up.sh n'a pas de réponse.", "GET /kv/%s after up.sh gets no answer.", key).
			With(o.Nonce, check.OneLine(o.Get.Err.Error(), 200)), true
	}
	if r := o.Get.reply; r.Status != http.StatusOK || r.Body != o.Nonce {
		return check.Failf("La valeur écrite avant down.sh a disparu après up.sh : /data n'est pas dans le volume %s.",
			"The value written before down.sh is gone after up.sh: /data is not in volume %s.", volumeName).
			With("HTTP 200 "+o.Nonce, r.String()), true
	}
	return check.Passf("PUT /kv/%s avant down.sh, relu après up.sh dans un nouveau conteneur (%s → %s).",
		"PUT /kv/%s before down.sh, read back after up.sh in a new container (%s → %s).", key, check.ShortID(o.Before), check.ShortID(o.After)), true
}

// purgeObs is what lab6.purge observes: what purge.sh left, then (on a local engine) up.sh
// and GET k.
type purgeObs struct {
	leftObs
	Remote bool
	Host   string // DOCKER_HOST, for the remote engine's skip
	Up     *script.Result
	Get    *answer
}

// judgePurge: purge.sh removes the containers and the volume; the next up.sh starts empty.
func judgePurge(o purgeObs) (out check.Outcome, decided bool) {
	if fail := (&scriptRun{check.Same("purge.sh"), o.Script}).failed(); fail != nil {
		return *fail, true
	}
	if o.HasVolume {
		return check.Failf("Après purge.sh, le volume %s existe encore.", "After purge.sh, volume %s still exists.", volumeName).
			WithT(check.T("volume %s supprimé", "volume %s removed", volumeName), check.Lit("le volume existe", "the volume exists")), true
	}
	if len(o.Left) > 0 {
		return check.Failf("Après purge.sh, des conteneurs du lab existent encore : %s.", "After purge.sh, lab containers still exist: %s.",
			strings.Join(o.Left, ", ")).WithT(noLabContainer, check.Same(strings.Join(o.Left, ", "))), true
	}
	if o.Remote {
		// Half a check is not a pass: the empty restart is what the title promises.
		return check.RemoteSkip(o.Host, fmt.Sprintf("purge.sh a bien retiré les conteneurs et le volume %s, mais le redémarrage à vide (up.sh, puis GET par le port publié) ne peut pas être vérifié d'ici.", volumeName),
			fmt.Sprintf("purge.sh did remove the containers and volume %s, but the empty restart (up.sh, then GET through the published port) cannot be checked from here.", volumeName)), true
	}
	if o.Up == nil {
		return check.Outcome{}, false
	}
	if fail := (&scriptRun{check.Lit("up.sh (après purge.sh)", "up.sh (after purge.sh)"), *o.Up}).failed(); fail != nil {
		return *fail, true
	}
	if o.Get == nil {
		return check.Outcome{}, false
	}
	if o.Get.Err != nil {
		return check.Failf("GET /kv/%s après purge.sh et up.sh n'a pas de réponse.", "GET /kv/%s after purge.sh and up.sh gets no answer.", key).
			With("HTTP 404", check.OneLine(o.Get.Err.Error(), 200)), true
	}
	if o.Get.Status != http.StatusNotFound {
		return check.Failf("Après purge.sh puis up.sh, GET /kv/%s ne renvoie pas 404 : les anciennes données sont encore là.",
			"After purge.sh then up.sh, GET /kv/%s does not return 404: the old data is still there.", key).With("HTTP 404", o.Get.reply.String()), true
	}
	return check.Passf("Après purge.sh : ni conteneur ni volume ; up.sh repart à vide (GET /kv/%s → 404).",
		"After purge.sh: no container, no volume; up.sh starts empty (GET /kv/%s → 404).", key), true
}

// whereObs is what lab6.where observes.
type whereObs struct {
	NoVolume   bool // lab6-data does not exist
	Mountpoint string
	Script     script.Result
}

// judgeWhere: where.sh prints the volume's folder on the engine's host, its Mountpoint.
func judgeWhere(o whereObs) check.Outcome {
	if o.NoVolume {
		return check.Skipf("Non évalué : le volume %s n'existe pas (voir lab6.persistence).",
			"Not evaluated: volume %s does not exist (see lab6.persistence).", volumeName)
	}
	if fail := (&scriptRun{check.Same("where.sh"), o.Script}).failed(); fail != nil {
		return *fail
	}
	got, mp := lastLine(o.Script.Stdout), o.Mountpoint
	if got != mp {
		return check.Failf("where.sh affiche « %s » et non le dossier du volume sur l'hôte du moteur, son Mountpoint %s (la dernière ligne affichée compte).",
			"where.sh prints %q, not the volume's folder on the engine's host, its Mountpoint %s (the last line printed counts).", got, mp).
			With(mp, got)
	}
	// The Mountpoint of a volume named by the contract is predictable: only a script that asked
	// the engine (volume inspect or ls, system df, a container's mounts) has found it.
	if asked, known := grader.Asked(o.Script, askedWhere); known && !asked {
		return check.Failf("where.sh affiche %s sans l'avoir demandé au moteur : le chemin est deviné, pas observé (docker volume inspect).",
			"where.sh prints %s without asking the engine: the path is guessed, not observed (docker volume inspect).", mp).
			WithT(check.T("une requête au moteur (docker volume inspect %s)", "a request to the engine (docker volume inspect %s)", volumeName), grader.Requests(o.Script.Requests))
	}
	return check.Passf("where.sh affiche %s, le Mountpoint du volume %s.", "where.sh prints %s, volume %s's Mountpoint.", mp, volumeName)
}

// askedWhere are the engine requests that tell a volume's Mountpoint.
var askedWhere = regexp.MustCompile(`^GET /(volumes|system/df|containers/[^/]+/json)`)

// backupObs is what lab6.backup observes: backup.sh, then the volume's mounts while it ran,
// the containers they left, and the archive.
type backupObs struct {
	NoRestart  bool // up.sh after down.sh left no lab6-kv: nothing to back up
	Nonce      string
	Script     script.Result
	Mounted    bool // the mounts were observed
	Mounts     []engine.Event
	Left       []string // short IDs of the mounting containers that still exist
	Entries    []entry
	ArchiveErr error
}

// judgeBackup: backup.sh archives the volume with a throw-away container that mounts it
// read-only, and the archive holds the value at key.
func judgeBackup(o backupObs) (out check.Outcome, decided bool) {
	if o.NoRestart {
		return check.Skipf("Non évalué : up.sh après down.sh n'a pas relancé %s (voir lab6.persistence).",
			"Not evaluated: up.sh after down.sh did not restart %s (see lab6.persistence).", kvName), true
	}
	if fail := (&scriptRun{check.Same("backup.sh"), o.Script}).failed(); fail != nil {
		return *fail, true
	}
	if !o.Mounted {
		return check.Outcome{}, false
	}
	if len(o.Mounts) == 0 {
		return check.Failf("Aucun conteneur n'a monté le volume %s pendant backup.sh.", "No container mounted volume %s during backup.sh.", volumeName).
			WithT(check.Same("docker run --rm -v "+volumeName+":/data:ro …"), check.Lit("aucun montage du volume", "no mount of the volume")), true
	}
	for _, m := range o.Mounts {
		if m.Attrs["read/write"] != "false" {
			return check.Failf("Le conteneur de sauvegarde monte %s en lecture-écriture.", "The backup container mounts %s read-write.", volumeName).
				WithT(check.Same(volumeName+":/data:ro"), check.T("read/write=%s sur %s", "read/write=%s on %s", m.Attrs["read/write"], m.Attrs["destination"])), true
		}
	}
	if len(o.Left) > 0 {
		return check.Failf("Le conteneur de sauvegarde existe encore après backup.sh : il doit être jetable (--rm).",
			"The backup container still exists after backup.sh: it must be thrown away (--rm).").
			WithT(check.Lit("aucun conteneur restant", "no container left"), check.Same(strings.Join(o.Left, ", "))), true
	}
	if err := o.ArchiveErr; err != nil {
		why := errText(err)
		return check.Failf("%[1]s est illisible : %[2]s", "%[1]s is unreadable: %[3]s", backupFile, why.FR, why.EN).
			WithT(check.Lit("une archive tar.gz", "a tar.gz archive"), why).At(backupFile, 0), true
	}
	got, ok := archiveValue(o.Entries, key)
	switch {
	case !ok:
		return check.Failf("%s ne contient pas le fichier %s du volume.", "%s does not hold the volume's file %s.", backupFile, key).
			WithT(check.T("%[1]s (ou ./%[1]s)", "%[1]s (or ./%[1]s)", key), names(o.Entries)).At(backupFile, 0), true
	case got != o.Nonce:
		return check.Failf("Dans %s, %s ne contient pas la valeur du volume.", "In %s, %s does not hold the volume's value.", backupFile, key).
			With(o.Nonce, check.OneLine(got, 200)).At(backupFile, 0), true
	}
	return check.Passf("%s contient %s ; le conteneur jetable montait %s en lecture seule.",
		"%s holds %s; the throw-away container mounted %s read-only.", backupFile, key, volumeName), true
}

// sharedROObs is what lab6.shared-ro observes in lab6-reader: reader.sh, cat of k with the
// reader's mounts, then touch.
type sharedROObs struct {
	Nonce  string
	Reader script.Result
	Cat    *engine.ExecResult
	Mounts check.Text // the reader's mounts, described (empty when it could not be inspected)
	Touch  *engine.ExecResult
}

// judgeSharedRO: lab6-reader mounts the same volume read-only: it reads the value the app
// wrote, and cannot write.
func judgeSharedRO(o sharedROObs) (out check.Outcome, decided bool) {
	if fail := (&scriptRun{check.Same("reader.sh"), o.Reader}).failed(); fail != nil {
		return *fail, true
	}
	if o.Cat == nil {
		return check.Outcome{}, false
	}
	if cat := o.Cat; cat.ExitCode != 0 || cat.Stdout != o.Nonce {
		got := check.T("cat /data/%s → code %d : « %s »", "cat /data/%s → code %d: \"%s\"", key, cat.ExitCode, check.OneLine(cat.Stdout+" "+cat.Stderr, 200))
		if o.Mounts.FR != "" {
			got = check.Join([]check.Text{got, o.Mounts}, "\n", "\n")
		}
		return check.Failf("Dans %s, /data/%s ne contient pas la valeur écrite par l'application : ce n'est pas le même volume.",
			"In %s, /data/%s does not hold the value the app wrote: it is not the same volume.", readerName, key).
			WithT(check.Same(o.Nonce), got), true
	}
	if o.Touch == nil {
		return check.Outcome{}, false
	}
	if o.Touch.ExitCode == 0 {
		return check.Failf("touch /data/x a réussi dans %s : le volume y est monté en écriture.", "touch /data/x succeeded in %s: the volume is mounted read-write there.", readerName).
			WithT(check.Same("touch: /data/x: Read-only file system"), check.Same("code 0")), true
	}
	if !strings.Contains(o.Touch.Stderr, "Read-only file system") {
		return check.Failf("touch /data/x échoue dans %s, mais pas parce que le montage est en lecture seule.",
			"touch /data/x fails in %s, but not because the mount is read-only.", readerName).
			WithT(check.Same("Read-only file system"), check.Same(check.OneLine(o.Touch.Stderr, 200))), true
	}
	return check.Passf("%s lit /data/%s (la valeur écrite par %s) et touch /data/x échoue : « Read-only file system ».",
		"%s reads /data/%s (the value %s wrote) and touch /data/x fails: Read-only file system.", readerName, key, kvName), true
}

// noLabContainer is what a removing script must leave.
var noLabContainer = check.Lit("aucun conteneur lab6", "no lab6 container")
