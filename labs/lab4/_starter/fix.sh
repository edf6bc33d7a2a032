#!/bin/sh
# fix.sh — lance lab4-fixed, une version réparée de ddlab/broken:1.
#
# Même image, sans la reconstruire : fournissez-lui ce qui lui manque
# (DATABASE_URL=kv://lab4), avec le label ddlab.lab=lab4.
# Le correcteur attend que lab4-fixed devienne « healthy ».
set -eu

# À compléter.
