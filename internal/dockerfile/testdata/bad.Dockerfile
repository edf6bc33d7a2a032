from ddlab/busybox:1 as Build
MAINTAINER x
ENV SECRET_PASSWORD=hunter2
ENV MYVAR value
ENV APP=$MYPATH
WORKDIR app
RUN echo \

    hello
EXPOSE 80/TCP
CMD echo hi
CMD ["sh"]
FROM Build AS final
ENTRYPOINT echo hi
