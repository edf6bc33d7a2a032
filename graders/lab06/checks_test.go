package lab06

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/internal/runner"
	"github.com/ddlab/grade/labs"
)

const anon = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// newRun is a run of lab 6 on fake, with the embedded spec.
func newRun(t *testing.T, fake *enginefake.Fake) *grader.Run {
	t.Helper()
	cat, err := lab.Load(labs.FS)
	require.NoError(t, err)
	spec, err := cat.Spec("lab6")
	require.NoError(t, err)
	return &grader.Run{ID: "0123456789abcdef0123", Spec: spec, Engine: fake, Files: t.TempDir(),
		Cleanup: &grader.Cleanup{}, Progress: func(check.Text) {}, Detail: func(string) {}}
}

// only is lab 6 reduced to some of its checks, without prerequisites.
type only struct{ ids []string }

func (only) Lab() string { return "lab6" }

func (o only) Checks(r *grader.Run) []check.Check {
	var out []check.Check
	for _, c := range New().Checks(r) {
		for _, id := range o.ids {
			if c.ID == id {
				c.Needs = nil
				out = append(out, c)
			}
		}
	}
	return out
}

// On a remote engine, the checks that need the lab folder or the published port are skipped
// before any script runs, with a French reason, and leave the denominator; --strict counts
// them as failures.
func TestRemoteEngineSkips(t *testing.T) {
	ids := []string{"lab6.bind-ro", "lab6.tmpfs", "lab6.shared-ro", "lab6.persistence", "lab6.backup"}
	for _, strict := range []bool{false, true} {
		fake := &enginefake.Fake{
			InfoFn:    func(context.Context) (engine.Info, error) { return engine.Info{Remote: true}, nil },
			HostValue: "tcp://10.0.0.5:2376",
		}
		r := newRun(t, fake)
		rep, err := runner.Grade(context.Background(), r, only{ids}, runner.Options{Lang: "fr", Strict: strict})
		require.NoError(t, err)
		require.Len(t, rep.Results, len(ids))
		for _, res := range rep.Results {
			assert.Equal(t, check.Skip, res.Status, res.ID)
			assert.Contains(t, res.Message, "moteur Docker est distant (DOCKER_HOST=tcp://10.0.0.5:2376)", res.ID)
			assert.Equal(t, !strict, res.Excluded, "%s excluded under strict=%v", res.ID, strict)
		}
		assert.Contains(t, rep.Results[0].Message, "ne voit pas le dossier du lab", "bind-ro says why")
		assert.Contains(t, rep.Results[1].Message, "127.0.0.1:8086", "tmpfs says why")
		if strict {
			assert.False(t, rep.Passed, "--strict: environment skips count as failures")
			assert.Equal(t, float64(55), rep.MaxScore, "bind-ro, tmpfs, shared-ro, persistence")
			assert.Zero(t, rep.Score)
		} else {
			assert.Zero(t, rep.MaxScore, "skips for the environment leave the denominator")
			assert.False(t, rep.Passed, "but a lab with no required check evaluated is not passed")
		}
		// Nothing but Info: no script ran, nothing was created.
		for _, c := range fake.Calls() {
			assert.Equal(t, "Info", c)
		}
	}
}

func TestEngineSeesFolder(t *testing.T) {
	assert.True(t, engineSeesFolder(engine.Info{Remote: false}))
	assert.False(t, engineSeesFolder(engine.Info{Remote: true}))
}

