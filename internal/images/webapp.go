package images

import (
	"context"
	"fmt"
	"os"

	"github.com/ddlab/grade/internal/engine"
	"github.com/ddlab/grade/internal/lab"
	"github.com/ddlab/grade/labs"
)

// webappDockerfile builds the lab app from lab 5's starter, the same labkit students get, so
// the images the labs run and the code students read never drift apart.
const webappDockerfile = `FROM ddlab/go:1 AS build
WORKDIR /src
ENV GOPROXY=file:///src/third_party/goproxy
COPY . .
ARG VERSION
RUN go build -ldflags "-s -w -X main.version=${VERSION}" -o /out/labapp ./cmd/server \
 && mkdir -p /out/data /out/root/tmp && chmod 1777 /out/root/tmp

FROM scratch
COPY --from=build /out/labapp /labapp
%s
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=2s --timeout=2s --retries=3 CMD ["/labapp","healthcheck"]
ENTRYPOINT ["/labapp"]
`

// Extra instructions of the images that run the lab app in another mode (docs/labs/README.md §1).
const (
	// brokenExtra: labapp legacy exits 3 unless DATABASE_URL is set (lab 4's diagnosis).
	brokenExtra = `CMD ["legacy"]`
	// kvExtra: the key/value store writes one file per key in /data, which must belong to the
	// app's user; a scratch image has no shell to chown it, hence the empty dirs copied from
	// the build stage. /tmp (1777) is there for /tmpfill when no tmpfs is mounted: COPY keeps the
	// mode of what a directory holds, not of the directory itself, hence /out/root/tmp.
	kvExtra = `COPY --from=build --chown=65532:65532 /out/data /data
COPY --from=build /out/root/ /
VOLUME ["/data"]
CMD ["kv"]`
)

// webapp returns the recipe of one lab app image: a version and extra instructions.
func webapp(ref, version, extra string) func(b *Builder, ctx context.Context) error {
	return func(b *Builder, ctx context.Context) error {
		ctxDir, err := os.MkdirTemp("", "grade-webapp-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(ctxDir)
		cat, err := lab.Load(labs.FS)
		if err != nil {
			return err
		}
		src, err := cat.Starter("lab5")
		if err != nil {
			return err
		}
		if _, _, err := lab.WriteFiles(src, ctxDir); err != nil {
			return err
		}
		return b.build(ctx, fmt.Sprintf(webappDockerfile, extra), engine.BuildRequest{
			ContextDir: ctxDir,
			// The starter's own Dockerfile and docs are not part of the app.
			Exclude:   []string{"Dockerfile", ".dockerignore", "README.md", "docs"},
			Tag:       ref,
			BuildArgs: map[string]string{"VERSION": version},
		})
	}
}
