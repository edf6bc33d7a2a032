package buildctx

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// node is one entry of a test tree. Exactly one of content, link, dir, fifo or hardlink
// describes it.
type node struct {
	path     string
	content  string
	link     string // symlink target, written as is
	hardlink string // path (relative to the tree) of an existing file to link to
	dir      bool
	fifo     bool
	mode     fs.FileMode // for files; 0 means 0o644
}

func file(p, content string) node   { return node{path: p, content: content} }
func symlink(p, target string) node { return node{path: p, link: target} }

// buildTree creates a source folder holding nodes, in order, under root/src.
func buildTree(t testing.TB, root string, nodes []node) string {
	t.Helper()
	src := filepath.Join(root, "src")
	require.NoError(t, os.MkdirAll(src, 0o755))
	for _, n := range nodes {
		p := filepath.Join(src, filepath.FromSlash(n.path))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		switch {
		case n.dir:
			require.NoError(t, os.MkdirAll(p, 0o755))
		case n.link != "":
			require.NoError(t, os.Symlink(n.link, p))
		case n.hardlink != "":
			require.NoError(t, os.Link(filepath.Join(src, filepath.FromSlash(n.hardlink)), p))
		case n.fifo:
			require.NoError(t, syscall.Mkfifo(p, 0o644))
		default:
			mode := n.mode
			if mode == 0 {
				mode = 0o644
			}
			require.NoError(t, os.WriteFile(p, []byte(n.content), 0o644))
			require.NoError(t, os.Chmod(p, mode)) // Chmod: no umask, setuid kept
		}
	}
	return src
}

// take snapshots src into a fresh folder, failing the test if Take does not return within
// a bounded time (a FIFO read would block forever).
func take(t *testing.T, src, dockerfile string, lim Limits) *Snapshot {
	t.Helper()
	dst := filepath.Join(t.TempDir(), "snap")
	require.NoError(t, os.Mkdir(dst, 0o700))
	type result struct {
		snap *Snapshot
		err  error
	}
	done := make(chan result, 1)
	go func() {
		s, err := Take(src, dst, dockerfile, lim)
		done <- result{s, err}
	}()
	select {
	case r := <-done:
		require.NoError(t, r.err)
		require.NotNil(t, r.snap)
		require.Equal(t, dst, r.snap.Dir)
		return r.snap
	case <-time.After(20 * time.Second):
		t.Fatal("Take did not return within 20s")
		return nil
	}
}

// listing returns every entry of dir, slash-separated, with a suffix telling its type:
// "/" for folders, "@" for symlinks.
func listing(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil || rel == "." {
			return err
		}
		rel = filepath.ToSlash(rel)
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			rel += "@"
		case d.IsDir():
			rel += "/"
		}
		out = append(out, rel)
		return nil
	})
	require.NoError(t, err)
	sort.Strings(out)
	return out
}

func problemPaths(s *Snapshot) []string {
	var out []string
	for _, p := range s.Problems {
		out = append(out, p.Path)
	}
	return out
}