func TestAnonymousMounts(t *testing.T) {
	tests := []struct {
		name   string
		mounts []engine.Mount
		want   []string
	}{
		{"named volume", []engine.Mount{{Type: "volume", Source: "lab6-data", Destination: "/data"}}, nil},
		{"anonymous", []engine.Mount{{Type: "volume", Source: anon, Destination: "/data"}}, []string{anon}},
		{"bind with a hex path is not a volume", []engine.Mount{{Type: "bind", Source: anon, Destination: "/data"}}, nil},
		{"tmpfs", []engine.Mount{{Type: "tmpfs", Destination: "/tmp"}}, nil},
		{"63 hex digits", []engine.Mount{{Type: "volume", Source: anon[1:]}}, nil},
		{"upper case is a name", []engine.Mount{{Type: "volume", Source: strings.ToUpper(anon)}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { assert.Equal(t, tt.want, anonymousMounts(tt.mounts)) })
	}
}

func TestMountAt(t *testing.T) {
	ms := []engine.Mount{{Type: "bind", Source: "/x/config", Destination: "/etc/kv/", ReadOnly: true}, {Type: "volume", Source: "v", Destination: "/data"}}
	m, ok := mountAt(ms, "/etc/kv")
	require.True(t, ok, "a trailing slash does not hide the mount")
	assert.Equal(t, check.Same("Type=bind Source=/x/config Destination=/etc/kv/ RW=false"), describe(m))
	_, ok = mountAt(ms, "/tmp")
	assert.False(t, ok)
	assert.Equal(t, check.Lit("Type=volume Source=0123456789ab… (anonyme) Destination=/data RW=true", "Type=volume Source=0123456789ab… (anonymous) Destination=/data RW=true"),
		describe(engine.Mount{Type: "volume", Source: anon, Destination: "/data"}))
}

func TestTmpfsAt(t *testing.T) {
	tests := []struct {
		name string
		c    engine.Container
		want string
		ok   bool
	}{
		{"--tmpfs", engine.Container{Tmpfs: map[string]string{"/tmp": "rw,size=16m,mode=1777"}}, "--tmpfs /tmp rw,size=16m,mode=1777", true},
		{"--tmpfs without options", engine.Container{Tmpfs: map[string]string{"/tmp": ""}}, "--tmpfs /tmp", true},
		{"--mount type=tmpfs", engine.Container{Mounts: []engine.Mount{{Type: "tmpfs", Destination: "/tmp"}}}, "--mount type=tmpfs,destination=/tmp", true},
		{"a volume on /tmp", engine.Container{Mounts: []engine.Mount{{Type: "volume", Source: "v", Destination: "/tmp"}}}, "", false},
		{"tmpfs elsewhere", engine.Container{Tmpfs: map[string]string{"/run": ""}}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tmpfsAt(tt.c, "/tmp")
			assert.Equal(t, tt.ok, ok)
			assert.Equal(t, tt.want, got)
		})
	}
}

// targz builds a tar.gz of files (name → content); a name ending in / is a folder.
func targz(t testing.TB, files ...[2]string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	tw := tar.NewWriter(zw)
	for _, f := range files {
		if strings.HasSuffix(f[0], "/") {
			require.NoError(t, tw.WriteHeader(&tar.Header{Name: f[0], Typeflag: tar.TypeDir, Mode: 0o755}))
			continue
		}
		require.NoError(t, tw.WriteHeader(&tar.Header{Name: f[0], Typeflag: tar.TypeReg, Mode: 0o644, Size: int64(len(f[1]))}))
		_, err := tw.Write([]byte(f[1]))
		require.NoError(t, err)
	}
	require.NoError(t, tw.Close())
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

func TestArchive(t *testing.T) {
	tests := []struct {
		name    string
		data    []byte
		value   string
		found   bool
		wantErr string
	}{
		{"tar -C /data .", targz(t, [2]string{"./", ""}, [2]string{"./k", "v1"}), "v1", true, ""},
		{"tar /data", targz(t, [2]string{"data/", ""}, [2]string{"data/k", "v2"}), "v2", true, ""},
		{"plain k", targz(t, [2]string{"k", "v3"}), "v3", true, ""},
		{"k elsewhere does not count", targz(t, [2]string{"other/k", "v"}), "", false, ""},
		{"no k", targz(t, [2]string{"./x", ""}), "", false, ""},
		{"leading slash and dots are cleaned", targz(t, [2]string{"/../k", "v4"}), "v4", true, ""},
		{"not gzip", []byte("bonjour"), "", false, "pas du gzip"},
		{"gzip, not tar", func() []byte {
			var b bytes.Buffer
			zw := gzip.NewWriter(&b)
			_, _ = zw.Write(bytes.Repeat([]byte("x"), 1024))
			_ = zw.Close()
			return b.Bytes()
		}(), "", false, "tar invalide"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			entries, err := parseArchive(bytes.NewReader(tt.data))
			if tt.wantErr != "" {
				require.Error(t, err)
				assert.Contains(t, errText(err).FR, tt.wantErr)
				return
			}
			require.NoError(t, err)
			v, ok := archiveValue(entries, "k")
			assert.Equal(t, tt.found, ok)
			assert.Equal(t, tt.value, v)
		})
	}
}

