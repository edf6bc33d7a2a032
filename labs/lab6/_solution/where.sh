#!/bin/sh
# where.sh — le dossier du volume sur la machine du démon.
set -eu

docker volume inspect --format '{{ .Mountpoint }}' lab6-data
