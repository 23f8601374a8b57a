#!/usr/bin/env bash
# Installs every Debian 12 package that building and testing badgatewayd needs.
# --demo: what the build and the live demo need (nginx, php-fpm). --list: print the full list.
set -euo pipefail

build=(meson ninja-build pkg-config gcc libc6-dev libev-dev libjansson-dev libsystemd-dev
       zlib1g-dev libinih-dev libacl1-dev check)
tests=(valgrind nginx-light php8.2-fpm procps systemd dbus util-linux jq logrotate curl)

demo=(nginx-light php8.2-fpm procps)

want=("${build[@]}")
case "${1:-}" in
  --demo) want+=("${demo[@]}") ;;
  --list) echo "${build[@]}" "${tests[@]}"; exit 0 ;;
  *) want+=("${tests[@]}") ;;
esac

missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "badgatewayd: these packages are missing; run as root to install them: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends "${missing[@]}"