func TestTakeDockerignore(t *testing.T) {
	base := []node{
		file("Dockerfile", "FROM scratch\n"),
		file("README.md", "readme"),
		file("app.log", "log"),
		file("main.go", "package main"),
		file("secret.txt", "hunter2"),
		file("docs/guide.md", "guide"),
		file("docs/img.png", "png"),
		file("sub/README.md", "sub readme"),
		file("sub/notes.md", "notes"),
		file("sub/debug.log", "sub log"),
		file("sub/code.go", "package sub"),
	}
	tests := []struct {
		name       string
		ignore     string
		dockerfile string
		extra      []node
		want       []string
	}{
		{
			name:   "no dockerignore",
			ignore: "",
			want: []string{"Dockerfile", "README.md", "app.log", "docs/", "docs/guide.md", "docs/img.png",
				"main.go", "secret.txt", "sub/", "sub/README.md", "sub/code.go", "sub/debug.log", "sub/notes.md"},
		},
		{
			// *.log is anchored at the root, as in docker: sub/debug.log stays.
			name:   "star log only at the root",
			ignore: "*.log\n",
			want: []string{".dockerignore", "Dockerfile", "README.md", "docs/", "docs/guide.md", "docs/img.png",
				"main.go", "secret.txt", "sub/", "sub/README.md", "sub/code.go", "sub/debug.log", "sub/notes.md"},
		},
		{
			name:   "plain file and folder with trailing slash",
			ignore: "secret.txt\ndocs/\n",
			want: []string{".dockerignore", "Dockerfile", "README.md", "app.log", "main.go",
				"sub/", "sub/README.md", "sub/code.go", "sub/debug.log", "sub/notes.md"},
		},
		{
			name:   "double star markdown with a root README exception",
			ignore: "**/*.md\n!README.md\n",
			want: []string{".dockerignore", "Dockerfile", "README.md", "app.log", "docs/", "docs/img.png",
				"main.go", "secret.txt", "sub/", "sub/code.go", "sub/debug.log"},
		},
		{
			name:   "comments, blank lines and spaces",
			ignore: "# a comment\n\n   \n  secret.txt  \n#app.log\n\t\n**/*.log\n",
			want: []string{".dockerignore", "Dockerfile", "README.md", "docs/", "docs/guide.md", "docs/img.png",
				"main.go", "sub/", "sub/README.md", "sub/code.go", "sub/notes.md"},
		},
		{
			name:   "leading slash anchors to the root",
			ignore: "/secret.txt\n/sub/*.md\n",
			want: []string{".dockerignore", "Dockerfile", "README.md", "app.log", "docs/", "docs/guide.md", "docs/img.png",
				"main.go", "sub/", "sub/code.go", "sub/debug.log"},
		},
		{
			name:   "Dockerfile and .dockerignore excluded are still sent",
			ignore: "Dockerfile\n.dockerignore\n*.go\nsub\n",
			want: []string{".dockerignore", "Dockerfile", "README.md", "app.log", "docs/", "docs/guide.md", "docs/img.png",
				"secret.txt"},
		},
		{
			name:   "exclude everything but keep the build files",
			ignore: "*\n",
			want:   []string{".dockerignore", "Dockerfile"},
		},
		{
			name:   "exclude everything with an exception inside a folder",
			ignore: "*\n!sub/code.go\n",
			want:   []string{".dockerignore", "Dockerfile", "sub/", "sub/code.go"},
		},
		{
			name:       "a Dockerfile in a subfolder is kept too",
			ignore:     "build\n",
			dockerfile: "build/app.Dockerfile",
			extra:      []node{file("build/app.Dockerfile", "FROM scratch\n"), file("build/other", "x")},
			want: []string{".dockerignore", "Dockerfile", "README.md", "app.log", "build/", "build/app.Dockerfile",
				"docs/", "docs/guide.md", "docs/img.png", "main.go", "secret.txt",
				"sub/", "sub/README.md", "sub/code.go", "sub/debug.log", "sub/notes.md"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			nodes := append(append([]node{}, base...), tt.extra...)
			if tt.ignore != "" {
				nodes = append(nodes, file(".dockerignore", tt.ignore))
			}
			src := buildTree(t, t.TempDir(), nodes)
			dockerfile := tt.dockerfile
			if dockerfile == "" {
				dockerfile = "Dockerfile"
			}
			snap := take(t, src, dockerfile, Limits{})
			assert.Empty(t, snap.Problems)
			assert.Equal(t, tt.want, listing(t, snap.Dir))
			// Contents are copied, not just names.
			got, err := os.ReadFile(filepath.Join(snap.Dir, "Dockerfile"))
			require.NoError(t, err)
			assert.Equal(t, "FROM scratch\n", string(got))
			var size int64
			for _, n := range nodes {
				if _, err := os.Lstat(filepath.Join(snap.Dir, filepath.FromSlash(n.path))); err == nil {
					size += int64(len(n.content))
				}
			}
			assert.Equal(t, size, snap.Bytes)
		})
	}
}

