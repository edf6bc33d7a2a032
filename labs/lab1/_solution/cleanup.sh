#!/bin/sh
# Lab 1 — cleanup.sh : supprime tous les conteneurs du lab, arrêtés compris (-a).

ids=$(docker ps -aq --filter label=ddlab.lab=lab1)
if [ -n "$ids" ]; then
  # $ids sans guillemets : un identifiant par argument.
  docker rm -f $ids >/dev/null
fi
