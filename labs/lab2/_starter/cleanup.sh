#!/bin/sh
# Lab 2 — cleanup.sh : supprimer lab2-api et lab2-cli par l'API
# (DELETE $DOCKER_API_URL/…/containers/<nom>?force=1).
set -eu

echo "cleanup.sh : à compléter" >&2
exit 1
