#!/bin/sh
# Oublie les conteneurs arrêtés du lab.
docker rm -f lab1-web >/dev/null