func TestTakeSymlinks(t *testing.T) {
	tests := []struct {
		name     string
		nodes    []node
		want     []string // listing of the snapshot
		problems []string // paths of the problems
		links    map[string]string
	}{
		{
			name: "relative link to a sibling is kept as a link",
			nodes: []node{
				file("Dockerfile", "FROM scratch\n"),
				file("conf/app.yaml", "a: 1"),
				symlink("conf/current.yaml", "app.yaml"),
				symlink("top.yaml", "conf/app.yaml"),
				symlink("conf/up", ".."),
				symlink("dangling", "nowhere"),
			},
			want:  []string{"Dockerfile", "conf/", "conf/app.yaml", "conf/current.yaml@", "conf/up@", "dangling@", "top.yaml@"},
			links: map[string]string{"conf/current.yaml": "app.yaml", "top.yaml": "conf/app.yaml", "conf/up": "..", "dangling": "nowhere"},
		},
		{
			name: "parent of the root",
			nodes: []node{
				file("Dockerfile", "FROM scratch\n"),
				symlink("sub/etc", "../../etc"),
				symlink("up", ".."),
			},
			want:     []string{"Dockerfile", "sub/"},
			problems: []string{"sub/etc", "up"},
		},
		{
			name: "absolute target",
			nodes: []node{
				file("Dockerfile", "FROM scratch\n"),
				symlink("passwd", "/etc/passwd"),
				symlink("inside-abs", "/Dockerfile"),
			},
			want:     []string{"Dockerfile"},
			problems: []string{"inside-abs", "passwd"},
		},
		{
			name: "dot-dot hidden in the middle",
			nodes: []node{
				file("Dockerfile", "FROM scratch\n"),
				file("a/x", "x"),
				symlink("x", "a/../../x"),
			},
			want:     []string{"Dockerfile", "a/", "a/x"},
			problems: []string{"x"},
		},
		{
			name: "Dockerfile is a link leaving the folder",
			nodes: []node{
				symlink("Dockerfile", "../outside/Dockerfile"),
				file("main.go", "package main"),
			},
			want:     []string{"main.go"},
			problems: []string{"Dockerfile"},
		},
		{
			// Each link alone stays inside when read lexically, but up resolves to the
			// root, so up/../.. climbs out of it.
			name: "chain of links leaving the folder",
			nodes: []node{
				file("Dockerfile", "FROM scratch\n"),
				symlink("a/b/up", "../.."),
				symlink("a/b/escape", "up/../../etc/passwd"),
				symlink("a/b/ok", "up/Dockerfile"),
			},
			want:     []string{"Dockerfile", "a/", "a/b/", "a/b/ok@", "a/b/up@"},
			problems: []string{"a/b/escape"},
			links:    map[string]string{"a/b/up": "../..", "a/b/ok": "up/Dockerfile"},
		},
		{
			name: "link through another link leaving the folder",
			nodes: []node{
				file("Dockerfile", "FROM scratch\n"),
				symlink("out", "../.."),
				symlink("sub/deep", "../out/etc"),
			},
			want:     []string{"Dockerfile", "sub/"},
			problems: []string{"out", "sub/deep"},
		},
		{
			// A loop resolves nowhere; it is refused rather than followed forever.
			name: "link loop",
			nodes: []node{
				file("Dockerfile", "FROM scratch\n"),
				symlink("loop1", "loop2"),
				symlink("loop2", "loop1"),
			},
			want:     []string{"Dockerfile"},
			problems: []string{"loop1", "loop2"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := buildTree(t, t.TempDir(), tt.nodes)
			snap := take(t, src, "Dockerfile", Limits{})
			assert.ElementsMatch(t, tt.problems, problemPaths(snap))
			for _, p := range snap.Problems {
				assert.Contains(t, p.Message.EN, p.Path, "the message names the path")
				assert.Contains(t, p.Message.FR, p.Path, "the message names the path")
				_, err := os.Lstat(filepath.Join(snap.Dir, filepath.FromSlash(p.Path)))
				assert.ErrorIs(t, err, fs.ErrNotExist, "a refused link is not created: %s", p.Path)
			}
			assert.Equal(t, tt.want, listing(t, snap.Dir))
			for name, target := range tt.links {
				got, err := os.Readlink(filepath.Join(snap.Dir, filepath.FromSlash(name)))
				require.NoError(t, err)
				assert.Equal(t, target, got)
			}
		})
	}
}

func TestTakeHardlinkToSymlinkElsewhere(t *testing.T) {
	// A hard link to a symbolic link is a second name for the link itself: moved to
	// another folder, its relative target points somewhere else.
	src := buildTree(t, t.TempDir(), []node{
		file("Dockerfile", "FROM scratch\n"),
		file("a/b/x", "x"),
		symlink("a/b/link", "../../x"), // a/b/../../x = x: inside, dangling
	})
	require.NoError(t, os.Link(filepath.Join(src, "a/b/link"), filepath.Join(src, "z")))
	fi, err := os.Lstat(filepath.Join(src, "z"))
	require.NoError(t, err)
	require.NotZero(t, fi.Mode()&fs.ModeSymlink, "os.Link must link the symlink itself")

	snap := take(t, src, "Dockerfile", Limits{})
	assert.Equal(t, []string{"z"}, problemPaths(snap))
	_, err = os.Lstat(filepath.Join(snap.Dir, "z"))
	assert.ErrorIs(t, err, fs.ErrNotExist)
	got, err := os.Readlink(filepath.Join(snap.Dir, "a/b/link"))
	require.NoError(t, err)
	assert.Equal(t, "../../x", got)
}

