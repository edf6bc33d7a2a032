#!/bin/sh
# ip.sh (bonus) — affiche l'adresse IP de lab4-app, et rien d'autre.
set -eu

# À compléter.
