#!/bin/sh
# Lab 2 — info.sh (solution de référence) : la pile d'exécution vue par l'API.
set -eu
version=$(curl -fsS "$DOCKER_API_URL/version")
info=$(curl -fsS "$DOCKER_API_URL/info")
printf 'server_version=%s\n' "$(printf '%s' "$version" | jq -r .Version)"
printf 'api_version=%s\n' "$(printf '%s' "$version" | jq -r .ApiVersion)"
printf 'default_runtime=%s\n' "$(printf '%s' "$info" | jq -r .DefaultRuntime)"
printf 'storage_driver=%s\n' "$(printf '%s' "$info" | jq -r .Driver)"
printf 'cgroup_driver=%s\n' "$(printf '%s' "$info" | jq -r .CgroupDriver)"
printf 'containerd_version=%s\n' "$(printf '%s' "$version" |
	jq -r '[.Components[]? | select(.Name | ascii_downcase == "containerd") | .Version][0] // ""')"
