#!/usr/bin/env bash
# Many hosts: badgatewayd's alerts forwarded to a central journal the way Debian's
# systemd-journal-remote package does it, read back there with journalctl -x.
# Under sdenv.sh's manager, as transient units: systemd-journal-remote listening on 127.0.0.1 (a
# free port) and writing into CENTRAL/var/log/journal/remote/ (CENTRAL stands for the central
# host's root), systemd-journal-upload sending the manager's journal there, and badgatewayd
# watching sdenv.sh's php-fpm unit. The central host's catalog is CENTRAL's
# (journalctl --root=CENTRAL --update-catalog, bound over /var/lib/systemd for journalctl -x in a
# mount namespace of its own): the host's catalog database is neither read nor written.
#   sdenv.sh run DIR -- test_forward.sh BADGATEWAYD CATALOG
set -uo pipefail
[ -n "${SDENV_BIN:-}" ] && [ -n "${SDENV_DIR:-}" ] ||
  { echo "SKIP: run under tests/systemd/sdenv.sh run DIR -- $0 BADGATEWAYD CATALOG"; exit 77; }
[ $# -eq 2 ] && [ -x "$1" ] && [ -f "$2" ] || { echo "usage: $0 BADGATEWAYD CATALOG"; exit 2; }
bgw=$1 catalog=$2
REMOTE=/lib/systemd/systemd-journal-remote
UPLOAD=/lib/systemd/systemd-journal-upload
for b in "$REMOTE" "$UPLOAD"; do
  [ -x "$b" ] || { echo "SKIP: $b is missing (package: systemd-journal-remote)"; exit 77; }
done
D=$SDENV_DIR
CENTRAL=$D/central
FPM=bgw-php-fpm.service
U=bgw-forwarded.service
FPM_DOWN_ID=d19a380c21834a18a086b9a5b3e945c8
FPM_DOWN_RESOLVED_ID=3fa98a169ef3410c987b5338b1f9a0c0   # lib/base/resolved.c

sc() { "$SDENV_BIN/systemctl" --no-pager "$@"; }
jc() { "$SDENV_BIN/journalctl" --no-pager "$@"; }
central() { journalctl --root="$CENTRAL" --no-pager "$@"; }
# journalctl -x reads the catalog database at /var/lib/systemd/catalog/database whatever --root says:
# CENTRAL's is bound there in a mount namespace of its own, the host's stays as it is
central_x() {
  unshare -m --propagation private sh -c 'mount --bind "$1/var/lib/systemd" /var/lib/systemd &&
    exec journalctl --root="$1" --no-pager -x "$2"' sh "$CENTRAL" "$1"
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
fail() {
  echo "FAIL: $*"
  sc status -l bgw-journal-remote.service bgw-journal-upload.service "$U" || true
  jc -n 30 || true
  exit 1
}
wait_for() {
  local end=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    [ "$(now_ms)" -lt "$end" ] || return 1
    sleep 0.1
  done
}
# what must arrive unchanged: the alert's own fields, BADGATEWAY_JSON included
fields='with_entries(select(.key | test("^(MESSAGE|MESSAGE_ID|PRIORITY|SYSLOG_IDENTIFIER|BADGATEWAY_.*)$")))'
alerts_local() { jc -o json BADGATEWAY_CAUSE=fpm_down | jq -cS "$fields" | sort; }
alerts_central() { central -o json BADGATEWAY_CAUSE=fpm_down | jq -cS "$fields" | sort; }
n_central() { [ "$(central -o json "$@" | wc -l)" -ge 1 ]; }
listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
unit_is() { [ "$(sc show -p ActiveState --value "$1")" = "$2" ]; }
unit_failed() { unit_is "$1" failed || unit_is "$1" inactive; }
remote_up() { listening "$1" || unit_failed bgw-journal-remote.service; }

echo "== 1. the central journal: systemd-journal-remote on 127.0.0.1"
# a DIR kept from an earlier run: neither its central journal nor the daemon's state counts
rm -rf -- "${CENTRAL:?}" "$D/bgw"
mkdir -p "$CENTRAL/var/log/journal/remote" "$CENTRAL/usr/lib/systemd/catalog" "$D/bgw" "$D/nginx"
port=
for try in 1 2 3 4 5; do
  p=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
  listening "$p" && continue
  sc reset-failed bgw-journal-remote.service 2>/dev/null
  "$SDENV_BIN/nsrun" systemd-run --quiet --unit=bgw-journal-remote -p Type=exec \
    "$REMOTE" --listen-http="127.0.0.1:$p" --output="$CENTRAL/var/log/journal/remote/" ||
    fail "systemd-run $REMOTE"
  wait_for 5 remote_up "$p"
  if listening "$p" && unit_is bgw-journal-remote.service active; then port=$p; break; fi
  echo "port $p: $(jc -u bgw-journal-remote.service -o cat -n 2 | tr '\n' ' ')"
done
[ -n "$port" ] || fail "systemd-journal-remote did not listen on any of 5 ports"
echo "listening on 127.0.0.1:$port, writing to $CENTRAL/var/log/journal/remote/"

echo "== 2. this host's journal uploaded: systemd-journal-upload"
"$SDENV_BIN/nsrun" systemd-run --quiet --unit=bgw-journal-upload -p Type=exec \
  "$UPLOAD" --url="http://127.0.0.1:$port" || fail "systemd-run $UPLOAD"
wait_for 5 unit_is bgw-journal-upload.service active || fail "journal-upload is not running"

echo "== 3. badgatewayd: php-fpm stopped and started"
cat >"$D/bgw/badgatewayd.conf" <<EOF
[Daemon]
ProbeInterval = 200 msec
ProbeTimeout = 500 msec
ResolveAfter = 1 s
[Nginx]
ErrorLog = $D/nginx/error.log
User = root
[Pool www]
Listen = $D/php-fpm/php-fpm.sock
Unit = $FPM
Log = $D/php-fpm/error.log
EOF
: >"$D/nginx/error.log"
sc start "$FPM" || fail "start $FPM"
"$SDENV_BIN/nsrun" systemd-run --quiet --unit="$U" -p Type=notify -p NotifyAccess=main \
  "$bgw" run --config "$D/bgw/badgatewayd.conf" --journal --state-dir "$D/bgw/state" || fail "start badgatewayd"
t0=$(now_ms)
sc stop "$FPM" || fail "stop $FPM"
wait_for 10 n_central MESSAGE_ID=$FPM_DOWN_ID || fail "no fpm_down firing entry in the central journal"
echo "systemctl stop $FPM -> fpm_down firing in the central journal: $(($(now_ms) - t0)) ms"
t0=$(now_ms)
sc start "$FPM" || fail "start $FPM again"
wait_for 10 n_central MESSAGE_ID=$FPM_DOWN_RESOLVED_ID || fail "no fpm_down resolved entry in the central journal"
echo "systemctl start $FPM -> fpm_down resolved in the central journal: $(($(now_ms) - t0)) ms"
sc stop "$U" || fail "stop badgatewayd"

echo "== 4. the same entries, field for field"
local_alerts=$(alerts_local) central_alerts=$(alerts_central)
[ "$(wc -l <<<"$local_alerts")" -eq 2 ] || fail "this host's journal has not 2 fpm_down entries: $local_alerts"
[ "$local_alerts" = "$central_alerts" ] ||
  fail "the central journal differs: $(diff <(echo "$local_alerts") <(echo "$central_alerts"))"
jq -e -s 'map(.BADGATEWAY_JSON | fromjson | .cause == "fpm_down") | all' <<<"$central_alerts" >/dev/null ||
  fail "BADGATEWAY_JSON does not parse in the central journal"
jq -e -s 'map(select(.BADGATEWAY_POOL == "www" and .BADGATEWAY_UNIT == "'$FPM'" and .BADGATEWAY_UPSTREAM
                     and .BADGATEWAY_ALERT_ID)) | length == 2' <<<"$central_alerts" >/dev/null ||
  fail "fields missing in the central journal: $central_alerts"
