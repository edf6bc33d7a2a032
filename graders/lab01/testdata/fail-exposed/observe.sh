#!/bin/sh
# Chaque valeur est fausse pour une raison différente.
whoami=$(curl -fsS http://127.0.0.1:8081/whoami)
# Lu après la requête /whoami du script : ce n'est plus la requête du correcteur.
derniere=$(docker logs lab1-web 2>&1 | grep ' path=' | tail -n 1 | sed 's/.* path=\([^ ]*\).*/\1/')
echo "noyau_hote = $(uname -r)"
echo "noyau_conteneur=5.15.0-vm-ubuntu"
echo "pid_conteneur=1"
echo "pid_hote=1"
echo "hostname_conteneur=lab1-web"
echo "derniere_requete=$derniere"
echo "remarque=les clés inconnues sont ignorées"
