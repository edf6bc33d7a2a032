#!/bin/sh
# export.sh : archive $IMAGE dans out/site.tar (docker save), rechargeable avec docker load.
set -eu
: "${IMAGE:?IMAGE manquante}"
mkdir -p out
docker save -o out/site.tar "$IMAGE"
