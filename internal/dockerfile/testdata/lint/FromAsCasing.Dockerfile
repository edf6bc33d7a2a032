FROM ddlab/busybox:1 as base
CMD ["sh"]
