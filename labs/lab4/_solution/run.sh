#!/bin/sh
# run.sh — (re)crée lab4-app : rejouable, car l'ancien conteneur est d'abord supprimé.
set -eu

docker rm -f lab4-app >/dev/null 2>&1 || true
docker run -d --name lab4-app \
  --label ddlab.lab=lab4 \
  --restart on-failure:3 \
  --memory 64m --memory-swap 64m \
  --cpus 0.5 \
  --pids-limit 64 \
  -e APP_MODE=prod \
  -p 127.0.0.1:8084:8080 \
  ddlab/webapp:1
