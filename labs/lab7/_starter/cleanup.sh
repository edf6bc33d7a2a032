#!/bin/sh
# Lab 7 : supprime tout ce que network.sh a créé (conteneurs, puis réseaux).
# Lancé par le correcteur avec `sh -eu`.
set -eu

docker rm -f lab7-web lab7-api lab7-db

# TODO : les autres conteneurs du lab et les réseaux lab7-front et lab7-back.