func TestTakeLimits(t *testing.T) {
	many := []node{file("Dockerfile", "FROM scratch\n")}
	for i := range 10 {
		many = append(many, file(fmt.Sprintf("f%02d.txt", i), "x"))
	}
	tests := []struct {
		name      string
		nodes     []node
		lim       Limits
		problem   string // path of the single problem
		wantEN    string
		maxFiles  int      // regular files in the snapshot, at most
		absent    []string // files not copied after the stop
		wantBytes int64
	}{
		{
			name: "size limit",
			nodes: []node{
				file("Dockerfile", "FROM scratch\n"),
				file("big.bin", strings.Repeat("b", 4096)),
				file("zz-after.txt", "after"),
			},
			lim:      Limits{MaxBytes: 1000},
			problem:  "big.bin",
			wantEN:   "exceeds",
			maxFiles: 1,
			absent:   []string{"big.bin", "zz-after.txt"},
		},
		{
			name: "size limit reached by the sum",
			nodes: []node{
				file("Dockerfile", strings.Repeat("#", 400)),
				file("a.txt", strings.Repeat("a", 400)),
				file("b.txt", strings.Repeat("b", 400)),
			},
			lim:      Limits{MaxBytes: 1000},
			problem:  "b.txt",
			wantEN:   "exceeds",
			maxFiles: 2,
			absent:   []string{"b.txt"},
		},
		{
			name:      "size exactly at the limit is fine",
			nodes:     []node{file("Dockerfile", strings.Repeat("#", 1000))},
			lim:       Limits{MaxBytes: 1000},
			maxFiles:  1,
			wantBytes: 1000,
		},
		{
			name:     "file count limit",
			nodes:    many,
			lim:      Limits{MaxFiles: 4},
			problem:  "",
			wantEN:   "more than 4 files",
			maxFiles: 4,
			absent:   []string{"f09.txt"},
		},
		{
			name:      "file count exactly at the limit is fine",
			nodes:     many,
			lim:       Limits{MaxFiles: len(many)},
			maxFiles:  len(many),
			wantBytes: int64(len("FROM scratch\n") + 10),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := buildTree(t, t.TempDir(), tt.nodes)
			snap := take(t, src, "Dockerfile", tt.lim)
			files := 0
			for _, e := range listing(t, snap.Dir) {
				if !strings.HasSuffix(e, "/") {
					files++
				}
			}
			assert.LessOrEqual(t, files, tt.maxFiles)
			for _, a := range tt.absent {
				_, err := os.Lstat(filepath.Join(snap.Dir, a))
				assert.ErrorIs(t, err, fs.ErrNotExist, "%s copied after the limit", a)
			}
			if tt.wantEN == "" {
				assert.Empty(t, snap.Problems)
				assert.Equal(t, tt.wantBytes, snap.Bytes)
				assert.Equal(t, files, snap.Files)
				return
			}
			require.Len(t, snap.Problems, 1)
			assert.Equal(t, tt.problem, snap.Problems[0].Path)
			assert.Contains(t, snap.Problems[0].Message.EN, tt.wantEN)
			assert.NotEmpty(t, snap.Problems[0].Message.FR)
		})
	}
}

