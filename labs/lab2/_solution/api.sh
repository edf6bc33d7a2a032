#!/bin/sh
# Lab 2 — api.sh (solution de référence) : créer, démarrer et lire lab2-api
# uniquement par HTTP contre $DOCKER_API_URL (curl + jq, jamais le CLI docker).
set -eu
api=$DOCKER_API_URL

# 1. Négociation : /_ping répond avec l'en-tête API-Version du démon.
version=$(curl -fsS -o /dev/null -D - "$api/_ping" | tr -d '\r' |
	awk -F': *' 'tolower($1) == "api-version" { print $2 }')
[ -n "$version" ] || { echo "api.sh : /_ping n'a pas renvoyé d'en-tête API-Version" >&2; exit 1; }
v="$api/v$version"

# 2. Création : le JSON de POST /containers/create (Env, Labels, HostConfig.PortBindings).
body=$(jq -n '{
	Image: "ddlab/webapp:1",
	Env: ["GREETING=Salut"],
	Labels: {"ddlab.lab": "lab2"},
	ExposedPorts: {"8080/tcp": {}},
	HostConfig: {PortBindings: {"8080/tcp": [{HostIp: "127.0.0.1", HostPort: "8082"}]}}
}')
id=$(curl -fsS -X POST -H 'Content-Type: application/json' -d "$body" \
	"$v/containers/create?name=lab2-api" | jq -r .Id)

# 3. Démarrage, puis attente de l'état running.
curl -fsS -X POST "$v/containers/$id/start"
n=0
until [ "$(curl -fsS "$v/containers/$id/json" | jq -r .State.Running)" = true ]; do
	n=$((n + 1))
	[ "$n" -lt 50 ] || { echo "api.sh : lab2-api ne démarre pas" >&2; exit 1; }
	sleep 0.2
done

# 4. Logs : sans TTY, le flux est multiplexé. Chaque trame commence par 8 octets :
#    [flux (1 = stdout, 2 = stderr), 0, 0, 0, taille sur 4 octets big-endian].
demux() { # $1 : le flux brut ; écrit sur la sortie standard les données de stdout
	raw=$1 off=0 total=$(wc -c <"$1")
	while [ "$off" -lt "$total" ]; do
		# shellcheck disable=SC2046 # découpage voulu : les 8 octets de l'en-tête
		set -- $(od -An -tu1 -v -j "$off" -N 8 "$raw")
		[ "$#" -eq 8 ] || { echo "api.sh : en-tête de trame tronqué" >&2; return 1; }
		size=$(( ($5 << 24) | ($6 << 16) | ($7 << 8) | $8 ))
		if [ "$1" -eq 1 ]; then
			dd if="$raw" bs=1 skip=$((off + 8)) count="$size" 2>/dev/null
		fi
		off=$((off + 8 + size))
	done
}
mkdir -p out
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
# L'application écrit « serveur prêt » quand elle écoute : on attend cette ligne.
n=0
while :; do
	curl -fsS -o "$raw" "$v/containers/$id/logs?stdout=1&stderr=1"
	demux "$raw" >out/lab2-api.log
	grep -q 'serveur prêt' out/lab2-api.log && break
	n=$((n + 1))
	[ "$n" -lt 50 ] || { echo "api.sh : pas de ligne de démarrage dans les logs" >&2; exit 1; }
	sleep 0.2
done
echo "lab2-api démarré ($id), logs dans out/lab2-api.log"
