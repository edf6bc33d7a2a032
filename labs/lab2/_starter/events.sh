#!/bin/sh
# Lab 2 — events.sh <since> <until> (bonus) : afficher une ligne par événement des
# conteneurs labellisés ddlab.lab=lab2 entre ces deux horodatages Unix (GET /events).
set -eu

echo "events.sh : à compléter" >&2
exit 1
