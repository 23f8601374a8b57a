#!/usr/bin/env bash
# The Quick start's live demo must show each of its four causes fire and resolve.
set -uo pipefail
[ "$(id -u)" -eq 0 ] || { echo "SKIP: the demo runs nginx and php-fpm as root"; exit 77; }
for b in /usr/sbin/nginx /usr/sbin/php-fpm8.2; do
  [ -x "$b" ] || { echo "SKIP: $b is not installed"; exit 77; }
done
out=$(mktemp)
trap 'rm -f "$out"' EXIT
DEMO_ALERTS=$out bash "$(dirname "$0")/../scripts/demo-live.sh" || { echo "demo failed"; exit 1; }
fail=0
for cause in fpm_down socket_mismatch socket_permission worker_killed; do
  for state in firing resolved; do
    n=$(grep -c "\"cause\":\"$cause\",\"state\":\"$state\"" "$out")
    echo "$cause $state: $n"
    [ "$n" -ge 1 ] || fail=1
  done
done
n=$(wc -l < "$out")
echo "alerts in all: $n"
[ "$n" -le 12 ] || { echo "too many alerts for four causes"; fail=1; }
exit $fail
