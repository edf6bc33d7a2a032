#!/bin/sh
# purge.sh qui oublie le volume : il ne supprime que les conteneurs.
set -eu

docker rm -f lab6-kv lab6-reader >/dev/null 2>&1 || true
