FROM ddlab/busybox:1
RUN <<EOF
echo hi
