#!/bin/sh
# logs.sh — les 5 dernières lignes du journal de lab4-app, horodatées.
set -eu

docker logs --tail 5 --timestamps lab4-app
