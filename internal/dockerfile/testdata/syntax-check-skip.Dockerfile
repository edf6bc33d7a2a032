# syntax=docker/dockerfile:1.7
# check=skip=JSONArgsRecommended

FROM ddlab/busybox:1
CMD echo hi
WORKDIR app
