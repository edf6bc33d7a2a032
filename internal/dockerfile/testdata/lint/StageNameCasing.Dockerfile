# The base stage.
FROM ddlab/busybox:1 AS Base
CMD ["sh"]
