package images

import (
	"context"
	"embed"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/ddlab/grade/internal/engine"
)

// labprobeSrc is the probe's source; it is compiled inside ddlab/go:1 so that `grade images`
// needs no toolchain of its own beyond the one it already copies.
//
//go:embed assets/labprobe/*.go
var labprobeSrc embed.FS

// labprobeGoMod makes the probe a module of its own in the build context: it uses the standard
// library only, so it builds with GOPROXY=off.
const labprobeGoMod = "module labprobe\n\ngo 1.24\n"

const probeDockerfile = `FROM ddlab/go:1 AS build
WORKDIR /src
COPY . .
RUN go build -ldflags "-s -w" -o /out/labprobe .

FROM ddlab/busybox:1
COPY --from=build /out/labprobe /usr/local/bin/labprobe
USER 65532:65532
`

func (b *Builder) probe(ctx context.Context) error {
	dir, err := os.MkdirTemp("", "grade-probe-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if err := writeLabprobe(dir); err != nil {
		return err
	}
	return b.build(ctx, probeDockerfile, engine.BuildRequest{ContextDir: dir, Tag: "ddlab/probe:1"})
}

// writeLabprobe writes the probe's module (without its tests) into dir.
func writeLabprobe(dir string) error {
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte(labprobeGoMod), 0o644); err != nil {
		return err
	}
	return fs.WalkDir(labprobeSrc, "assets/labprobe", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasSuffix(p, "_test.go") {
			return err
		}
		data, err := labprobeSrc.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, filepath.Base(p)), data, 0o644)
	})
}
