FROM ddlab/busybox:1

COPY foo
