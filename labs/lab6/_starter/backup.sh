#!/bin/sh
# backup.sh (bonus) — écrit backups/lab6-data.tar.gz : une archive du contenu
# du volume lab6-data, faite par un conteneur jetable (supprimé à la fin) qui
# monte le volume en lecture seule. L'archive est écrite sur l'hôte.

echo "backup.sh : à compléter (bonus, voir README.md)" >&2
exit 1
