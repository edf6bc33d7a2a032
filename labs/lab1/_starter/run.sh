#!/bin/sh
# Lab 1 — run.sh : (re)crée le conteneur lab1-web.
#
# Le correcteur lance ce script avec `sh -eu run.sh` depuis ce dossier, DEUX FOIS de
# suite : la deuxième exécution doit réussir aussi (script « idempotent »).

# TODO 1 : supprimer l'ancien conteneur lab1-web s'il existe, sans échouer s'il
#          n'existe pas (sous `sh -e`, une commande qui échoue arrête le script).

# TODO 2 : lancer lab1-web en arrière-plan depuis l'image ddlab/webapp:1, avec :
#          - le nom lab1-web ;
#          - le label ddlab.lab=lab1 ;
#          - la variable d'environnement GREETING=Bonjour ;
#          - le port 8080 du conteneur publié sur 127.0.0.1:8081, et seulement là.
