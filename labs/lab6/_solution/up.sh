#!/bin/sh
# up.sh — démarre (ou redémarre) lab6-kv ; idempotent.
set -eu

# « volume create » d'un volume qui existe déjà ne fait rien et réussit.
docker volume create --label ddlab.lab=lab6 lab6-data >/dev/null

# Recréer plutôt que réutiliser : la configuration du conteneur suit toujours ce script.
# -v supprime aussi ses éventuels volumes anonymes (jamais un volume nommé).
docker rm -f -v lab6-kv >/dev/null 2>&1 || true

docker run -d --name lab6-kv --label ddlab.lab=lab6 \
  --mount type=volume,source=lab6-data,target=/data \
  --mount "type=bind,source=$PWD/config,target=/etc/kv,readonly" \
  --tmpfs /tmp:rw,size=16m,mode=1777 \
  -p 127.0.0.1:8086:8080 \
  ddlab/kv:1 >/dev/null
