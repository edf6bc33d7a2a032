FROM ddlab/busybox:1
ENV APP_PATH=$MYPATH:/app
CMD ["sh"]
