#!/bin/sh
# down.sh — arrête le lab : supprime les conteneurs lab6-kv et lab6-reader,
# mais GARDE le volume lab6-data (les données doivent survivre).
#
# Attention : le script doit réussir même si un conteneur n'existe pas.

echo "down.sh : à compléter (voir README.md)" >&2
exit 1
