#!/bin/sh
# Lab 2 — cli.sh : lancer lab2-cli (ddlab/busybox:1 sleep 600, label ddlab.lab=lab2)
# avec le CLI docker… pointé vers le proxy $DOCKER_API_URL (DOCKER_HOST=tcp://…).
set -eu

echo "cli.sh : à compléter" >&2
exit 1
