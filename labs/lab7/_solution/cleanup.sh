#!/bin/sh
# Lab 7 : supprime tout ce que network.sh a créé. Les conteneurs d'abord (avec leurs volumes
# anonymes), puis les réseaux, qui ne peuvent pas disparaître tant qu'un conteneur y est rattaché.
set -eu

for c in lab7-web lab7-api lab7-db lab7-batch; do
	if docker container inspect "$c" >/dev/null 2>&1; then
		docker rm -f -v "$c" >/dev/null
	fi
done
for n in lab7-front lab7-back; do
	if docker network inspect "$n" >/dev/null 2>&1; then
		docker network rm "$n" >/dev/null
	fi
done
