#!/bin/sh
# logs.sh — affiche les 5 dernières lignes du journal de lab4-app, horodatées.
#
# Rien d'autre : le correcteur compare la sortie, ligne à ligne, avec ce que
# le moteur Docker lui donne au même moment.
set -eu

# À compléter.
