#!/bin/sh
# publish.sh : publie l'image construite par le correcteur dans le registre du lab.
#
# Le correcteur lance : IMAGE=lab3/site:build REGISTRY=127.0.0.1:<port> sh -eu publish.sh
#   $IMAGE     l'image locale à publier
#   $REGISTRY  l'adresse du registre (hôte:port), sans schéma
#
# À faire : taguer $IMAGE en $REGISTRY/lab3/site:1.0 et $REGISTRY/lab3/site:latest,
# puis pousser chaque tag (docker tag, docker push).
# Bonus : publier aussi :1 et :1.0.0, le même digest que :1.0.

echo "publish.sh : à compléter" >&2
exit 1
