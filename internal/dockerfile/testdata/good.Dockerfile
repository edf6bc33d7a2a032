# Lab 5 reference solution (offline): multi-stage, cached dependencies, non-root, exec form.
FROM ddlab/go:1 AS deps
WORKDIR /src
ENV GOPROXY=file:///src/third_party/goproxy
COPY go.mod go.sum ./
COPY third_party/ third_party/
RUN go mod download

FROM deps AS build
ARG VERSION=dev
COPY . .
RUN go build -ldflags "-X main.version=${VERSION}" -o /out/server ./cmd/server

FROM build AS test
RUN go test ./...

FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/server /app/server
USER 65532:65532
EXPOSE 8080
HEALTHCHECK --interval=5s --timeout=3s CMD ["/app/server", "healthcheck"]
ENTRYPOINT ["/app/server"]
