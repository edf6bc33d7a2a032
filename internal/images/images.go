// Package images builds, offline, the ddlab/* base images the labs and their tests use
// (docs/labs/README.md §1), from the host's static busybox and Go toolchain. Nothing is pulled.
package images

import (
	"archive/tar"
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"github.com/ddlab/grade/internal/check"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/ddlab/grade/internal/engine"
)

// AssetsVersion is stamped on every image as ddlab.assets; bump it when a recipe changes so
// `grade images` rebuilds.
const AssetsVersion = "3"

// Image is one base image and how to make it.
type Image struct {
	Ref     string
	Summary string
	Needs   []string // images it is built FROM
	build   func(b *Builder, ctx context.Context) error
}

// All lists the base images, each after the images it needs.
func All() []Image {
	return []Image{
		{Ref: "ddlab/busybox:1", Summary: "busybox statique, /etc/passwd (app 10001, nonroot 65532)", build: (*Builder).busybox},
		{Ref: "ddlab/go:1", Summary: "ddlab/busybox:1 + la chaîne Go de l'hôte, cache de compilation préchauffé", Needs: []string{"ddlab/busybox:1"}, build: (*Builder).golang},
		{Ref: "ddlab/webapp:1", Summary: "l'application des labs (labkit), FROM scratch, UID 65532, port 8080", Needs: []string{"ddlab/go:1"},
			build: webapp("ddlab/webapp:1", "1", "")},
		{Ref: "ddlab/webapp:2", Summary: "webapp VERSION=2, n'écoute qu'après 3 s (mise à jour progressive)", Needs: []string{"ddlab/go:1"},
			build: webapp("ddlab/webapp:2", "2", "ENV STARTUP_DELAY=3s")},
		{Ref: "ddlab/webapp:broken", Summary: "webapp dont le HEALTHCHECK échoue toujours (retour arrière)", Needs: []string{"ddlab/go:1"},
			build: webapp("ddlab/webapp:broken", "broken", "ENV HEALTH_FAIL=1")},
		{Ref: "ddlab/broken:1", Summary: "labapp legacy : quitte avec le code 3 sans DATABASE_URL (diagnostic, lab 4)", Needs: []string{"ddlab/go:1"},
			build: webapp("ddlab/broken:1", "1", brokenExtra)},
		{Ref: "ddlab/kv:1", Summary: "labapp kv : magasin clé/valeur dans /data (VOLUME, UID 65532), labs 6-8", Needs: []string{"ddlab/go:1"},
			build: webapp("ddlab/kv:1", "1", kvExtra)},
		{Ref: "ddlab/probe:1", Summary: "ddlab/busybox:1 + labprobe (http, tcp, dns, ifaces, routes, serve) : la sonde du correcteur", Needs: []string{"ddlab/busybox:1", "ddlab/go:1"},
			build: (*Builder).probe},
	}
}

// Builder makes base images on one engine.
type Builder struct {
	Engine   engine.Engine
	Busybox  string           // path of a static busybox; "" searches PATH
	GoRoot   string           // "" uses this process's GOROOT
	Progress func(check.Text) // each image's steps, in both languages
	Log      func(string)     // the build's own lines, as BuildKit writes them
}

// Present tells which images exist with the current assets version.
type Present struct {
	Ref     string
	ID      string
	Present bool
	Stale   bool // present but from another assets version
}

// Status reads which base images the engine holds.
func Status(ctx context.Context, e engine.Engine) ([]Present, error) {
	list, err := e.ListImages(ctx, "ddlab.assets")
	if err != nil {
		return nil, err
	}
	var out []Present
	for _, img := range All() {
		p := Present{Ref: img.Ref}
		for _, s := range list {
			for _, t := range s.Tags {
				if t == img.Ref {
					p.ID, p.Present, p.Stale = s.ID, true, s.Labels["ddlab.assets"] != AssetsVersion
				}
			}
		}
		out = append(out, p)
	}
	return out, nil
}

