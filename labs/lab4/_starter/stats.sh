#!/bin/sh
# stats.sh (bonus) — affiche la limite mémoire de lab4-app telle que
# `docker stats` la montre (une seule mesure, sans rester ouvert).
set -eu

# À compléter.
