#!/bin/sh
# Fixture : api.sh utilise le CLI docker (à travers le proxy) au lieu de curl.
set -eu
DOCKER_HOST="tcp://${DOCKER_API_URL#http://}"
export DOCKER_HOST
docker run -d --name lab2-api --label ddlab.lab=lab2 -e GREETING=Salut -p 127.0.0.1:8082:8080 ddlab/webapp:1
mkdir -p out
n=0
until docker logs lab2-api 2>/dev/null | grep -q 'serveur prêt'; do
	n=$((n + 1))
	[ "$n" -lt 50 ]
	sleep 0.2
done
docker logs lab2-api >out/lab2-api.log
