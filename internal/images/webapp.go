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
RUN go build -ldflags "-s -w -X main.version=${VERSION}" -o /out/labapp ./cmd/server

FROM scratch
COPY --from=build /out/labapp /labapp
%s
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=2s --timeout=2s --retries=3 CMD ["/labapp","healthcheck"]
ENTRYPOINT ["/labapp"]
`

// webapp returns the recipe of one lab app image: a version and an extra instruction.
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
