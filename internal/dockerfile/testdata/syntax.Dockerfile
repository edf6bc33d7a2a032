# syntax=docker/dockerfile:1
FROM ddlab/busybox:1
CMD echo hi
