#!/bin/sh
# Lab 7 : crée les réseaux et les conteneurs du lab. Lancé par le correcteur avec `sh -eu`.
#
# Point de départ NAÏF : il fonctionne, mais tout est sur le réseau par défaut `bridge`,
# sans DNS, sans isolation, et le port est publié sur toutes les interfaces.
# À vous de le transformer pour respecter le contrat du README.md :
#   - réseaux lab7-front (bridge) et lab7-back (bridge, --internal, 10.77.0.0/24), labellisés ;
#   - lab7-web sur front + back, seul à publier, sur 127.0.0.1:8087 ;
#   - lab7-api (alias api) et lab7-db (alias db et database) sur back seulement ;
#   - un script idempotent : le relancer ne doit ni échouer ni rien changer.
set -eu

docker run -d --name lab7-db --label ddlab.lab=lab7 ddlab/kv:1
docker run -d --name lab7-api --label ddlab.lab=lab7 ddlab/webapp:1
docker run -d --name lab7-web --label ddlab.lab=lab7 \
	-p 8087:8080 -e ROUTES=/api=http://api:8080 \
	ddlab/webapp:1

# Bonus : lab7-batch sur le réseau none (voir README.md).
