#!/bin/sh
# Lab 2 — cli.sh (solution de référence) : le CLI docker n'est qu'un client HTTP ;
# pointé vers le proxy, il fait les mêmes appels que api.sh.
set -eu
DOCKER_HOST="tcp://${DOCKER_API_URL#http://}"
export DOCKER_HOST
docker run -d --name lab2-cli --label ddlab.lab=lab2 ddlab/busybox:1 sleep 600
