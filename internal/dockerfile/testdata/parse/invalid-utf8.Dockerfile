FROM ddlab/busybox:1
LABEL x=ÿþ
CMD ["sh"]
