#!/bin/sh
# up.sh — démarre (ou redémarre) l'application lab6-kv. Doit pouvoir être lancé
# plusieurs fois de suite sans erreur (idempotent).
#
# Le correcteur le lance avec `sh -eu up.sh` depuis ce dossier : DOCKER_HOST et
# LAB=lab6 sont définis ; la moindre commande qui échoue arrête le script.
#
# À faire :
#   1. s'assurer que le volume nommé lab6-data existe, avec le label ddlab.lab=lab6 ;
#   2. supprimer l'ancien conteneur lab6-kv s'il existe ;
#   3. lancer lab6-kv (image ddlab/kv:1, label ddlab.lab=lab6, en arrière-plan) avec :
#      - le volume lab6-data monté sur /data,
#      - le dossier ./config monté en lecture seule sur /etc/kv (chemin absolu : "$PWD/config"),
#      - un tmpfs de 16 Mio sur /tmp (mode 1777),
#      - le port 8080 publié sur 127.0.0.1:8086.

echo "up.sh : à compléter (voir README.md)" >&2
exit 1
