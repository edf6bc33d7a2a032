package images

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

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
		// The starter's own Dockerfile and docs are not part of the app.
		for _, p := range []string{"Dockerfile", ".dockerignore", "README.md", "docs"} {
			if err := os.RemoveAll(filepath.Join(ctxDir, p)); err != nil {
				return err
			}
		}
		dfDir, err := os.MkdirTemp("", "grade-webapp-df-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dfDir)
		df := fmt.Sprintf(webappDockerfile, extra)
		if err := os.WriteFile(filepath.Join(dfDir, "Dockerfile"), []byte(df), 0o644); err != nil {
			return err
		}
		res, err := b.Engine.Build(ctx, engine.BuildRequest{
			ContextDir:    ctxDir,
			DockerfileDir: dfDir,
			Dockerfile:    "Dockerfile",
			Tag:           ref,
			BuildArgs:     map[string]string{"VERSION": version},
			Labels:        labels(),
			Progress:      b.Progress,
		})
		if err != nil {
			return err
		}
		if res.Failed {
			return fmt.Errorf("build failed: %s\n%s", res.Error, tail(res.Log, 20))
		}
		return nil
	}
}
