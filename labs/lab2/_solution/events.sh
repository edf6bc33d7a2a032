#!/bin/sh
# Lab 2 — events.sh (solution de référence) : events.sh <since> <until>
# Affiche une ligne par événement des conteneurs du lab (label ddlab.lab=lab2) dans la fenêtre.
set -eu
[ "$#" -eq 2 ] || { echo "usage : events.sh <since> <until>" >&2; exit 2; }
curl -fsS -G "$DOCKER_API_URL/events" \
	--data-urlencode "since=$1" --data-urlencode "until=$2" \
	--data-urlencode 'filters={"type":["container"],"label":["ddlab.lab=lab2"]}' |
	jq -r '"\(.time) \(.Action) \(.Actor.Attributes.name)"'
