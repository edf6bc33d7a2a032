#!/bin/sh
# purge.sh — supprime les conteneurs, puis le volume : on repart de zéro.
set -eu

sh ./down.sh
if docker volume inspect lab6-data >/dev/null 2>&1; then
  docker volume rm lab6-data >/dev/null
fi
