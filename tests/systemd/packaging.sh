#!/usr/bin/env bash
# Checks what systemd/ builds, without touching the host: everything happens in a temp root.
#
#   packaging.sh security UNIT BINARY   exposure of UNIT at most 2.0; systemd-analyze verify passes
#                                       with ExecStart= pointing at BINARY
#   packaging.sh catalog CATALOG KINDS_H RESOLVED_C   journalctl indexes CATALOG with one
#                                          entry per MESSAGE_ID in KINDS_H (what to check) and
#                                          one per resolved MESSAGE_ID in RESOLVED_C (what
#                                          resolved means)
#   packaging.sh sysusers FILE          systemd-sysusers makes the user and its memberships
#
# Exits 77 with "SKIP: reason" when the tool is missing.
set -euo pipefail

max_exposure=20         # systemd-analyze's --threshold: exposure x 10

die() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || { echo "SKIP: $1 is missing (package: $2)"; exit 77; }; }

tmp=$(mktemp -d /tmp/bgw-packaging-XXXXXX)
trap 'rm -rf -- "$tmp"' EXIT

security() {
  local unit=$1 bin
  bin=$(realpath -e "$2") || die "no binary $2"
  need systemd-analyze systemd
  systemd-analyze security --offline=true --threshold="$max_exposure" "$unit" >"$tmp/security" 2>&1 ||
    { cat "$tmp/security"; die "exposure above $((max_exposure / 10)).$((max_exposure % 10))"; }
  grep '^→ Overall exposure' "$tmp/security"
  # verify needs an ExecStart= binary that exists
  sed "s|^ExecStart=[^ ]*|ExecStart=$bin|" "$unit" >"$tmp/badgatewayd.service"
  systemd-analyze verify --man=no "$tmp/badgatewayd.service" || die "systemd-analyze verify failed"
}

# check_entry ID HEADING: the entry has Documentation:, HEADING and only fields badgatewayd sends
check_entry() {
  local bad
  grep -q "^$1 badgatewayd: ." "$tmp/list" || die "$1 is not in the catalog"
  journalctl --root="$tmp" --dump-catalog "$1" >"$tmp/entry"
  grep -q '^Documentation: ' "$tmp/entry" || die "$1 has no Documentation:"
  grep -q "^$2\$" "$tmp/entry" || die "$1 has no '$2'"
  bad=$(grep -o '@[^@ ]*@' "$tmp/entry" | grep -v '^@BADGATEWAY_[A-Z_]*@$' || true)
  [ -z "$bad" ] || die "$1 substitutes fields badgatewayd does not send: $bad"
  # sink_journal.c leaves out an empty field, and journalctl then prints the name itself
  bad=$(grep -o '@BADGATEWAY_\(UNIT\|POOL\|LATE\)@' "$tmp/entry" || true)
  [ -z "$bad" ] || die "$1 substitutes a field that an alert may lack: $bad"
  # Debian names PHP-FPM after PHP's version: the text must fit every version
  bad=$(grep -o 'php-\{0,1\}\(fpm\)\{0,1\}[0-9][0-9.]*\|/etc/php/[0-9][0-9.]*' "$tmp/entry" || true)
  [ -z "$bad" ] || die "$1 names one PHP version: $bad"
}

catalog() {
  local file=$1 kinds=$2 resolved=$3 id n=0 nr=0
  need journalctl systemd
  mkdir -p "$tmp/usr/lib/systemd/catalog"
  cp "$file" "$tmp/usr/lib/systemd/catalog/badgatewayd.catalog"
  journalctl --root="$tmp" --update-catalog || die "journalctl --update-catalog failed"
  [ -s "$tmp/var/lib/systemd/catalog/database" ] || die "no catalog database under $tmp"
  journalctl --root="$tmp" --list-catalog >"$tmp/list"
  for id in $(grep -o '"[0-9a-f]\{32\}"' "$kinds" | tr -d '"'); do
    n=$((n + 1))
    check_entry "$id" 'What to check:'
  done
  for id in $(grep -o '^ *\[CAUSE_[A-Z_]*\] = "[0-9a-f]\{32\}"' "$resolved" | grep -o '[0-9a-f]\{32\}'); do
    nr=$((nr + 1))
    check_entry "$id" 'What resolved means:'
    grep -q '^Subject: Resolved: ' "$tmp/entry" || die "$id: the subject does not say resolved"
  done
  [ "$n" -gt 0 ] || die "no MESSAGE_ID in $kinds"
  [ "$nr" -eq "$n" ] || die "$resolved has $nr resolved MESSAGE_IDs, $kinds $n causes"
  # a MESSAGE_ID used twice would be one entry in the list
  [ "$(wc -l <"$tmp/list")" -eq $((n + nr)) ] ||
    die "the catalog has $(wc -l <"$tmp/list") entries, kinds.h and resolved.c $((n + nr))"
  echo "catalog: $n firing and $nr resolved entries"
}

sysusers() {
  local file=$1
  need systemd-sysusers systemd
  mkdir -p "$tmp/etc" "$tmp/usr/lib/sysusers.d"
  printf 'root:x:0:0:root:/root:/bin/bash\nwww-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n' \
    >"$tmp/etc/passwd"
  printf 'root:x:0:\nadm:x:4:\nwww-data:x:33:\n' >"$tmp/etc/group"
  cp "$file" "$tmp/usr/lib/sysusers.d/badgatewayd.conf"
  systemd-sysusers --root="$tmp" || die "systemd-sysusers failed"
  grep -q '^badgatewayd:x:[0-9]*:[0-9]*:[^:]*:/:/usr/sbin/nologin$' "$tmp/etc/passwd" ||
    die "no badgatewayd user: $(cat "$tmp/etc/passwd")"
  grep -q '^adm:x:4:badgatewayd$' "$tmp/etc/group" || die "badgatewayd is not in adm"
  grep -q '^www-data:x:33:badgatewayd$' "$tmp/etc/group" || die "badgatewayd is not in www-data"
  grep -q '^systemd-journal:x:[0-9]*:badgatewayd$' "$tmp/etc/group" || die "badgatewayd is not in systemd-journal"
  grep -q '^badgatewayd:x:' "$tmp/etc/group" || die "no badgatewayd group"
  echo "sysusers: $(grep '^badgatewayd:' "$tmp/etc/passwd")"
}

case ${1:-} in
  security) security "$2" "$3" ;;
  catalog) catalog "$2" "$3" "$4" ;;
  sysusers) sysusers "$2" ;;
  *) sed -n '2,13s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