func TestTakeSpecialFiles(t *testing.T) {
	t.Run("fifo is refused, not read", func(t *testing.T) {
		src := buildTree(t, t.TempDir(), []node{
			file("Dockerfile", "FROM scratch\n"),
			{path: "pipe", fifo: true},
			{path: "sub/pipe2", fifo: true},
			file("zz.txt", "after"),
		})
		snap := take(t, src, "Dockerfile", Limits{}) // fails the test after 20s if it blocks
		assert.ElementsMatch(t, []string{"pipe", "sub/pipe2"}, problemPaths(snap))
		for _, p := range snap.Problems {
			assert.Contains(t, p.Message.EN, "not a regular file")
		}
		assert.Equal(t, []string{"Dockerfile", "sub/", "zz.txt"}, listing(t, snap.Dir))
	})

	t.Run("hard link inside is fine", func(t *testing.T) {
		src := buildTree(t, t.TempDir(), []node{
			file("Dockerfile", "FROM scratch\n"),
			file("a.txt", "shared"),
			{path: "sub/b.txt", hardlink: "a.txt"},
		})
		snap := take(t, src, "Dockerfile", Limits{})
		assert.Empty(t, snap.Problems)
		for _, p := range []string{"a.txt", "sub/b.txt"} {
			got, err := os.ReadFile(filepath.Join(snap.Dir, p))
			require.NoError(t, err)
			assert.Equal(t, "shared", string(got))
		}
		a, err := os.Stat(filepath.Join(snap.Dir, "a.txt"))
		require.NoError(t, err)
		b, err := os.Stat(filepath.Join(snap.Dir, "sub/b.txt"))
		require.NoError(t, err)
		assert.True(t, os.SameFile(a, b), "the snapshot keeps the hard link")
		// The snapshot's files are not the submission's.
		orig, err := os.Stat(filepath.Join(src, "a.txt"))
		require.NoError(t, err)
		assert.False(t, os.SameFile(a, orig))
	})

	t.Run("hard link whose first name is excluded", func(t *testing.T) {
		src := buildTree(t, t.TempDir(), []node{
			file("Dockerfile", "FROM scratch\n"),
			file(".dockerignore", "a.txt\n"),
			file("a.txt", "shared"),
			{path: "b.txt", hardlink: "a.txt"},
		})
		snap := take(t, src, "Dockerfile", Limits{})
		assert.Empty(t, snap.Problems)
		got, err := os.ReadFile(filepath.Join(snap.Dir, "b.txt"))
		require.NoError(t, err)
		assert.Equal(t, "shared", string(got))
	})

	t.Run("setuid dropped, exec bits and mtime kept", func(t *testing.T) {
		src := buildTree(t, t.TempDir(), []node{
			file("Dockerfile", "FROM scratch\n"),
			{path: "suid.sh", content: "#!/bin/sh\n", mode: 0o755 | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky},
			{path: "plain.txt", content: "plain", mode: 0o640},
		})
		fi, err := os.Stat(filepath.Join(src, "suid.sh"))
		require.NoError(t, err)
		require.NotZero(t, fi.Mode()&fs.ModeSetuid, "the test needs a setuid source file")
		mtime := time.Date(2021, 3, 4, 5, 6, 7, 0, time.UTC)
		for _, p := range []string{"Dockerfile", "suid.sh", "plain.txt"} {
			require.NoError(t, os.Chtimes(filepath.Join(src, p), mtime, mtime))
		}

		snap := take(t, src, "Dockerfile", Limits{})
		assert.Empty(t, snap.Problems)
		for _, tc := range []struct {
			path string
			perm fs.FileMode
		}{
			{"suid.sh", 0o755},
			{"plain.txt", 0o640},
			{"Dockerfile", 0o644},
		} {
			fi, err := os.Lstat(filepath.Join(snap.Dir, tc.path))
			require.NoError(t, err)
			st := fi.Sys().(*syscall.Stat_t)
			assert.Zero(t, st.Mode&0o7000, "%s keeps setuid/setgid/sticky: %o", tc.path, st.Mode)
			assert.Zero(t, fi.Mode()&(fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky), tc.path)
			assert.Equal(t, tc.perm, fi.Mode().Perm()&tc.perm, "%s lost permission bits: %v", tc.path, fi.Mode())
			assert.NotZero(t, fi.Mode().Perm()&0o600, "%s must stay readable and writable by the grader", tc.path)
			assert.True(t, fi.ModTime().Equal(mtime), "%s mtime %v, want %v", tc.path, fi.ModTime(), mtime)
		}
	})
}

