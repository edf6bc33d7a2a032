#!/bin/sh
# fix.sh — la même image, avec la variable qui lui manquait.
set -eu

docker rm -f lab4-fixed >/dev/null 2>&1 || true
docker run -d --name lab4-fixed \
  --label ddlab.lab=lab4 \
  -e DATABASE_URL=kv://lab4 \
  ddlab/broken:1
