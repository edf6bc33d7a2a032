#!/bin/sh
# publish.sh : publie $IMAGE sous quatre tags du même digest dans $REGISTRY.
set -eu
: "${IMAGE:?IMAGE manquante}" "${REGISTRY:?REGISTRY manquante}"

for tag in 1.0 latest 1 1.0.0; do
  docker tag "$IMAGE" "$REGISTRY/lab3/site:$tag"
  docker push "$REGISTRY/lab3/site:$tag"
done
