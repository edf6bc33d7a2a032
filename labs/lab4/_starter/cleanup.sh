#!/bin/sh
# cleanup.sh — supprime tous les conteneurs du lab 4 et leurs volumes anonymes.
#
# « Du lab 4 » : lab4-app, lab4-fixed, et tout conteneur qui porte le label
# ddlab.lab=lab4 (démarré ou non). Le script doit réussir même si certains
# n'existent pas.
set -eu

# À compléter.
