FROM ddlab/busybox:1 AS base
RUN true

FROM ddlab/busybox:1 AS base
CMD ["sh"]
