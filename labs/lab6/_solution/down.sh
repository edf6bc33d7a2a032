#!/bin/sh
# down.sh — supprime les conteneurs du lab et garde le volume lab6-data.
set -eu

for c in lab6-kv lab6-reader; do
  # -v ne supprime que les volumes anonymes : lab6-data est nommé, il reste.
  if docker container inspect "$c" >/dev/null 2>&1; then
    docker rm -f -v "$c" >/dev/null
  fi
done
