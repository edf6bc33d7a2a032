#!/bin/sh
# reader.sh — un second conteneur qui lit le même volume, en lecture seule.
set -eu

docker rm -f -v lab6-reader >/dev/null 2>&1 || true
docker run -d --name lab6-reader --label ddlab.lab=lab6 \
  -v lab6-data:/data:ro \
  ddlab/busybox:1 sleep 600 >/dev/null
