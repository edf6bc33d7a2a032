package images

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"github.com/ddlab/grade/internal/check"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"

	"github.com/ddlab/grade/internal/engine"
)

// DefaultRegistry is where the course publishes its images: ddlab/busybox:1 is
// ghcr.io/ddlab/busybox:1 there. `--registry` changes it.
const DefaultRegistry = "ghcr.io/ddlab"

//go:embed pins.txt
var pinsFile string

// Pins maps an image ("ddlab/busybox:1") to the digest of its manifest in the registry.
type Pins map[string]string

// DefaultPins are the digests shipped with this build of grade (pins.txt).
func DefaultPins() (Pins, error) { return ParsePins(pinsFile) }

// ParsePins reads "<image> <digest>" lines; blank lines and # comments are skipped.
func ParsePins(s string) (Pins, error) {
	p := Pins{}
	for i, line := range strings.Split(s, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Fields(line)
		if len(f) != 2 {
			return nil, fmt.Errorf("pins line %d: want \"<image> <digest>\", got %q", i+1, line)
		}
		if _, err := name.NewDigest("example.invalid/pins@" + f[1]); err != nil {
			return nil, fmt.Errorf("pins line %d: %w", i+1, err)
		}
		p[f[0]] = f[1]
	}
	return p, nil
}

// String writes p in the pins file format, sorted.
func (p Pins) String() string {
	refs := make([]string, 0, len(p))
	for r := range p {
		refs = append(refs, r)
	}
	sort.Strings(refs)
	var b strings.Builder
	for _, r := range refs {
		b.WriteString(r + " " + p[r] + "\n")
	}
	return b.String()
}

// Distributor moves the ddlab/* images between an engine and a registry.
type Distributor struct {
	Engine   engine.Engine
	Registry string          // "" is DefaultRegistry
	Options  []remote.Option // extra registry options (transport); credentials come from the Docker config
	// Local names an image in the engine; nil keeps the image's own name. Tests use it so as
	// not to replace the shared ddlab/* images.
	Local    func(ref string) string
	Progress func(check.Text)
}

// Remote returns where ref lives in the registry: ddlab/busybox:1 → <registry>/busybox:1.
func (d *Distributor) Remote(ref string) string {
	reg := d.Registry
	if reg == "" {
		reg = DefaultRegistry
	}
	return strings.TrimSuffix(reg, "/") + "/" + strings.TrimPrefix(ref, "ddlab/")
}

func (d *Distributor) say(fr, en string, args ...any) {
	if d.Progress != nil {
		d.Progress(check.T(fr, en, args...))
	}
}

func (d *Distributor) opts(ctx context.Context) []remote.Option {
	return append([]remote.Option{remote.WithContext(ctx), remote.WithAuthFromKeychain(authn.DefaultKeychain)}, d.Options...)
}

func (d *Distributor) local(ref string) string {
	if d.Local != nil {
		return d.Local(ref)
	}
	return ref
}

// Push publishes refs from the engine to the registry and returns their pins.
func (d *Distributor) Push(ctx context.Context, refs []string) (Pins, error) {
	pins := Pins{}
	for _, ref := range refs {
		digest, err := d.push(ctx, ref)
		if err != nil {
			return pins, fmt.Errorf("push %s: %w", ref, err)
		}
		pins[ref] = digest
		d.say("%s → %s@%s", "%s → %s@%s", ref, d.Remote(ref), digest)
	}
	return pins, nil
}

func (d *Distributor) push(ctx context.Context, ref string) (string, error) {
	// tarball.Image reads the archive more than once: keep `docker save` in a file.
	f, err := os.CreateTemp("", "grade-push-*.tar")
	if err != nil {
		return "", err
	}
	defer os.Remove(f.Name())
	defer f.Close()
	rc, err := d.Engine.SaveImage(ctx, d.local(ref))
	if err != nil {
		return "", err
	}
	_, err = io.Copy(f, rc)
	rc.Close()
	if err != nil {
		return "", err
	}
	tag, err := name.NewTag(d.local(ref))
	if err != nil {
		return "", err
	}
	img, err := tarball.ImageFromPath(f.Name(), &tag)
	if err != nil {
		return "", err
	}
	dst, err := name.NewTag(d.Remote(ref))
	if err != nil {
		return "", err
	}
	if err := remote.Write(dst, img, d.opts(ctx)...); err != nil {
		return "", err
	}
	h, err := img.Digest()
	if err != nil {
		return "", err
	}
	return h.String(), nil
}

// ErrNoPin says an image has no digest to check it against: it is not pulled.
var ErrNoPin = errors.New("no pinned digest")

// Pull fetches each of refs by its pinned digest, loads it into the engine under its own
// name, and checks that the engine got the image the digest names (same config digest, which
// is the image ID). It returns the refs it could not pull, with why.
func (d *Distributor) Pull(ctx context.Context, refs []string, pins Pins) map[string]error {
	failed := map[string]error{}
	for _, ref := range refs {
		if err := d.pull(ctx, ref, pins); err != nil {
			failed[ref] = err
			d.say("%s : %v", "%s: %v", ref, err)
			continue
		}
		d.say("%s : téléchargée et vérifiée (%s)", "%s: pulled and verified (%s)", ref, pins[ref])
	}
	return failed
}

func (d *Distributor) pull(ctx context.Context, ref string, pins Pins) error {
	pin, ok := pins[ref]
	if !ok {
		return ErrNoPin
	}
	remoteTag, err := name.NewTag(d.Remote(ref))
	if err != nil {
		return err
	}
	src := remoteTag.Context().Digest(pin)
	// By digest: go-containerregistry refuses a manifest whose digest differs, and each
	// layer whose content differs from its digest.
	img, err := remote.Image(src, d.opts(ctx)...)
	if err != nil {
		return err
	}
	tag, err := name.NewTag(d.local(ref))
	if err != nil {
		return err
	}
	pr, pw := io.Pipe()
	go func() { pw.CloseWithError(tarball.Write(tag, img, pw)) }()
	_, err = d.Engine.LoadImage(ctx, pr)
	pr.CloseWithError(err)
	if err != nil {
		return err
	}
	cfg, err := img.ConfigName()
	if err != nil {
		return err
	}
	got, err := d.Engine.InspectImage(ctx, d.local(ref))
	if err != nil {
		return err
	}
	if got.ID != cfg.String() {
		return fmt.Errorf("the engine loaded %s, not the pinned image %s", got.ID, cfg)
	}
	return nil
}
