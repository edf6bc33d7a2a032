FROM ddlab/busybox:1
RUN true
RUNN true
