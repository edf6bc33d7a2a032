#!/bin/sh
# cleanup.sh : supprime les images « pendantes » (dangling, sans tag) du lab 3,
# c'est-à-dire celles qui portent le label ddlab.lab=lab3, sans toucher aux images taguées.
#
# Le correcteur lance : IMAGE=lab3/site:build sh -eu cleanup.sh
# Indice : docker image prune accepte --filter.

echo "cleanup.sh : à compléter" >&2
exit 1
