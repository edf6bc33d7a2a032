#!/bin/sh
# Gradescope runs this once, as root, when it builds the autograder image. The zip holds
# setup.sh, run_autograder, lab (the lab's name, e.g. "lab5") and grade, the static binary
# (make build-static). Nothing is downloaded.
set -eu
AUTOGRADER="${AUTOGRADER:-/autograder}"
BIN_DIR="${BIN_DIR:-/usr/local/bin}"
install -m 0755 "$AUTOGRADER/source/grade" "$BIN_DIR/grade"
"$BIN_DIR/grade" list >/dev/null
