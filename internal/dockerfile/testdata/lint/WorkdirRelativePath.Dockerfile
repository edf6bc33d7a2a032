FROM ddlab/busybox:1

WORKDIR app
CMD ["sh"]
