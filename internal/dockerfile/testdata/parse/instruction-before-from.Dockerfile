RUN true
FROM ddlab/busybox:1