func TestReadArchiveFile(t *testing.T) {
	dir := t.TempDir()
	_, err := readArchive(filepath.Join(dir, "absent.tar.gz"))
	require.Error(t, err)
	assert.Equal(t, check.Lit("fichier absent", "file missing"), errText(err))

	link := filepath.Join(dir, "link.tar.gz")
	require.NoError(t, os.Symlink("/etc/hostname", link))
	_, err = readArchive(link)
	require.Error(t, err)
	assert.Contains(t, errText(err).FR, "pas un fichier ordinaire")

	big := filepath.Join(dir, "big.tar.gz")
	require.NoError(t, os.WriteFile(big, nil, 0o644))
	require.NoError(t, os.Truncate(big, maxArchiveBytes+1))
	_, err = readArchive(big)
	require.Error(t, err)
	assert.Contains(t, errText(err).FR, "plus de 8 Mio")

	ok := filepath.Join(dir, "ok.tar.gz")
	require.NoError(t, os.WriteFile(ok, targz(t, [2]string{"./k", "v"}), 0o644))
	entries, err := readArchive(ok)
	require.NoError(t, err)
	assert.Equal(t, []entry{{name: "k", content: "v"}}, entries)
}

func TestArchiveBounds(t *testing.T) {
	var files [][2]string
	for i := range maxArchiveFiles + 1 {
		files = append(files, [2]string{"f" + strings.Repeat("x", i%7) + string(rune('a'+i%26)), ""})
	}
	_, err := parseArchive(bytes.NewReader(targz(t, files...)))
	require.Error(t, err)
	assert.Contains(t, errText(err).FR, "plus de 1000 entrées")

	entries, err := parseArchive(bytes.NewReader(targz(t, [2]string{"k", strings.Repeat("a", 10*maxEntryKept)})))
	require.NoError(t, err)
	assert.Len(t, entries[0].content, maxEntryKept, "an entry's content is capped")
}

func TestLastLine(t *testing.T) {
	tests := map[string]string{
		"/var/lib/docker/volumes/lab6-data/_data\n": "/var/lib/docker/volumes/lab6-data/_data",
		"Le volume est ici :\n  /srv/v/_data  \n\n": "/srv/v/_data",
		"":      "",
		"\n \n": "",
		"WARNING: blah\r\n/var/lib/docker/volumes/lab6-data/_data\r\n": "/var/lib/docker/volumes/lab6-data/_data",
	}
	for in, want := range tests {
		assert.Equal(t, want, lastLine(in), "%q", in)
	}
}

func TestCheckFiles(t *testing.T) {
	write := func(dir string, names ...string) {
		for _, n := range names {
			p := filepath.Join(dir, filepath.FromSlash(n))
			require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
			require.NoError(t, os.WriteFile(p, []byte("x\n"), 0o644))
		}
	}
	tests := []struct {
		name  string
		setup func(dir string)
		want  check.Status
		msg   string
	}{
		{"all there", func(d string) { write(d, required...) }, check.Pass, "présents"},
		{"missing", func(d string) { write(d, "up.sh", "down.sh") }, check.Fail, "purge.sh, reader.sh, config/kv.conf"},
		{"empty", func(d string) {
			write(d, required...)
			require.NoError(t, os.WriteFile(filepath.Join(d, "up.sh"), nil, 0o644))
		}, check.Fail, "up.sh (vide)"},
		{"a folder", func(d string) {
			write(d, "up.sh", "down.sh", "purge.sh", "config/kv.conf")
			require.NoError(t, os.Mkdir(filepath.Join(d, "reader.sh"), 0o755))
		}, check.Fail, "reader.sh (pas un fichier ordinaire)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRun(t, &enginefake.Fake{})
			tt.setup(r.Files)
			out, err := newState(r).checkFiles(context.Background())
			require.NoError(t, err)
			assert.Equal(t, tt.want, out.Status)
			assert.Contains(t, out.Message.FR, tt.msg)
		})
	}
}

// rewriteInPlace keeps the inode: a bind mount of the file itself would still see the edit.
func TestRewriteInPlace(t *testing.T) {
	p := filepath.Join(t.TempDir(), "kv.conf")
	require.NoError(t, os.WriteFile(p, []byte("greeting=Bonjour\n"), 0o644))
	before, err := os.Stat(p)
	require.NoError(t, err)
	restore, err := rewriteInPlace(p, []byte("greeting=Salut\n"))
	require.NoError(t, err)
	after, err := os.Stat(p)
	require.NoError(t, err)
	assert.True(t, os.SameFile(before, after))
	b, _ := os.ReadFile(p)
	assert.Equal(t, "greeting=Salut\n", string(b))
	restore()
	b, _ = os.ReadFile(p)
	assert.Equal(t, "greeting=Bonjour\n", string(b))
}

