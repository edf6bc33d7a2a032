#!/bin/sh
# purge.sh — remet tout à zéro : supprime les conteneurs du lab PUIS le volume
# lab6-data. Après purge.sh, up.sh repart d'un magasin vide.

echo "purge.sh : à compléter (voir README.md)" >&2
exit 1
