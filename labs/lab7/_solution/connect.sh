#!/bin/sh
# Lab 7 : rattache l'API, en marche, au réseau front (sans la redémarrer).
set -eu
docker network connect lab7-front lab7-api
