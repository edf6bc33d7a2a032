package lab06

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/ddlab/grade/internal/buildctx"
	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/check/checktest"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/script"
)

// Every verdict of lab 6 judged from recorded observations, without an engine. The cases
// named after a fixture (testdata/<case>) are what that fixture makes the check observe on
// the real engine; the integration test checks the same verdicts end to end.

const nonce = "lab6-0123456789ab"

var (
	exit0      = script.Result{}
	refusedErr = errors.New("dial tcp 127.0.0.1:8086: connect: connection refused")
)

func ans(status int, body string) *answer { return &answer{reply: reply{Status: status, Body: body}} }

func noAnswer() *answer { return &answer{Err: refusedErr} }

func exec(code int, stdout, stderr string) *engine.ExecResult {
	return &engine.ExecResult{ExitCode: code, Stdout: stdout, Stderr: stderr}
}

func TestJudgeFiles(t *testing.T) {
	symlink := (&grader.Run{Refused: []buildctx.Problem{{Path: "config/kv.conf",
		Message: check.T("%s est un lien symbolique qui sort du dossier du lab (%s) : remplacez-le par le fichier lui-même.",
			"%s is a symbolic link leaving the lab folder (%s): replace it with the file itself.", "config/kv.conf", "/etc/hostname")}}}).RefusedOutcome()
	tests := []struct {
		name string
		o    filesObs
		want check.Status
		msg  string
	}{
		{"solution", filesObs{}, check.Pass, "sont présents"},
		{"fixture fail-files-missing", filesObs{Missing: []string{"reader.sh", "config/kv.conf"}}, check.Fail, "reader.sh, config/kv.conf"},
		{"fixture fail-files-symlink", filesObs{Refused: symlink}, check.Fail, "lien symbolique"},
		{"an empty script", filesObs{Odd: []check.Text{check.Lit("up.sh (vide)", "up.sh (empty)")}}, check.Fail, "inutilisables : up.sh (vide)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeFiles(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeNamedVolume(t *testing.T) {
	started := grader.ScriptFailed("up.sh", script.Result{ExitCode: 1, Output: "TODO: à compléter"})
	hung := grader.ScriptFailed("up.sh", script.Result{ExitCode: -1, TimedOut: true, Duration: 2 * time.Second})
	data := []engine.Mount{{Type: "volume", Source: volumeName, Destination: "/data"}}
	tests := []struct {
		name string
		o    namedVolumeObs
		done bool
		want check.Status
		msg  string
	}{
		{"fixture starter", namedVolumeObs{Start: &started}, true, check.Fail, "up.sh s'est terminé avec le code 1"},
		{"fixture fail-hang", namedVolumeObs{Start: &hung}, true, check.Fail, "n'a pas fini en 2s"},
		{"nothing on /data", namedVolumeObs{Mounts: []engine.Mount{{Type: "tmpfs", Destination: "/tmp"}}}, true, check.Fail, "Rien n'est monté sur /data"},
		{"a bind mount", namedVolumeObs{Mounts: []engine.Mount{{Type: "bind", Source: "/srv/data", Destination: "/data"}}}, true, check.Fail, "montage bind"},
		{"fixture fail-mounts", namedVolumeObs{Mounts: []engine.Mount{{Type: "volume", Source: anon, Destination: "/data"}}}, true, check.Fail, "volume anonyme"},
		{"another volume", namedVolumeObs{Mounts: []engine.Mount{{Type: "volume", Source: "data", Destination: "/data/"}}}, true, check.Fail, "est le volume data, pas lab6-data"},
		{"right mount: the volume is looked at next", namedVolumeObs{Mounts: data}, false, 0, ""},
		{"no label", namedVolumeObs{Mounts: data, Volume: true}, true, check.Fail, "n'a pas le label"},
		{"solution", namedVolumeObs{Mounts: data, Volume: true, Labels: map[string]string{"ddlab.lab": "lab6"}}, true, check.Pass, "porte ddlab.lab=lab6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeNamedVolume(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeIdempotent(t *testing.T) {
	notRunning := check.Failf("%s existe mais ne tourne pas.", "%s exists but is not running.", kvName)
	tests := []struct {
		name   string
		up     []script.Result
		start  *check.Outcome
		want   check.Status
		msg    string
		actual string
	}{
		{"solution", []script.Result{exit0, exit0}, nil, check.Pass, "code 0 les deux fois", ""},
		{"fixture starter", []script.Result{{ExitCode: 1, Output: "TODO: à compléter\n"}}, nil, check.Fail, "up.sh (premier lancement)", "à compléter"},
		{"fixture fail-hang", []script.Result{{ExitCode: -1, TimedOut: true, Duration: 2 * time.Second}}, nil, check.Fail, "n'a pas fini", ""},
		{"fixture fail-lifecycle", []script.Result{exit0, {ExitCode: 125, Output: `docker: Error response from daemon: Conflict. The container name "/lab6-kv" is already in use by container "3f2a".`}},
			nil, check.Fail, "second lancement", "is already in use"},
		{"both exit 0, the app is not running", []script.Result{exit0, exit0}, &notRunning, check.Fail, "ne tourne pas", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := judgeIdempotent(tt.up, tt.start)
			checktest.Verdict(t, o, tt.want, tt.msg)
			assert.Contains(t, o.Actual.FR, tt.actual)
		})
	}
}

func TestJudgeDownKeeps(t *testing.T) {
	tests := []struct {
		name string
		o    leftObs
		want check.Status
		msg  string
	}{
		{"solution", leftObs{Script: exit0, HasVolume: true}, check.Pass, "existe toujours"},
		{"down.sh fails", leftObs{Script: script.Result{ExitCode: 2}, HasVolume: true}, check.Fail, "down.sh s'est terminé avec le code 2"},
		{"containers left", leftObs{Script: exit0, Left: []string{kvName, readerName}, HasVolume: true}, check.Fail, "lab6-kv, lab6-reader"},
		{"fixture fail-lifecycle", leftObs{Script: exit0}, check.Fail, "a supprimé le volume"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeDownKeeps(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeNoAnonymous(t *testing.T) {
	seen := []check.Text{check.Lit("0123456789ab… (lab6-kv, après le premier up.sh)", "0123456789ab… (lab6-kv, after the first up.sh)"),
		check.Lit("fedcba987654… (lab6-kv, après down.sh puis up.sh)", "fedcba987654… (lab6-kv, after down.sh then up.sh)")}
	checktest.Verdict(t, judgeNoAnonymous(nil, nil), check.Pass, "Aucun volume anonyme")

	o := judgeNoAnonymous(seen, []string{"0123456789ab…", "fedcba987654…"})
	checktest.Verdict(t, o, check.Fail, "2 volumes anonymes ont été montés par les conteneurs du lab, dont 2 restés sur le moteur")
	assert.Contains(t, o.Actual.FR, "encore présents sur le moteur", "fixture fail-mounts: down.sh without -v")

	o = judgeNoAnonymous(seen[:1], nil)
	checktest.Verdict(t, o, check.Fail, "Un volume anonyme a été monté par les conteneurs du lab, mais il a été supprimé depuis")
	assert.NotContains(t, o.Actual.FR, "encore présents", "removed with -v, still mounted")
}

func TestJudgePersistence(t *testing.T) {
	const before, after = "aaaaaaaaaaaa1111", "bbbbbbbbbbbb2222"
	obs := func(after string, get *answer) persistenceObs {
		return persistenceObs{Nonce: nonce, Down: exit0, Before: before, After: after, Get: get}
	}
	tests := []struct {
		name string
		o    persistenceObs
		done bool
		want check.Status
		msg  string
	}{
		{"down.sh fails", persistenceObs{Down: script.Result{ExitCode: 1}}, true, check.Fail, "down.sh s'est terminé avec le code 1"},
		{"down.sh ran: up.sh is next", obs("", nil), false, 0, ""},
		{"the same container (down.sh only stops it)", obs(before, nil), true, check.Fail, "n'a pas été recréé"},
		{"re-created: the app is asked next", obs(after, nil), false, 0, ""},
		{"no answer", obs(after, noAnswer()), true, check.Fail, "n'a pas de réponse"},
		{"fixture fail-mounts", obs(after, ans(404, `{"error":"not found"}`)), true, check.Fail, "a disparu"},
		{"fixture fail-lifecycle", obs(after, ans(404, `{"error":"not found"}`)), true, check.Fail, "a disparu"},
		{"another value", obs(after, ans(200, "autre")), true, check.Fail, "a disparu"},
		{"solution", obs(after, ans(200, nonce)), true, check.Pass, "(aaaaaaaaaaaa → bbbbbbbbbbbb)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgePersistence(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgePurge(t *testing.T) {
	gone := leftObs{Script: exit0}
	up := &script.Result{}
	tests := []struct {
		name string
		o    purgeObs
		done bool
		want check.Status
		msg  string
	}{
		{"purge.sh fails", purgeObs{leftObs: leftObs{Script: script.Result{ExitCode: 1}}}, true, check.Fail, "purge.sh s'est terminé"},
		{"fixture fail-lifecycle", purgeObs{leftObs: leftObs{Script: exit0, HasVolume: true}}, true, check.Fail, "existe encore"},
		{"containers left", purgeObs{leftObs: leftObs{Script: exit0, Left: []string{readerName}}}, true, check.Fail, "des conteneurs du lab existent encore : lab6-reader"},
		{"remote engine: skipped out of the denominator", purgeObs{leftObs: gone, Remote: true, Host: "tcp://ci:2376"}, true, check.Skip, "le redémarrage à vide"},
		{"all gone: up.sh is next", purgeObs{leftObs: gone}, false, 0, ""},
		{"up.sh fails after purge", purgeObs{leftObs: gone, Up: &script.Result{ExitCode: 1}}, true, check.Fail, "up.sh (après purge.sh)"},
		{"up.sh ran: the app is asked next", purgeObs{leftObs: gone, Up: up}, false, 0, ""},
		{"no answer", purgeObs{leftObs: gone, Up: up, Get: noAnswer()}, true, check.Fail, "n'a pas de réponse"},
		{"old data back (a bind mount kept it)", purgeObs{leftObs: gone, Up: up, Get: ans(200, nonce)}, true, check.Fail, "ne renvoie pas 404"},
		{"solution", purgeObs{leftObs: gone, Up: up, Get: ans(404, "")}, true, check.Pass, "repart à vide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgePurge(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
			assert.Equal(t, tt.want == check.Skip, o.Excluded, "only the remote engine's skip leaves the denominator")
		})
	}
}

func TestJudgeWhere(t *testing.T) {
	const mp = "/var/lib/docker/volumes/lab6-data/_data"
	tests := []struct {
		name string
		o    whereObs
		want check.Status
		msg  string
	}{
		{"no volume", whereObs{NoVolume: true}, check.Skip, "n'existe pas"},
		{"where.sh fails", whereObs{Mountpoint: mp, Script: script.Result{ExitCode: 127, Output: "where.sh: fichier absent"}}, check.Fail, "where.sh est absent"},
		{"fixture fail-lifecycle", whereObs{Mountpoint: mp, Script: script.Result{Stdout: "lab6-data\n"}}, check.Fail,
			"affiche « lab6-data » et non le dossier du volume"},
		{"the whole inspect (the last line counts)", whereObs{Mountpoint: mp, Script: script.Result{Stdout: "\"Mountpoint\": \"" + mp + "\",\n}\n]\n"}},
			check.Fail, "affiche « ] »"},
		{"a guessed path", whereObs{Mountpoint: "/srv/docker/volumes/lab6-data/_data", Script: script.Result{Stdout: mp + "\n"}}, check.Fail, "son Mountpoint /srv/docker"},
		{"solution", whereObs{Mountpoint: mp, Script: script.Result{Stdout: "Le volume est ici :\n" + mp + "\n",
			Requests: []string{"HEAD /_ping", "GET /v1.41/volumes/lab6-data"}}}, check.Pass, "where.sh affiche " + mp},
		{"the mounts of lab6-kv", whereObs{Mountpoint: mp, Script: script.Result{Stdout: mp + "\n",
			Requests: []string{"GET /v1.41/containers/lab6-kv/json"}}}, check.Pass, "where.sh affiche " + mp},
		{"on a remote engine the requests are not known", whereObs{Mountpoint: mp, Script: script.Result{Stdout: mp + "\n"}}, check.Pass, "where.sh affiche " + mp},
		{"fixture fail-host-escape: the right path, echoed without asking", whereObs{Mountpoint: mp, Script: script.Result{Stdout: mp + "\n",
			Requests: []string{}}}, check.Fail, "sans l'avoir demandé au moteur"},
		{"asking something else does not count", whereObs{Mountpoint: mp, Script: script.Result{Stdout: mp + "\n",
			Requests: []string{"HEAD /_ping", "GET /v1.41/info"}}}, check.Fail, "le chemin est deviné"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { checktest.Verdict(t, judgeWhere(tt.o), tt.want, tt.msg) })
	}
}

func TestJudgeBackup(t *testing.T) {
	mount := func(rw string) engine.Event {
		return engine.Event{Type: "volume", Action: "mount", ID: volumeName,
			Attrs: map[string]string{"container": "cccccccccccc3333", "read/write": rw, "destination": "/data"}}
	}
	ro := []engine.Event{mount("false")}
	obs := func(mounts []engine.Event, left []string, entries []entry, err error) backupObs {
		return backupObs{Nonce: nonce, Script: exit0, Mounted: true, Mounts: mounts, Left: left, Entries: entries, ArchiveErr: err}
	}
	tests := []struct {
		name string
		o    backupObs
		done bool
		want check.Status
		msg  string
	}{
		{"up.sh after down.sh failed", backupObs{NoRestart: true}, true, check.Skip, "voir lab6.persistence"},
		{"backup.sh fails", backupObs{Script: script.Result{ExitCode: 1}}, true, check.Fail, "backup.sh s'est terminé"},
		{"backup.sh ran: the mounts are looked at next", backupObs{Script: exit0}, false, 0, ""},
		{"tar of the Mountpoint, no container", obs(nil, nil, nil, nil), true, check.Fail, "Aucun conteneur n'a monté le volume"},
		{"fixture fail-lifecycle", obs([]engine.Event{mount("true")}, nil, nil, nil), true, check.Fail, "en lecture-écriture"},
		{"without --rm", obs(ro, []string{"cccccccccccc"}, nil, nil), true, check.Fail, "doit être jetable"},
		{"no archive", obs(ro, nil, nil, archiveErrorf("fichier absent", "file missing")), true, check.Fail, "est illisible : fichier absent"},
		{"fixture fail-mounts", obs(ro, nil, []entry{{name: "other", content: "x"}}, nil), true, check.Fail, "ne contient pas le fichier k"},
		{"another value", obs(ro, nil, []entry{{name: "k", content: "old"}}, nil), true, check.Fail, "ne contient pas la valeur du volume"},
		{"solution", obs(ro, nil, []entry{{name: "k", content: nonce}}, nil), true, check.Pass, "en lecture seule"},
		{"solution, tar of /data", obs(ro, nil, []entry{{name: "data/k", content: nonce}}, nil), true, check.Pass, "contient k"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeBackup(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeSharedRO(t *testing.T) {
	read := exec(0, nonce, "")
	obs := func(cat, touch *engine.ExecResult) sharedROObs {
		return sharedROObs{Nonce: nonce, Reader: exit0, Cat: cat, Mounts: check.Same("Type=volume Source=lab6-data Destination=/data RW=false"), Touch: touch}
	}
	tests := []struct {
		name string
		o    sharedROObs
		done bool
		want check.Status
		msg  string
	}{
		{"reader.sh fails", sharedROObs{Reader: script.Result{ExitCode: 1}}, true, check.Fail, "reader.sh s'est terminé"},
		{"reader.sh ran: cat is next", sharedROObs{Reader: exit0}, false, 0, ""},
		{"fixture fail-mounts", obs(exec(1, "", "cat: can't open '/data/k': No such file or directory"), nil), true, check.Fail, "pas le même volume"},
		{"read: touch is next", obs(read, nil), false, 0, ""},
		{"fixture fail-lifecycle", obs(read, exec(0, "", "")), true, check.Fail, "touch /data/x a réussi"},
		{"permissions, not read-only", obs(read, exec(1, "", "touch: /data/x: Permission denied")), true, check.Fail, "pas parce que le montage est en lecture seule"},
		{"solution", obs(read, exec(1, "", "touch: /data/x: Read-only file system")), true, check.Pass, "Read-only file system"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeSharedRO(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
	o, _ := judgeSharedRO(obs(exec(1, "", "No such file"), nil))
	assert.Contains(t, o.Actual.FR, "RW=false", "the reader's mounts are shown")
}

func TestJudgeBindRO(t *testing.T) {
	const edited = "Salut-" + nonce
	ro := []engine.Mount{{Type: "bind", Source: "/tmp/x/config", Destination: "/etc/kv", ReadOnly: true}}
	base := bindROObs{Greeting: "Bonjour", Edited: edited, Got: edited, Seen: `HTTP 200 {"greeting":"` + edited + `"}`, EditDone: true}
	with := func(w *answer, mounted bool, mounts []engine.Mount) bindROObs {
		o := base
		o.Write, o.Mounted, o.Mounts = w, mounted, mounts
		return o
	}
	tests := []struct {
		name string
		o    bindROObs
		done bool
		want check.Status
		msg  string
	}{
		{"another greeting", bindROObs{Greeting: "Bonjour", Got: "Hello", Seen: `HTTP 200 {"greeting":"Hello"}`}, true, check.Fail, "ne donne pas greeting=Bonjour"},
		{"greeting read: the edit is next", bindROObs{Greeting: "Bonjour", Got: "Bonjour"}, false, 0, ""},
		{"copied, not mounted", bindROObs{Greeting: "Bonjour", Edited: edited, Got: "Bonjour", EditDone: true}, true, check.Fail, "copié plutôt que monté"},
		{"edit seen: the write is next", base, false, 0, ""},
		{"no answer", with(noAnswer(), false, nil), true, check.Fail, "n'a pas de réponse"},
		{"read-write", with(ans(200, `{"ok":true}`), false, nil), true, check.Fail, "en lecture-écriture"},
		{"fixture fail-mounts", with(ans(500, `{"ok":false,"errno":"EACCES","error":"permission denied"}`), false, nil), true, check.Fail, "échoue avec EACCES, pas EROFS"},
		{"EROFS: the mounts are next", with(ans(500, `{"ok":false,"errno":"EROFS"}`), false, nil), false, 0, ""},
		{"EROFS from another mount", with(ans(500, `{"ok":false,"errno":"EROFS"}`), true, nil), true, check.Fail, "n'est pas un bind mount en lecture seule"},
		{"solution", with(ans(500, `{"ok":false,"errno":"EROFS"}`), true, ro), true, check.Pass, "greeting=Bonjour"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeBindRO(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}

func TestJudgeTmpfs(t *testing.T) {
	capped := engine.Container{Tmpfs: map[string]string{"/tmp": "rw,size=16m,mode=1777"}}
	ok, enospc, enoent := ans(200, `{"ok":true}`), ans(507, `{"ok":false,"errno":"ENOSPC"}`), ans(404, `{"ok":false,"errno":"ENOENT"}`)
	obs := func(c engine.Container, steps ...*answer) tmpfsObs {
		o := tmpfsObs{Container: c, Fits: "8", Over: "20"}
		slots := []**answer{&o.Filled, &o.Overfilled, &o.Marker, &o.Restart}
		for i, a := range steps {
			*slots[i] = a
		}
		return o
	}
	tests := []struct {
		name string
		o    tmpfsObs
		done bool
		want check.Status
		msg  string
	}{
		{"fixture fail-mounts", obs(engine.Container{}), true, check.Fail, "n'est pas un tmpfs"},
		{"a tmpfs: the app is filled next", obs(capped), false, 0, ""},
		{"too small", obs(capped, ans(507, `{"ok":false,"errno":"ENOSPC"}`)), true, check.Fail, "8 Mio ne tiennent pas"},
		{"no answer", obs(capped, noAnswer()), true, check.Fail, "8 Mio ne tiennent pas"},
		{"fixture fail-lifecycle", obs(capped, ok, ok), true, check.Fail, "ne donne pas ENOSPC"},
		{"marker not written", obs(capped, ok, enospc, ans(500, `{"ok":false,"errno":"EACCES"}`)), true, check.Fail, "ne peut pas écrire /tmp/lab6-marker"},
		{"marker written: the restart is next", obs(capped, ok, enospc, ok), false, 0, ""},
		{"marker survives", obs(capped, ok, enospc, ok, ans(200, "x")), true, check.Fail, "a survécu au redémarrage"},
		{"solution", obs(capped, ok, enospc, ok, enoent), true, check.Pass, "8 Mio tiennent, 20 Mio → ENOSPC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, done := judgeTmpfs(tt.o)
			checktest.Staged(t, o, done, tt.done, tt.want, tt.msg)
		})
	}
}