// Ensure builds every image in refs (all when empty) that is missing or stale, and the images
// they need. force rebuilds them anyway.
func (b *Builder) Ensure(ctx context.Context, refs []string, force bool) error {
	status, err := Status(ctx, b.Engine)
	if err != nil {
		return err
	}
	ok := map[string]bool{}
	for _, p := range status {
		ok[p.Ref] = p.Present && !p.Stale && !force
	}
	want := map[string]bool{}
	all := All()
	byRef := map[string]Image{}
	for _, img := range all {
		byRef[img.Ref] = img
	}
	var mark func(ref string) error
	mark = func(ref string) error {
		img, found := byRef[ref]
		if !found {
			return fmt.Errorf("unknown image %s", ref)
		}
		want[ref] = true
		for _, n := range img.Needs {
			if err := mark(n); err != nil {
				return err
			}
		}
		return nil
	}
	if len(refs) == 0 {
		for _, img := range all {
			refs = append(refs, img.Ref)
		}
	}
	for _, r := range refs {
		if err := mark(r); err != nil {
			return err
		}
	}
	for _, img := range all {
		if !want[img.Ref] || ok[img.Ref] {
			continue
		}
		b.say("construction de %s…", "building %s…", img.Ref)
		start := time.Now()
		if err := img.build(b, ctx); err != nil {
			return fmt.Errorf("%s: %w", img.Ref, err)
		}
		b.say("%s construite en %s", "%s built in %s", img.Ref, time.Since(start).Round(100*time.Millisecond))
	}
	return nil
}

func (b *Builder) say(fr, en string, args ...any) {
	if b.Progress != nil {
		b.Progress(check.T(fr, en, args...))
	}
}

func labels() map[string]string {
	return map[string]string{"ddlab.assets": AssetsVersion, "org.opencontainers.image.vendor": "ddlab"}
}

// findBusybox returns a static busybox: a dynamic one would not run in an image without libc.
func (b *Builder) findBusybox() (string, error) {
	p := b.Busybox
	if p == "" {
		var err error
		if p, err = exec.LookPath("busybox"); err != nil {
			return "", errors.New("busybox not found: install busybox-static (apt-get install busybox-static) or pass --busybox")
		}
	}
	f, err := elf.Open(p)
	if err != nil {
		return "", fmt.Errorf("%s: %w", p, err)
	}
	defer f.Close()
	for _, prog := range f.Progs {
		if prog.Type == elf.PT_INTERP {
			return "", fmt.Errorf("%s is dynamically linked: install busybox-static", p)
		}
	}
	return p, nil
}

const passwd = `root:x:0:0:root:/root:/bin/sh
app:x:10001:10001:app:/home/app:/bin/sh
nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
`

const group = `root:x:0:
app:x:10001:
nonroot:x:65532:
nobody:x:65534:
`

