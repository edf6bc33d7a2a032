#!/bin/sh
# reader.sh — lance lab6-reader : un conteneur ddlab/busybox:1 qui exécute
# `sleep 600`, avec le label ddlab.lab=lab6, et le volume lab6-data monté
# en LECTURE SEULE sur /data. Idempotent, comme up.sh.

echo "reader.sh : à compléter (voir README.md)" >&2
exit 1
