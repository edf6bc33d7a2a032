FROM ddlab/busybox:1
RUN true
run echo hi
CMD ["sh"]
