#!/bin/sh
# cleanup.sh : supprime les images pendantes du lab 3, garde les images taguées.
set -eu
docker image prune --force --filter label=ddlab.lab=lab3
