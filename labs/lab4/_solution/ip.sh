#!/bin/sh
# ip.sh — l'adresse IP de lab4-app sur son réseau (bridge par défaut).
set -eu

docker inspect --format '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' lab4-app
