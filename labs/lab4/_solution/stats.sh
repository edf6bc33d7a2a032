#!/bin/sh
# stats.sh — « utilisé / limite », tel que docker stats l'affiche.
set -eu

docker stats --no-stream --format '{{.MemUsage}}' lab4-app
