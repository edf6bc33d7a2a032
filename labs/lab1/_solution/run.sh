#!/bin/sh
# Lab 1 — run.sh : (re)crée le conteneur lab1-web.

# rm -f ne dit rien d'utile si le conteneur n'existe pas : on ignore son échec.
docker rm -f lab1-web >/dev/null 2>&1 || true

docker run -d \
  --name lab1-web \
  --label ddlab.lab=lab1 \
  -e GREETING=Bonjour \
  -p 127.0.0.1:8081:8080 \
  ddlab/webapp:1 >/dev/null