func TestTakeDockerignoreRefused(t *testing.T) {
	tests := []struct {
		name  string
		nodes []node
	}{
		{
			name:  "a folder named .dockerignore",
			nodes: []node{file("Dockerfile", "FROM scratch\n"), {path: ".dockerignore", dir: true}, file(".dockerignore/x", "*")},
		},
		{
			name:  "a link named .dockerignore",
			nodes: []node{file("Dockerfile", "FROM scratch\n"), file("ignore", "*\n"), symlink(".dockerignore", "ignore")},
		},
		{
			name:  "a fifo named .dockerignore",
			nodes: []node{file("Dockerfile", "FROM scratch\n"), {path: ".dockerignore", fifo: true}},
		},
		{
			name:  "a pattern docker build rejects",
			nodes: []node{file("Dockerfile", "FROM scratch\n"), file(".dockerignore", "*.log\n[\n")},
		},
		{
			name:  "a .dockerignore larger than 1 MiB",
			nodes: []node{file("Dockerfile", "FROM scratch\n"), file(".dockerignore", strings.Repeat("# pad\n", 200_000))},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := buildTree(t, t.TempDir(), tt.nodes)
			snap := take(t, src, "Dockerfile", Limits{})
			require.Len(t, snap.Problems, 1)
			assert.Equal(t, ".dockerignore", snap.Problems[0].Path)
			assert.Contains(t, snap.Problems[0].Message.EN, ".dockerignore")
			assert.Empty(t, listing(t, snap.Dir), "nothing is copied")
		})
	}
}

func TestTakeSourceErrors(t *testing.T) {
	root := t.TempDir()
	notDir := filepath.Join(root, "file")
	require.NoError(t, os.WriteFile(notDir, []byte("x"), 0o644))
	tests := []struct {
		name string
		src  string
		want string
	}{
		{"a file", notDir, "not a folder"},
		{"missing", filepath.Join(root, "missing"), "submission"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dst := t.TempDir()
			snap, err := Take(tt.src, dst, "Dockerfile", Limits{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
			assert.Nil(t, snap)
			assert.Empty(t, listing(t, dst))
		})
	}
}

func TestTakeSourceIsALink(t *testing.T) {
	// The folder the user names may itself be a link: that is their choice, not the
	// submission's content.
	root := t.TempDir()
	src := buildTree(t, root, []node{file("Dockerfile", "FROM scratch\n")})
	link := filepath.Join(root, "link")
	require.NoError(t, os.Symlink(src, link))
	snap := take(t, link, "Dockerfile", Limits{})
	assert.Empty(t, snap.Problems)
	assert.Equal(t, []string{"Dockerfile"}, listing(t, snap.Dir))
}

func TestEscapes(t *testing.T) {
	tests := []struct {
		name, link string
		links      map[string]string
		want       bool
	}{
		{"a", "b", nil, false},
		{"a/b", "../c", nil, false},
		{"a/b", "../../c", nil, true},
		{"a", "..", nil, true},
		{"a", "/etc", nil, true},
		{"a", "x/../../y", nil, true},
		{"a", "./.", nil, false},
		{"a/b/c", "../../..", nil, true},
		{"a/b/c", "../..", nil, false},
		{"a/l", "up/../..", map[string]string{"a/up": ".."}, true},
		{"l", "d/../x", map[string]string{"d": "a/b"}, false},
		{"l", "d/../../x", map[string]string{"d": "a/b"}, false},
		{"l", "d/../../../x", map[string]string{"d": "a/b"}, true},
		{"l", "self/x", map[string]string{"self": "self"}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name+"->"+tt.link, func(t *testing.T) {
			links := map[string]string{tt.name: tt.link}
			for k, v := range tt.links {
				links[k] = v
			}
			assert.Equal(t, tt.want, leaves(links, tt.name))
		})
	}
}

func BenchmarkTake(b *testing.B) {
	root := b.TempDir()
	var nodes []node
	nodes = append(nodes, file("Dockerfile", "FROM scratch\n"), file(".dockerignore", "**/*.log\n"))
	for i := range 2000 {
		ext := ".go"
		if i%10 == 0 {
			ext = ".log"
		}
		nodes = append(nodes, file(fmt.Sprintf("pkg%02d/file%04d%s", i%40, i, ext), strings.Repeat("x", 200)))
	}
	src := buildTree(b, root, nodes)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		dst := filepath.Join(root, fmt.Sprintf("dst%d", i))
		i++
		if err := os.Mkdir(dst, 0o700); err != nil {
			b.Fatal(err)
		}
		snap, err := Take(src, dst, "Dockerfile", Limits{MaxFiles: 5000})
		if err != nil {
			b.Fatal(err)
		}
		if len(snap.Problems) != 0 || snap.Files < 1800 {
			b.Fatalf("problems %v, files %d", snap.Problems, snap.Files)
		}
	}
}
