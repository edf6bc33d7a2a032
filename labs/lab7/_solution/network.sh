#!/bin/sh
# Lab 7 : réseaux front/back, passerelle web, API et base (solution de référence).
# Idempotent : chaque objet n'est créé que s'il manque, un deuxième lancement ne change rien.
set -eu

LABEL=ddlab.lab=lab7

# network NOM OPTIONS… : crée le réseau s'il n'existe pas encore.
network() {
	name=$1
	shift
	docker network inspect "$name" >/dev/null 2>&1 ||
		docker network create --driver bridge --label "$LABEL" "$@" "$name" >/dev/null
}

# exists NOM : le conteneur existe-t-il déjà ?
exists() {
	docker container inspect "$1" >/dev/null 2>&1
}

network lab7-front
network lab7-back --internal --subnet 10.77.0.0/24

# La base : sur back seulement, adresse fixe, deux noms.
exists lab7-db || docker run -d --name lab7-db --label "$LABEL" \
	--network lab7-back --ip 10.77.0.10 --network-alias db --network-alias database \
	ddlab/kv:1 >/dev/null

# L'API : sur back seulement, joignable sous le nom api.
exists lab7-api || docker run -d --name lab7-api --label "$LABEL" \
	--network lab7-back --network-alias api \
	ddlab/webapp:1 >/dev/null

# Le point d'entrée : créé sur front (le seul à publier, sur 127.0.0.1), puis rattaché à back.
if ! exists lab7-web; then
	docker run -d --name lab7-web --label "$LABEL" \
		--network lab7-front -p 127.0.0.1:8087:8080 \
		-e ROUTES=/api=http://api:8080 \
		ddlab/webapp:1 >/dev/null
	docker network connect lab7-back lab7-web
fi

# Un traitement sans aucun réseau : seulement l'interface lo.
exists lab7-batch || docker run -d --name lab7-batch --label "$LABEL" \
	--network none \
	ddlab/busybox:1 sleep 86400 >/dev/null
