package lab03

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/ddlab/grade/internal/check"
	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/engine/enginefake"
	"github.com/ddlab/grade/internal/grader"
	"github.com/ddlab/grade/internal/imagetar"
	"github.com/ddlab/grade/internal/lab"
)

// TestLayerTraps: a trap file counts in any layer above the base, even one a later layer
// deletes (its whiteout), and never in the base's own layers.
func TestLayerTraps(t *testing.T) {
	layers := []imagetar.Layer{
		{DiffID: "sha256:base", Entries: []imagetar.Entry{{Path: "/bin"}, {Path: "/bin/busybox"}}},
		{DiffID: "sha256:copy", Entries: []imagetar.Entry{{Path: "/www"}, {Path: "/www/index.html"}, {Path: "/www/big.bin"}, {Path: "/www/.git/HEAD"}}},
		{DiffID: "sha256:rm", Entries: []imagetar.Entry{{Path: "/www/.wh.big.bin", Whiteout: true}}},
	}
	base := []string{"sha256:base"}
	assert.Equal(t, []string{"/www/.git", "/www/big.bin"}, trapsInLayers(layers, base, []string{"big.bin", ".git", "drafts"}))
	assert.Equal(t, []string{"/www/.wh.big.bin"}, whiteouts(layers, base))
	assert.Empty(t, trapsInLayers(layers, []string{"sha256:base", "sha256:copy"}, []string{"big.bin", ".git"}))
}

func TestForeignNames(t *testing.T) {
	tests := []struct {
		name  string
		tags  []string
		other []string
		want  []string
	}{
		{"the lab's names", []string{"lab3/site:build", "127.0.0.1:5000/lab3/site:1.0", "docker.io/lab3/site:1"}, nil, nil},
		{"a base image", []string{"lab3/site:build", "ddlab/busybox:1"}, nil, []string{"ddlab/busybox:1"}},
		{"another repo under a host", []string{"127.0.0.1:5000/evil/lab3/site:1"}, nil, []string{"127.0.0.1:5000/evil/lab3/site:1"}},
		{"legacy repositories file", nil, []string{"ddlab/go:1"}, []string{"ddlab/go:1"}},
		{"repo prefix only", []string{"lab3/sitex:1"}, nil, []string{"lab3/sitex:1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &imagetar.Archive{Manifest: []imagetar.Image{{RepoTags: tt.tags}}, OtherNames: tt.other}
			assert.Equal(t, tt.want, foreignNames(a))
		})
	}
}

func TestInstruction(t *testing.T) {
	tests := map[string]string{
		"LABEL ddlab.lab=lab3":                         "LABEL ddlab.lab=lab3",
		"/bin/sh -c #(nop)  LABEL ddlab.lab=lab3":      "LABEL ddlab.lab=lab3",
		"/bin/sh -c rm -rf /www/big.bin":               "RUN rm -rf /www/big.bin",
		"RUN /bin/sh -c chmod -R a+rX /www # buildkit": "RUN /bin/sh -c chmod -R a+rX /www # buildkit",
		"  /bin/sh -c #(nop) COPY dir:abc in /www/   ": "COPY dir:abc in /www/",
	}
	for in, want := range tests {
		assert.Equal(t, want, instruction(in), in)
	}
}

func TestDangling(t *testing.T) {
	assert.True(t, dangling(engine.ImageSummary{}))
	assert.True(t, dangling(engine.ImageSummary{Tags: []string{"<none>:<none>"}}))
	assert.False(t, dangling(engine.ImageSummary{Tags: []string{"lab3/site:build"}}))
	assert.False(t, dangling(engine.ImageSummary{Tags: []string{"<none>:<none>", "lab3/site:rebuild"}}))
}

func TestSharesBase(t *testing.T) {
	assert.True(t, sharesBase([]string{"a", "b"}, []string{"a"}))
	assert.True(t, sharesBase([]string{"a"}, []string{"a"}))
	assert.False(t, sharesBase([]string{"x", "b"}, []string{"a"}))
	assert.False(t, sharesBase([]string{"a"}, []string{"a", "b"}))
	assert.False(t, sharesBase([]string{"a"}, nil))
}

func TestMeasureContext(t *testing.T) {
	dir := t.TempDir()
	for name, content := range map[string]string{
		"Dockerfile": "FROM x\n", "site/index.html": "<h1>", "big.bin": "0123456789",
		".git/HEAD": "ref", "site/drafts/x": "nested, not a root trap",
	} {
		p := filepath.Join(dir, filepath.FromSlash(name))
		require.NoError(t, os.MkdirAll(filepath.Dir(p), 0o755))
		require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	}
	u, err := measureContext(dir, []string{"big.bin", ".git", "drafts", "secrets.env"})
	require.NoError(t, err)
	assert.Equal(t, []string{".git", "big.bin"}, u.Traps)
	assert.Equal(t, 5, u.Files)
	assert.EqualValues(t, len("FROM x\n")+4+10+3+len("nested, not a root trap"), u.Bytes)
}

// newState is a state over a fake engine and lab 3's real spec.
func newState(t *testing.T, f *enginefake.Fake) *state {
	t.Helper()
	cat, err := lab.Load(os.DirFS("../../labs"))
	require.NoError(t, err)
	spec, err := cat.Spec("lab3")
	require.NoError(t, err)
	return stateFor(&grader.Run{ID: "0123456789abcdef", Spec: spec, Engine: f, Cleanup: &grader.Cleanup{},
		Progress: func(check.Text) {}, Detail: func(string) {}})
}

func TestPushSkipsOnRemoteEngine(t *testing.T) {
	f := &enginefake.Fake{
		InfoFn:    func(context.Context) (engine.Info, error) { return engine.Info{Remote: true}, nil },
		HostValue: "tcp://build-server:2376",
	}
	s := newState(t, f)
	s.imageID = "sha256:abc"
	for _, run := range []func(context.Context) (check.Outcome, error){s.checkPush, s.checkPullDigest, s.checkSemver} {
		o, err := run(context.Background())
		require.NoError(t, err)
		assert.Equal(t, check.Skip, o.Status)
		assert.True(t, o.Excluded, "an environment skip leaves the denominator")
		assert.Contains(t, o.Message.FR, "moteur Docker est distant")
	}
	assert.Nil(t, s.reg, "no registry is started for a remote engine")
}
