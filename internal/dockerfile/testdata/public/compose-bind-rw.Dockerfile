# Shape of docker/compose's own Dockerfile: a read-write bind mount of the context in a build step.
FROM scratch AS base
FROM base AS build
WORKDIR /src
RUN --mount=type=bind,target=.,rw \
    --mount=type=cache,target=/root/.cache \
    true
FROM base AS check
RUN --mount=type=bind,from=build,target=/src,readwrite true
