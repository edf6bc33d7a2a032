#!/bin/sh
# Oublie lab7-back.
set -eu
docker rm -f -v lab7-web lab7-api lab7-db lab7-batch >/dev/null
docker network rm lab7-front >/dev/null
