FROM ddlab/busybox:1
ENV GREETING bonjour
CMD ["sh"]
