#!/bin/sh
# Publié sur toutes les interfaces, sans label, avec le mauvais message d'accueil.
docker rm -f lab1-web >/dev/null 2>&1 || true
docker run -d --name lab1-web -e GREETING=Hello -p 8081:8080 ddlab/webapp:1 >/dev/null
