FROM ddlab/busybox:1
HEALTHCHECK --interval=abc CMD ["true"]
