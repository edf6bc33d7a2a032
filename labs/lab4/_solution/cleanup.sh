#!/bin/sh
# cleanup.sh — tous les conteneurs du lab 4 (par nom et par label), avec leurs volumes anonymes.
set -eu

ids=$( { docker ps -aq --filter label=ddlab.lab=lab4; docker ps -aq --filter 'name=^/lab4-(app|fixed)$'; } | sort -u)
if [ -n "$ids" ]; then
  # -v : les volumes anonymes partent avec leur conteneur.
  docker rm -fv $ids >/dev/null
fi
