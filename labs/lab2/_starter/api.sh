#!/bin/sh
# Lab 2 — api.sh : créer, démarrer et lire lab2-api uniquement par HTTP (curl + jq)
# contre $DOCKER_API_URL. Jamais le CLI docker ici.
set -eu

# 1. (bonus) GET $DOCKER_API_URL/_ping et lire l'en-tête API-Version.
# 2. POST /v<version>/containers/create?name=lab2-api avec un JSON :
#    Image ddlab/webapp:1, Env GREETING=Salut, Labels ddlab.lab=lab2,
#    HostConfig.PortBindings 8080/tcp -> 127.0.0.1:8082.
# 3. POST /v<version>/containers/<id>/start, puis attendre .State.Running = true.
# 4. Écrire la sortie standard (démultiplexée !) dans out/lab2-api.log,
#    ligne « serveur prêt » comprise.

echo "api.sh : à compléter" >&2
exit 1
