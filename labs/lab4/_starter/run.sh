#!/bin/sh
# run.sh — (re)crée le conteneur lab4-app à partir de ddlab/webapp:1.
#
# Le correcteur lance ce script deux fois de suite : il doit réussir les deux fois.
# Le conteneur doit avoir :
#   - le nom lab4-app et le label ddlab.lab=lab4 ;
#   - la politique de redémarrage on-failure, 3 tentatives au plus ;
#   - 64 Mio de mémoire SANS swap, 0,5 CPU, 64 processus au plus ;
#   - la variable APP_MODE=prod ;
#   - son port 8080 publié sur 127.0.0.1:8084 (et nulle part ailleurs).
set -eu

# À compléter.