echo "central journal files: $(cd "$CENTRAL/var/log/journal/remote" && ls)"
central -o json MESSAGE_ID=$FPM_DOWN_ID |
  jq -c '{_HOSTNAME, _SYSTEMD_UNIT, _TRANSPORT, MESSAGE_ID, PRIORITY} + with_entries(select(.key | startswith("BADGATEWAY_") and . != "BADGATEWAY_JSON"))' |
  sed 's/^/forwarded firing: /'
echo "forwarded BADGATEWAY_JSON: $(central -o json MESSAGE_ID=$FPM_DOWN_ID | jq -r .BADGATEWAY_JSON | cut -c1-160)…"

echo "== 5. journalctl -x on the central host explains them (its own catalog)"
cp "$catalog" "$CENTRAL/usr/lib/systemd/catalog/badgatewayd.catalog"
central --update-catalog || fail "journalctl --root=$CENTRAL --update-catalog"
[ -s "$CENTRAL/var/lib/systemd/catalog/database" ] || fail "no catalog database under $CENTRAL"
firing=$(central_x MESSAGE_ID=$FPM_DOWN_ID) || fail "journalctl -x: $firing"
resolved=$(central_x MESSAGE_ID=$FPM_DOWN_RESOLVED_ID) || fail "journalctl -x: $resolved"
grep -q 'Subject: PHP-FPM is down' <<<"$firing" && grep -q 'What to check:' <<<"$firing" ||
  fail "no catalog text under the forwarded firing entry: $firing"
id=$(central -o json MESSAGE_ID=$FPM_DOWN_ID | jq -r .BADGATEWAY_ALERT_ID | head -n1)
grep -qF "badgatewayd alert $id is firing." <<<"$firing" ||
  fail "@BADGATEWAY_ALERT_ID@ not replaced from the forwarded fields: $firing"
grep -q 'Subject: Resolved: PHP-FPM is down' <<<"$resolved" && grep -q 'What resolved means:' <<<"$resolved" ||
  fail "no resolved catalog text under the forwarded resolved entry: $resolved"
echo "$firing" | head -n 12 | sed 's/^/central -x: /'
echo "$resolved" | head -n 9 | sed 's/^/central -x: /'
echo "PASS"
