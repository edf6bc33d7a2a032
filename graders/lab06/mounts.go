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
	o := bindROObs{Greeting: s.run.Spec.Params["greeting"], Edited: "Salut-" + s.nonce}
	var err error
	if o.Got, o.Seen, err = s.greeting(ctx); err != nil {
		return check.Outcome{}, err
	}
	if out, done := judgeBindRO(o); done {
		return out, nil
	}

	// The folder is mounted, not the file: edit the file in place (same inode), as an editor
	// that truncates and writes would, and expect the app to read the new value at once.
	restore, err := rewriteInPlace(filepath.Join(s.run.Files, "config", "kv.conf"), []byte("greeting="+o.Edited+"\n"))
	if err != nil {
		return check.Outcome{}, err
	}
	defer restore()
	deadline := time.Now().Add(3 * time.Second)
	for o.Got != o.Edited && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
		if o.Got, o.Seen, err = s.greeting(ctx); err != nil {
			return check.Outcome{}, err
		}
	}
	o.EditDone = true
	if out, done := judgeBindRO(o); done {
		return out, nil
	}

	w := ask(s.client().do(ctx, http.MethodPost, "/write?path=/etc/kv/x", ""))
	o.Write = &w
	if out, done := judgeBindRO(o); done {
		return out, nil
	}
	c, err := s.run.Engine.InspectContainer(ctx, kvName)
	if err != nil {
		return check.Outcome{}, err
	}
	o.Mounts, o.Mounted = c.Mounts, true
	out, _ := judgeBindRO(o)
	return out, nil
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

// tmpfsAt tells whether dst is a tmpfs in c, and how it was asked for ("--tmpfs /tmp" when
// without options).
func tmpfsAt(c engine.Container, dst string) (string, bool) {
	if opts, ok := c.Tmpfs[dst]; ok {
		return strings.TrimSpace("--tmpfs " + dst + " " + opts), true
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
	o := tmpfsObs{Container: c, Fits: s.run.Spec.Params["tmpfs-fits"], Over: s.run.Spec.Params["tmpfs-overflow"]}
	if out, done := judgeTmpfs(o); done {
		return out, nil
	}
	if fail, err := s.app(ctx); fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	// Each request is judged before the next is sent: a tmpfs too small is not overfilled.
	steps := []struct {
		to           **answer
		method, path string
	}{
		{&o.Filled, http.MethodPost, "/tmpfill?mb=" + o.Fits},
		{&o.Overfilled, http.MethodPost, "/tmpfill?mb=" + o.Over},
		{&o.Marker, http.MethodPost, "/write?path=" + tmpfsMarker},
	}
	for _, st := range steps {
		a := ask(s.client().do(ctx, st.method, st.path, ""))
		*st.to = &a
		if out, done := judgeTmpfs(o); done {
			return out, nil
		}
	}
	if out, err := s.restart(ctx); out != nil || err != nil {
		return check.Verdict(out), err
	}
	a := ask(s.client().do(ctx, http.MethodGet, "/file?path="+tmpfsMarker, ""))
	o.Restart = &a
	out, _ := judgeTmpfs(o)
	return out, nil
}

// restart stops and starts lab6-kv through the engine, as `docker restart` does, and waits
// for the app.
func (s *state) restart(ctx context.Context) (*check.Outcome, error) {
	e := s.run.Engine
	if err := e.Stop(ctx, kvName, 10*time.Second); err != nil {
		return nil, err
	}
	if err := e.Start(ctx, kvName); err != nil {
		o := check.Failf("%s ne redémarre pas : « %s »", "%s does not restart: %s", kvName, check.OneLine(err.Error(), 200))
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
	o := sharedROObs{Nonce: s.nonce, Reader: run.res}
	if out, done := judgeSharedRO(o); done {
		return out, nil
	}
	id, fail, err := s.running(ctx, readerName, check.Same("reader.sh"))
	if fail != nil || err != nil {
		return check.Verdict(fail), err
	}
	e := s.run.Engine
	cat, err := e.Exec(ctx, id, engine.ExecSpec{Cmd: []string{"cat", "/data/" + key}, Timeout: 10 * time.Second, MaxOut: 4 << 10})
	if err != nil {
		return check.Outcome{}, err
	}
	o.Cat = &cat
	if c, err := e.InspectContainer(ctx, id); err == nil {
		o.Mounts = describeAll(c.Mounts)
	}
	if out, done := judgeSharedRO(o); done {
		return out, nil
	}
	touch, err := e.Exec(ctx, id, engine.ExecSpec{Cmd: []string{"touch", "/data/x"}, Timeout: 10 * time.Second, MaxOut: 4 << 10})
	if err != nil {
		return check.Outcome{}, err
	}
	if touch.ExitCode == 0 {
		_, _ = e.Exec(ctx, id, engine.ExecSpec{Cmd: []string{"rm", "-f", "/data/x"}, Timeout: 10 * time.Second})
	}
	o.Touch = &touch
	out, _ := judgeSharedRO(o)
	return out, nil
}
