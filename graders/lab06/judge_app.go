package lab06

import (
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// bindROObs is what lab6.bind-ro observes through the app: GET /config, the same after the
// host's config/kv.conf was edited, POST /write in /etc/kv, then lab6-kv's mounts.
type bindROObs struct {
	Greeting, Edited string // the value config/kv.conf holds, then the one the grader wrote
	Got, Seen        string // the greeting GET /config gave, and its whole answer
	EditDone         bool   // Got and Seen are from after the edit
	Write            *answer
	Mounted          bool // lab6-kv was inspected
	Mounts           []engine.Mount
}

// judgeBindRO: ./config is bind-mounted read-only on /etc/kv. The app reads the greeting
// from it, sees an edit of the host file without a restart, and cannot write there (EROFS).
func judgeBindRO(o bindROObs) (out check.Outcome, decided bool) {
	if !o.EditDone {
		if o.Got != o.Greeting {
			return check.Failf("GET /config ne donne pas greeting=%s : /etc/kv/kv.conf n'est pas le config/kv.conf du lab.",
				"GET /config does not give greeting=%s: /etc/kv/kv.conf is not the lab's config/kv.conf.", o.Greeting).
				With(`{"greeting":"`+o.Greeting+`"}`, o.Seen), true
		}
		return check.Outcome{}, false
	}
	if o.Got != o.Edited {
		return check.Failf("Après modification de config/kv.conf sur l'hôte, GET /config ne voit pas la nouvelle valeur : le dossier est-il copié plutôt que monté ?",
			"After config/kv.conf was edited on the host, GET /config does not see the new value: is the folder copied rather than mounted?").
			With(`{"greeting":"`+o.Edited+`"}`, o.Seen), true
	}
	if o.Write == nil {
		return check.Outcome{}, false
	}
	if o.Write.Err != nil {
		return check.Failf("POST /write?path=/etc/kv/x n'a pas de réponse.", "POST /write?path=/etc/kv/x gets no answer.").
			With("errno EROFS", check.OneLine(o.Write.Err.Error(), 200)), true
	}
	switch res := o.Write.result(); {
	case res.OK:
		return check.Failf("L'application a pu écrire /etc/kv/x : le bind mount de ./config est en lecture-écriture.",
			"The app could write /etc/kv/x: the ./config bind mount is read-write.").With("errno EROFS", o.Write.reply.String()), true
	case res.Errno != "EROFS":
		return check.Failf("L'écriture dans /etc/kv échoue avec %s, pas EROFS : le montage n'est pas en lecture seule (seuls les droits bloquent).",
			"Writing in /etc/kv fails with %s, not EROFS: the mount is not read-only (only permissions stop it).", res.Errno).
			With("errno EROFS", o.Write.reply.String()), true
	}
	if !o.Mounted {
		return check.Outcome{}, false
	}
	m, ok := mountAt(o.Mounts, "/etc/kv")
	if !ok || m.Type != "bind" || !m.ReadOnly {
		actual := check.Lit("(rien sur /etc/kv)", "(nothing on /etc/kv)")
		if ok {
			actual = describe(m)
		}
		return check.Failf("/etc/kv n'est pas un bind mount en lecture seule.", "/etc/kv is not a read-only bind mount.").
			WithT(check.Same("Type=bind Destination=/etc/kv RW=false"), actual), true
	}
	return check.Passf("/etc/kv est ./config en bind mount RW=false : greeting=%s, modification vue sans redémarrage, écriture refusée (EROFS).",
		"/etc/kv is ./config bind-mounted RW=false: greeting=%s, edit seen without a restart, write refused (EROFS).", o.Greeting), true
}

// tmpfsObs is what lab6.tmpfs observes: lab6-kv's /tmp, then the app filling it, writing a
// marker, and reading the marker back after a restart.
type tmpfsObs struct {
	Container          engine.Container
	Fits, Over         string  // MiB that must fit, and that must not
	Filled, Overfilled *answer // POST /tmpfill of Fits, then of Over
	Marker, Restart    *answer // writing the marker; reading it after the restart
}

// tmpfsMarker is the file written in /tmp before the restart.
const tmpfsMarker = "/tmp/lab6-marker"

// judgeTmpfs: /tmp is a tmpfs that holds Fits MiB, refuses Over MiB with ENOSPC, and loses
// what was written in it when the container restarts.
func judgeTmpfs(o tmpfsObs) (out check.Outcome, decided bool) {
	how, ok := tmpfsAt(o.Container, "/tmp")
	if !ok {
		return check.Failf("/tmp n'est pas un tmpfs dans %s : il est écrit dans la couche du conteneur.",
			"/tmp is not a tmpfs in %s: it is written to the container's layer.", kvName).
			WithT(check.Same("--tmpfs /tmp:rw,size=16m,mode=1777"), describeAll(o.Container.Mounts)), true
	}
	if a := o.Filled; a == nil {
		return check.Outcome{}, false
	} else if a.Err != nil || !a.result().OK {
		return check.Failf("%s Mio ne tiennent pas dans /tmp : le tmpfs est trop petit (ou pas accessible en écriture à l'UID 65532).",
			"%s MiB do not fit in /tmp: the tmpfs is too small (or not writable by UID 65532).", o.Fits).
			With("POST /tmpfill?mb="+o.Fits+" → ok", a.String()+" ; "+how), true
	}
	if a := o.Overfilled; a == nil {
		return check.Outcome{}, false
	} else if a.Err != nil || a.result().Errno != "ENOSPC" {
		return check.Failf("Écrire %s Mio dans /tmp ne donne pas ENOSPC : le tmpfs n'est pas limité à 16 Mio.",
			"Writing %s MiB in /tmp does not give ENOSPC: the tmpfs is not capped at 16 MiB.", o.Over).
			With("POST /tmpfill?mb="+o.Over+" → errno ENOSPC", a.String()+" ; "+how), true
	}
	if a := o.Marker; a == nil {
		return check.Outcome{}, false
	} else if a.Err != nil || !a.result().OK {
		return check.Failf("L'application ne peut pas écrire %s.", "The app cannot write %s.", tmpfsMarker).
			With("POST /write → ok", a.String()), true
	}
	if a := o.Restart; a == nil {
		return check.Outcome{}, false
	} else if a.Err != nil || a.result().Errno != "ENOENT" {
		return check.Failf("%s a survécu au redémarrage du conteneur : /tmp n'est pas en mémoire.",
			"%s survived the container's restart: /tmp is not in memory.", tmpfsMarker).
			WithT(check.Lit("fichier absent (ENOENT)", "file missing (ENOENT)"), check.Same(a.String())), true
	}
	return check.Passf("/tmp est un tmpfs (%s) : %s Mio tiennent, %s Mio → ENOSPC, vidé par un redémarrage.",
		"/tmp is a tmpfs (%s): %s MiB fit, %s MiB → ENOSPC, emptied by a restart.", how, o.Fits, o.Over), true
}
