#!/bin/sh
# Fixture : cli.sh garde le DOCKER_HOST du démon : le proxy ne voit rien.
set -eu
docker run -d --name lab2-cli --label ddlab.lab=lab2 ddlab/busybox:1 sleep 600
