ARG BASE=ddlab/busybox
ARG TAG=1
ARG UNUSED
FROM ${BASE}:${TAG} AS run
CMD ["sh"]
