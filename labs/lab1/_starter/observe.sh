#!/bin/sh
# Lab 1 — observe.sh : ce qu'un conteneur partage avec l'hôte, et ce qu'il ne partage pas.
#
# Le correcteur lance ce script pendant que lab1-web tourne, juste après lui avoir
# envoyé une requête. Il doit afficher exactement ces six lignes clé=valeur, et rien
# d'autre (envoyez le reste vers /dev/null).

# TODO 1 : le chemin de la requête la plus récente dans les journaux de lab1-web.
#          Lisez-les AVANT de faire vos propres requêtes ci-dessous !
derniere_requete=TODO

# TODO 2 : le noyau de l'hôte (sous Docker Desktop, l'hôte est la VM de Docker).
noyau_hote=TODO

# TODO 3 : le noyau vu depuis l'intérieur d'un conteneur (ddlab/webapp:1 n'a pas de
#          shell : lancez plutôt un conteneur jetable de ddlab/busybox:1).
noyau_conteneur=TODO

# TODO 4 : le PID de l'application vu de l'intérieur (GET /whoami sur le port publié).
pid_conteneur=TODO

# TODO 5 : le PID du même processus vu depuis l'hôte.
pid_hote=TODO

# TODO 6 : le nom d'hôte du conteneur.
hostname_conteneur=TODO

echo "noyau_hote=$noyau_hote"
echo "noyau_conteneur=$noyau_conteneur"
echo "pid_conteneur=$pid_conteneur"
echo "pid_hote=$pid_hote"
echo "hostname_conteneur=$hostname_conteneur"
echo "derniere_requete=$derniere_requete"
