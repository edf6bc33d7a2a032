FROM ddlab/busybox:1
MAINTAINER Prof <prof@example.com>
CMD ["sh"]
