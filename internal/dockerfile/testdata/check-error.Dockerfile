# check=error=true
FROM ddlab/busybox:1
CMD echo hi
