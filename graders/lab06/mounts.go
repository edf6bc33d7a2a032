package lab06

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
)

// checkBindRO: ./config is bind-mounted read-only on /etc/kv. The app reads the greeting
// from it, sees an edit of the host file without a restart, and cannot write there (EROFS).
func (s *state) checkBindRO(ctx context.Context) (check.Outcome, error) {
	if fail, err := s.app(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	greeting := s.run.Spec.Params["greeting"]
	got, r, err := s.greeting(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if got != greeting {
		return check.Failf("GET /config ne donne pas greeting=%s : /etc/kv/kv.conf n'est pas le config/kv.conf du lab.",
			"GET /config does not give greeting=%s: /etc/kv/kv.conf is not the lab's config/kv.conf.", greeting).
			With(`{"greeting":"`+greeting+`"}`, r), nil
	}

	// The folder is mounted, not the file: edit the file in place (same inode), as an editor
	// that truncates and writes would, and expect the app to read the new value at once.
	edited := "Salut-" + s.nonce
	restore, err := rewriteInPlace(filepath.Join(s.run.Files, "config", "kv.conf"), []byte("greeting="+edited+"\n"))
	if err != nil {
		return check.Outcome{}, err
	}
	defer restore()
	deadline := time.Now().Add(3 * time.Second)
	for got != edited && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if got, r, err = s.greeting(ctx); err != nil {
			return check.Outcome{}, err
		}
	}
	if got != edited {
		return check.Failf("Après modification de config/kv.conf sur l'hôte, GET /config ne voit pas la nouvelle valeur : le dossier est-il copié plutôt que monté ?",
			"After config/kv.conf was edited on the host, GET /config does not see the new value: is the folder copied rather than mounted?").
			With(`{"greeting":"`+edited+`"}`, r), nil
	}

	w, err := s.client().do(ctx, http.MethodPost, "/write?path=/etc/kv/x", "")
	if err != nil {
		return check.Failf("POST /write?path=/etc/kv/x n'a pas de réponse.", "POST /write?path=/etc/kv/x gets no answer.").
			With("errno EROFS", check.OneLine(err.Error(), 200)), nil
	}
	res := w.result()
	switch {
	case res.OK:
		return check.Failf("L'application a pu écrire /etc/kv/x : le bind mount de ./config est en lecture-écriture.",
			"The app could write /etc/kv/x: the ./config bind mount is read-write.").With("errno EROFS", w.String()), nil
	case res.Errno != "EROFS":
		return check.Failf("L'écriture dans /etc/kv échoue avec %s, pas EROFS : le montage n'est pas en lecture seule (seuls les droits bloquent).",
			"Writing in /etc/kv fails with %s, not EROFS: the mount is not read-only (only permissions stop it).", res.Errno).
			With("errno EROFS", w.String()), nil
	}

	c, err := s.run.Engine.InspectContainer(ctx, kvName)
	if err != nil {
		return check.Outcome{}, err
	}
	m, ok := mountAt(c.Mounts, "/etc/kv")
	if !ok || m.Type != "bind" || !m.ReadOnly {
		actual := "(rien sur /etc/kv)"
		if ok {
			actual = describe(m)
		}
		return check.Failf("/etc/kv n'est pas un bind mount en lecture seule.", "/etc/kv is not a read-only bind mount.").
			With("Type=bind Destination=/etc/kv RW=false", actual), nil
	}
	return check.Passf("/etc/kv est ./config en bind mount RW=false : greeting=%s, modification vue sans redémarrage, écriture refusée (EROFS).",
		"/etc/kv is ./config bind-mounted RW=false: greeting=%s, edit seen without a restart, write refused (EROFS).", greeting), nil
}

// greeting reads GET /config's greeting; it returns "" and what it saw when there is none.
func (s *state) greeting(ctx context.Context) (string, string, error) {
	r, err := s.client().do(ctx, http.MethodGet, "/config", "")
	if err != nil {
		if ctx.Err() != nil {
			return "", "", ctx.Err()
		}
		return "", check.OneLine(err.Error(), 200), nil
	}
	var conf map[string]string
	if r.Status != http.StatusOK || json.Unmarshal([]byte(r.Body), &conf) != nil {
		return "", r.String(), nil
	}
	return conf["greeting"], r.String(), nil
}

// rewriteInPlace replaces p's content without changing its inode (truncate and write, never
// rename): a bind mount of the folder would see a renamed file too, but a mount of the file
// alone would not, and the lab says the folder is what is mounted. restore puts the old
// content back the same way.
// A link planted by a script (kv.conf → a file elsewhere) is never followed: the grader
// writes only inside the submission copy.
func rewriteInPlace(p string, data []byte) (restore func(), err error) {
	if st, err := os.Lstat(filepath.Dir(p)); err == nil && st.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("%s is a symbolic link", filepath.Dir(p))
	}
	f, err := os.OpenFile(p, os.O_RDONLY|syscall.O_NOFOLLOW, 0)
	if err != nil {
		return nil, err
	}
	old, err := io.ReadAll(io.LimitReader(f, 1<<20))
	f.Close()
	if err != nil {
		return nil, err
	}
	write := func(b []byte) error {
		f, err := os.OpenFile(p, os.O_WRONLY|os.O_TRUNC|syscall.O_NOFOLLOW, 0)
		if err != nil {
			return err
		}
		if _, err := f.Write(b); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	if err := write(data); err != nil {
		return nil, err
	}
	return func() { _ = write(old) }, nil
}

// tmpfsAt tells whether dst is a tmpfs in c, and how it was asked for.
func tmpfsAt(c engine.Container, dst string) (string, bool) {
	if opts, ok := c.Tmpfs[dst]; ok {
		if opts == "" {
			opts = "(sans option)"
		}
		return "--tmpfs " + dst + " " + opts, true
	}
	if m, ok := mountAt(c.Mounts, dst); ok && m.Type == "tmpfs" {
		return "--mount type=tmpfs,destination=" + dst, true
	}
	return "", false
}

// checkTmpfs: /tmp is a tmpfs that holds tmpfs-fits MiB, refuses tmpfs-overflow MiB with
// ENOSPC, and loses what was written in it when the container restarts.
func (s *state) checkTmpfs(ctx context.Context) (check.Outcome, error) {
	c, err := s.run.Engine.InspectContainer(ctx, kvName)
	if err != nil {
		return check.Outcome{}, err
	}
	how, ok := tmpfsAt(c, "/tmp")
	if !ok {
		return check.Failf("/tmp n'est pas un tmpfs dans %s : il est écrit dans la couche du conteneur.",
			"/tmp is not a tmpfs in %s: it is written to the container's layer.", kvName).
			With("--tmpfs /tmp:rw,size=16m,mode=1777", describeAll(c.Mounts)), nil
	}
	if fail, err := s.app(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	fits, over := s.run.Spec.Params["tmpfs-fits"], s.run.Spec.Params["tmpfs-overflow"]
	r, err := s.client().do(ctx, http.MethodPost, "/tmpfill?mb="+fits, "")
	if err != nil || !r.result().OK {
		return check.Failf("%s Mio ne tiennent pas dans /tmp : le tmpfs est trop petit (ou pas accessible en écriture à l'UID 65532).",
			"%s MiB do not fit in /tmp: the tmpfs is too small (or not writable by UID 65532).", fits).
			With("POST /tmpfill?mb="+fits+" → ok", seen(r, err)+" ; "+how), nil
	}
	r, err = s.client().do(ctx, http.MethodPost, "/tmpfill?mb="+over, "")
	if err != nil || r.result().Errno != "ENOSPC" {
		return check.Failf("Écrire %s Mio dans /tmp ne donne pas ENOSPC : le tmpfs n'est pas limité à 16 Mio.",
			"Writing %s MiB in /tmp does not give ENOSPC: the tmpfs is not capped at 16 MiB.", over).
			With("POST /tmpfill?mb="+over+" → errno ENOSPC", seen(r, err)+" ; "+how), nil
	}
	const marker = "/tmp/lab6-marker"
	if r, err := s.client().do(ctx, http.MethodPost, "/write?path="+marker, ""); err != nil || !r.result().OK {
		return check.Failf("L'application ne peut pas écrire %s.", "The app cannot write %s.", marker).
			With("POST /write → ok", seen(r, err)), nil
	}
	if out, err := s.restart(ctx); out != nil || err != nil {
		return check.Verdict(out), err
	}
	r, err = s.client().do(ctx, http.MethodGet, "/file?path="+marker, "")
	if err != nil || r.result().Errno != "ENOENT" {
		return check.Failf("%s a survécu au redémarrage du conteneur : /tmp n'est pas en mémoire.",
			"%s survived the container's restart: /tmp is not in memory.", marker).With("fichier absent (ENOENT)", seen(r, err)), nil
	}
	return check.Passf("/tmp est un tmpfs (%s) : %s Mio tiennent, %s Mio → ENOSPC, vidé par un redémarrage.",
		"/tmp is a tmpfs (%s): %s MiB fit, %s MiB → ENOSPC, emptied by a restart.", how, fits, over), nil
}

// restart stops and starts lab6-kv through the engine, as `docker restart` does, and waits
// for the app.
func (s *state) restart(ctx context.Context) (*check.Outcome, error) {
	e := s.run.Engine
	if err := e.Stop(ctx, kvName, 10*time.Second); err != nil {
		return nil, err
	}
	if err := e.Start(ctx, kvName); err != nil {
		o := check.Failf("%s ne redémarre pas : %s", "%s does not restart: %s", kvName, check.OneLine(err.Error(), 200))
		return &o, nil
	}
	return s.app(ctx)
}

// seen words a reply or the error that replaced it.
func seen(r reply, err error) string {
	if err != nil {
		return check.OneLine(err.Error(), 200)
	}
	return r.String()
}

// checkSharedRO: lab6-reader mounts the same volume read-only: it reads the value the app
// wrote, and cannot write.
func (s *state) checkSharedRO(ctx context.Context) (check.Outcome, error) {
	if fail, err := s.seed(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	run, err := s.reader(ctx)
	if err != nil {
		return check.Outcome{}, err
	}
	if fail := run.failed(); fail != nil {
		return *fail, nil
	}
	id, fail, err := s.running(ctx, readerName, "reader.sh")
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	e := s.run.Engine
	cat, err := e.Exec(ctx, id, engine.ExecSpec{Cmd: []string{"cat", "/data/" + key}, Timeout: 10 * time.Second, MaxOut: 4 << 10})
	if err != nil {
		return check.Outcome{}, err
	}
	if cat.ExitCode != 0 || cat.Stdout != s.nonce {
		mounts := ""
		if c, err := e.InspectContainer(ctx, id); err == nil {
			mounts = "\n" + describeAll(c.Mounts)
		}
		return check.Failf("Dans %s, /data/%s ne contient pas la valeur écrite par l'application : ce n'est pas le même volume.",
			"In %s, /data/%s does not hold the value the app wrote: it is not the same volume.", readerName, key).
			With(s.nonce, fmt.Sprintf("cat /data/%s → code %d : %s%s", key, cat.ExitCode, check.OneLine(cat.Stdout+" "+cat.Stderr, 200), mounts)), nil
	}
	touch, err := e.Exec(ctx, id, engine.ExecSpec{Cmd: []string{"touch", "/data/x"}, Timeout: 10 * time.Second, MaxOut: 4 << 10})
	if err != nil {
		return check.Outcome{}, err
	}
	if touch.ExitCode == 0 {
		_, _ = e.Exec(ctx, id, engine.ExecSpec{Cmd: []string{"rm", "-f", "/data/x"}, Timeout: 10 * time.Second})
		return check.Failf("touch /data/x a réussi dans %s : le volume y est monté en écriture.", "touch /data/x succeeded in %s: the volume is mounted read-write there.", readerName).
			With("touch: /data/x: Read-only file system", "code 0"), nil
	}
	if !strings.Contains(touch.Stderr, "Read-only file system") {
		return check.Failf("touch /data/x échoue dans %s, mais pas parce que le montage est en lecture seule.",
			"touch /data/x fails in %s, but not because the mount is read-only.", readerName).
			With("Read-only file system", check.OneLine(touch.Stderr, 200)), nil
	}
	return check.Passf("%s lit /data/%s (la valeur écrite par %s) et touch /data/x échoue : Read-only file system.",
		"%s reads /data/%s (the value %s wrote) and touch /data/x fails: Read-only file system.", readerName, key, kvName), nil
}
