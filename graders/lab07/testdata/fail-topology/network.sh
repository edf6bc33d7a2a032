#!/bin/sh
# La solution avec trois erreurs de topologie : lab7-back sans --internal, lab7-db aussi sur
# lab7-front, lab7-api sans son alias api. Toujours idempotent.
set -eu
LABEL=ddlab.lab=lab7
network() {
	name=$1
	shift
	docker network inspect "$name" >/dev/null 2>&1 ||
		docker network create --driver bridge --label "$LABEL" "$@" "$name" >/dev/null
}
exists() { docker container inspect "$1" >/dev/null 2>&1; }

network lab7-front
network lab7-back --subnet 10.77.0.0/24

if ! exists lab7-db; then
	docker run -d --name lab7-db --label "$LABEL" \
		--network lab7-back --ip 10.77.0.10 --network-alias db --network-alias database \
		ddlab/kv:1 >/dev/null
	docker network connect lab7-front lab7-db
fi
exists lab7-api || docker run -d --name lab7-api --label "$LABEL" --network lab7-back ddlab/webapp:1 >/dev/null
if ! exists lab7-web; then
	docker run -d --name lab7-web --label "$LABEL" --network lab7-front -p 127.0.0.1:8087:8080 \
		-e ROUTES=/api=http://api:8080 ddlab/webapp:1 >/dev/null
	docker network connect lab7-back lab7-web
fi
exists lab7-batch || docker run -d --name lab7-batch --label "$LABEL" --network none ddlab/busybox:1 sleep 86400 >/dev/null
