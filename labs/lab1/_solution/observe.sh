#!/bin/sh
# Lab 1 — observe.sh : ce qu'un conteneur partage avec l'hôte, et ce qu'il ne partage pas.

# D'abord les journaux : nos propres requêtes (/whoami plus bas) y apparaîtraient.
# L'application écrit une ligne par requête : « … method=GET path=/… status=… ».
derniere_requete=$(docker logs lab1-web 2>&1 | grep ' path=' | tail -n 1 | sed 's/.* path=\([^ ]*\).*/\1/')

# Le noyau de l'hôte. Sous Docker Desktop, l'hôte des conteneurs est la VM de Docker :
# `docker info --format '{{.KernelVersion}}'` donne alors le bon noyau.
noyau_hote=$(uname -r)

# ddlab/webapp:1 n'a pas de shell ni de uname : un conteneur jetable de busybox suffit,
# tous les conteneurs voient le même noyau.
noyau_conteneur=$(docker run --rm --label ddlab.lab=lab1 ddlab/busybox:1 uname -r)

# /whoami lit /proc/self/status dans le conteneur : PID et nom d'hôte vus de l'intérieur.
whoami=$(curl -fsS http://127.0.0.1:8081/whoami)
pid_conteneur=$(printf '%s\n' "$whoami" | sed 's/.*"pid":\([0-9]*\).*/\1/')
hostname_conteneur=$(printf '%s\n' "$whoami" | sed 's/.*"hostname":"\([^"]*\)".*/\1/')

# Le même processus vu depuis l'hôte (on le retrouve aussi avec `docker top lab1-web`).
pid_hote=$(docker inspect --format '{{.State.Pid}}' lab1-web)

echo "noyau_hote=$noyau_hote"
echo "noyau_conteneur=$noyau_conteneur"
echo "pid_conteneur=$pid_conteneur"
echo "pid_hote=$pid_hote"
echo "hostname_conteneur=$hostname_conteneur"
echo "derniere_requete=$derniere_requete"
