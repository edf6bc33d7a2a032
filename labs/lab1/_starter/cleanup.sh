#!/bin/sh
# Lab 1 — cleanup.sh : supprime tous les conteneurs du lab.
#
# TODO : supprimer tous les conteneurs qui portent le label ddlab.lab=lab1, qu'ils
#        tournent ou qu'ils soient arrêtés, sans échouer s'il n'y en a aucun.
