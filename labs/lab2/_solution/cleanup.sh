#!/bin/sh
# Lab 2 — cleanup.sh (solution de référence) : DELETE ?force=1 arrête et supprime en un appel.
set -eu
for name in lab2-api lab2-cli; do
	code=$(curl -sS -o /dev/null -w '%{http_code}' -X DELETE "$DOCKER_API_URL/containers/$name?force=1")
	case $code in
	204) echo "$name supprimé" ;;
	404) echo "$name absent" ;;
	*) echo "cleanup.sh : DELETE $name a répondu HTTP $code" >&2; exit 1 ;;
	esac
done