// A link a script planted in the copy is never followed by the grader's edit.
func TestRewriteInPlaceRefusesLinks(t *testing.T) {
	dir := t.TempDir()
	outside := filepath.Join(t.TempDir(), "precious")
	require.NoError(t, os.WriteFile(outside, []byte("keep\n"), 0o644))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "config"), 0o755))
	require.NoError(t, os.Symlink(outside, filepath.Join(dir, "config", "kv.conf")))
	_, err := rewriteInPlace(filepath.Join(dir, "config", "kv.conf"), []byte("greeting=x\n"))
	require.Error(t, err)
	linked := filepath.Join(dir, "linked")
	require.NoError(t, os.Symlink(filepath.Dir(outside), linked))
	_, err = rewriteInPlace(filepath.Join(linked, "precious"), []byte("greeting=x\n"))
	require.Error(t, err)
	b, _ := os.ReadFile(outside)
	assert.Equal(t, "keep\n", string(b))
}

func TestReplyResult(t *testing.T) {
	assert.Equal(t, kvResult{OK: false, Errno: "EROFS"}, reply{Status: 403, Body: `{"ok":false,"errno":"EROFS"}`}.result())
	garbage := reply{Status: 200, Body: "\x00\xffpas du JSON"}.result()
	assert.False(t, garbage.OK, "garbage never reads as a success")
	assert.Contains(t, garbage.Error, "réponse illisible")
}

func FuzzParseArchive(f *testing.F) {
	f.Add(targz(f, [2]string{"./k", "v"}))
	f.Add([]byte("bonjour"))
	f.Add([]byte{0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		entries, err := parseArchive(bytes.NewReader(data))
		if err != nil {
			return
		}
		assert.LessOrEqual(t, len(entries), maxArchiveFiles)
		for _, e := range entries {
			assert.LessOrEqual(t, len(e.content), maxEntryKept)
			assert.False(t, strings.HasPrefix(e.name, "/") || strings.HasPrefix(e.name, "../"), e.name)
		}
		_, _ = archiveValue(entries, "k")
	})
}

func FuzzLastLine(f *testing.F) {
	f.Add("/var/lib/docker/volumes/lab6-data/_data\n")
	f.Add("a\n\nb \r\n")
	f.Fuzz(func(t *testing.T, out string) {
		l := lastLine(out)
		assert.NotContains(t, l, "\n")
		assert.Equal(t, strings.TrimSpace(l), l)
		if strings.TrimSpace(out) != "" {
			assert.NotEmpty(t, l)
		}
	})
}

// An app that never answers is waited for once per container start, not by every check.
func TestDeafAppWaitedOnce(t *testing.T) {
	started := time.Now()
	fake := &enginefake.Fake{
		InfoFn: func(context.Context) (engine.Info, error) { return engine.Info{}, nil },
		InspectContainerFn: func(context.Context, string) (engine.Container, error) {
			return engine.Container{ID: "c1", Running: true, StartedAt: started,
				Ports: []engine.PortBinding{{ContainerPort: "8080/tcp", HostIP: "0.0.0.0", HostPort: "9999"}}}, nil
		},
	}
	r := newRun(t, fake)
	r.Spec.Params["app-wait"] = "300ms"
	s := newState(r)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s.kv.base = "http://" + l.Addr().String()
	require.NoError(t, l.Close()) // nothing listens there any more

	t0 := time.Now()
	fail, err := s.app(context.Background())
	require.NoError(t, err)
	require.NotNil(t, fail)
	assert.GreaterOrEqual(t, time.Since(t0), 300*time.Millisecond)
	assert.Contains(t, fail.Message.FR, "ne répond pas")
	assert.Contains(t, fail.Actual.FR, "ports publiés : 0.0.0.0:9999→8080/tcp", "says what is published")
	assert.Contains(t, fail.Actual.EN, "published ports: 0.0.0.0:9999→8080/tcp")

	t0 = time.Now()
	again, err := s.app(context.Background())
	require.NoError(t, err)
	assert.Less(t, time.Since(t0), 200*time.Millisecond, "not waited for twice")
	assert.Equal(t, fail, again)

	started = started.Add(time.Second) // restarted: waited for anew
	t0 = time.Now()
	_, err = s.app(context.Background())
	require.NoError(t, err)
	assert.GreaterOrEqual(t, time.Since(t0), 300*time.Millisecond)
}