// busybox imports a root filesystem made of the static busybox and its applet links.
func (b *Builder) busybox(ctx context.Context) error {
	bin, err := b.findBusybox()
	if err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, bin, "--list-full").Output()
	if err != nil {
		return fmt.Errorf("busybox --list-full: %w", err)
	}
	data, err := os.ReadFile(bin)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	mtime := time.Unix(0, 0)
	dirs := map[string]bool{}
	addDir := func(name string, mode int64) error {
		if dirs[name] {
			return nil
		}
		dirs[name] = true
		return tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: name + "/", Mode: mode, ModTime: mtime})
	}
	for _, d := range []string{"bin", "sbin", "usr", "usr/bin", "usr/sbin", "etc", "root", "home", "home/app", "home/nonroot", "var", "dev", "proc", "sys"} {
		if err := addDir(d, 0o755); err != nil {
			return err
		}
	}
	if err := addDir("tmp", 0o1777); err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: "bin/busybox", Mode: 0o755, Size: int64(len(data)), ModTime: mtime}); err != nil {
		return err
	}
	if _, err := tw.Write(data); err != nil {
		return err
	}
	applets := strings.Fields(string(out))
	sort.Strings(applets)
	seen := map[string]bool{"bin/busybox": true}
	for _, a := range applets {
		a = strings.TrimPrefix(filepath.Clean(a), "/")
		if seen[a] || strings.HasPrefix(a, "..") {
			continue
		}
		seen[a] = true
		if err := addDir(filepath.Dir(a), 0o755); err != nil {
			return err
		}
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeSymlink, Name: a, Linkname: "/bin/busybox", ModTime: mtime}); err != nil {
			return err
		}
	}
	for name, content := range map[string]string{"etc/passwd": passwd, "etc/group": group} {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: name, Mode: 0o644, Size: int64(len(content)), ModTime: mtime}); err != nil {
			return err
		}
		if _, err := io.WriteString(tw, content); err != nil {
			return err
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	changes := []string{`CMD ["sh"]`, "ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
	for k, v := range labels() {
		changes = append(changes, fmt.Sprintf("LABEL %s=%s", k, v))
	}
	sort.Strings(changes)
	_, err = b.Engine.ImportImage(ctx, &buf, engine.ImportRequest{Ref: "ddlab/busybox:1", Changes: changes})
	return err
}

// goDockerfile copies the host's Go toolchain onto busybox and compiles the standard packages
// the labs use once, so a student's build compiles only the student's code.
const goDockerfile = `FROM ddlab/busybox:1
COPY . /usr/local/go
ENV PATH=/go/bin:/usr/local/go/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    CGO_ENABLED=0 GOTOOLCHAIN=local GOPROXY=off GOSUMDB=off GOFLAGS="-trimpath -buildvcs=false" \
    GOPATH=/go GOMODCACHE=/go/pkg/mod GOCACHE=/root/.cache/go-build
RUN mkdir -p /go/pkg/mod /root/.cache/go-build /tmp/warm && cd /tmp/warm \
 && printf 'module warm\ngo 1.22\n' > go.mod \
 && printf 'package main\nimport (\n_ "encoding/json"\n_ "net/http"\n_ "net/http/httptest"\n_ "os/signal"\n_ "log/slog"\n_ "flag"\n)\nfunc main() {}\n' > main.go \
 && printf 'package main\nimport "testing"\nfunc TestWarm(t *testing.T) {}\n' > main_test.go \
 && go build -o /dev/null . && go test ./... && go vet ./... \
 && cd / && rm -rf /tmp/warm && chmod -R a+rwX /go /root/.cache && chmod 755 /root
`

func (b *Builder) golang(ctx context.Context) error {
	goroot, err := b.goRoot(ctx)
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(goroot, "bin", "go")); err != nil {
		return fmt.Errorf("no Go toolchain at %s: %w", goroot, err)
	}
	return b.build(ctx, goDockerfile, engine.BuildRequest{
		ContextDir: goroot,
		Exclude:    []string{"test", ".git", "api", "doc", "misc", "pkg/obj"},
		Tag:        "ddlab/go:1",
	})
}

// build builds req with dockerfile kept apart from the context (which is not ours to write
// into: a GOROOT, a copy of embedded sources), stamped as a base image.
func (b *Builder) build(ctx context.Context, dockerfile string, req engine.BuildRequest) error {
	dir, err := os.MkdirTemp("", "grade-images-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(dockerfile), 0o644); err != nil {
		return err
	}
	req.DockerfileDir, req.Dockerfile = dir, "Dockerfile"
	req.Labels, req.Progress = labels(), b.Log
	res, err := b.Engine.Build(ctx, req)
	if err != nil {
		return err
	}
	if res.Failed {
		return fmt.Errorf("build failed: %s\n%s", res.Error, tail(res.Log, 20))
	}
	return nil
}

// goRoot finds the Go toolchain to copy: --goroot, else $GOROOT, else the `go` on PATH. A
// binary built with -trimpath does not know its own GOROOT.
func (b *Builder) goRoot(ctx context.Context) (string, error) {
	if b.GoRoot != "" {
		return b.GoRoot, nil
	}
	if r := os.Getenv("GOROOT"); r != "" {
		return r, nil
	}
	if goBin, err := exec.LookPath("go"); err == nil {
		out, err := exec.CommandContext(ctx, goBin, "env", "GOROOT").Output()
		if r := strings.TrimSpace(string(out)); err == nil && r != "" {
			return r, nil
		}
	}
	if r := runtime.GOROOT(); r != "" {
		return r, nil
	}
	return "", errors.New("no Go toolchain found: install Go or pass --goroot")
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
