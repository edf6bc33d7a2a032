FROM ddlab/go:1 AS build
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /out/server ./cmd/server
RUN --mount=type=cache,id=gomod,target=/go/pkg/mod \
    --mount=type=bind,from=deps,source=/src/vendor,target=/src/vendor \
    go build ./...

FROM scratch
COPY --from=build /out/server /server
ENTRYPOINT ["/server"]
