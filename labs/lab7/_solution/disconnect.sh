#!/bin/sh
# Lab 7 : détache l'API du réseau front, à chaud.
set -eu
docker network disconnect lab7-front lab7-api
