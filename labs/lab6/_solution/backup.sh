#!/bin/sh
# backup.sh — archive le volume avec un conteneur jetable qui le monte en lecture seule.
set -eu

mkdir -p backups
docker run --rm --label ddlab.lab=lab6 -v lab6-data:/data:ro ddlab/busybox:1 \
  tar czf - -C /data . > backups/lab6-data.tar.gz.tmp
# Jamais d'archive à moitié écrite sous le nom final.
mv backups/lab6-data.tar.gz.tmp backups/lab6-data.tar.gz
