#!/usr/bin/env bash
# badgatewayd.service under sdenv.sh's manager while its system bus is restarted and its journald
# is stopped and started again: the daemon keeps running, says what happened with a priority,
# and every alert it made meanwhile is counted where it went (its --jsonl file, the journal).
#   sdenv.sh run DIR -- test_bus_journal.sh UNIT_IN BADGATEWAYD
set -uo pipefail
[ -n "${SDENV_BIN:-}" ] && [ -n "${SDENV_DIR:-}" ] ||
  { echo "SKIP: run under tests/systemd/sdenv.sh run DIR -- $0 UNIT_IN BADGATEWAYD"; exit 77; }
[ $# -eq 2 ] && [ -f "$1" ] && [ -x "$2" ] || { echo "usage: $0 UNIT_IN BADGATEWAYD"; exit 2; }
command -v jq >/dev/null || { echo "SKIP: jq is not installed"; exit 77; }
unit_in=$1 bgw=$2
D=$SDENV_DIR
U=badgatewayd.service
FPM=bgw-php-fpm.service
SOCK=$D/php-fpm/php-fpm.sock
LOG=$D/nginx/error.log
JSONL=$D/bgw/alerts.jsonl
fail=0

sc() { "$SDENV_BIN/systemctl" --no-pager "$@"; }
jc() { "$SDENV_BIN/journalctl" --no-pager "$@"; }
prop() { sc show -p "$2" --value "$1"; }
bad() { echo "FAIL: $*"; fail=1; }
die() {
  echo "FAIL: $*"
  sc status -l "$U" || true
  jc -u "$U" -n 40 || true
  exit 1
}
wait_for() {
  local end=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS <= end)) || return 1
    sleep 0.1
  done
}
# the daemon's own messages in the journal matching TEXT, as "PRIORITY MESSAGE"
said() { jc -u "$U" -o json | jq -r --arg t "$1" 'select(.BADGATEWAY_CAUSE == null and (.MESSAGE | tostring | contains($t))) | "\(.PRIORITY) \(.MESSAGE)"'; }
has_said() { [ -n "$(said "$1")" ]; }
# alerts for upstreams starting with PREFIX: in the journal, in the --jsonl file
in_journal() { jc -o json SYSLOG_IDENTIFIER=badgatewayd | jq -c --arg p "$1" 'select(.BADGATEWAY_CAUSE and ((.BADGATEWAY_UPSTREAM // "") | startswith($p)))' | wc -l; }
in_file() { jq -c --arg p "$1" 'select(.upstream | startswith($p))' "$JSONL" 2>/dev/null | wc -l; }
file_has() { [ "$(in_file "$1")" -ge "$2" ]; }
journal_has() { [ "$(in_journal "$1")" -ge "$2" ]; }
nginx_line() {  # UPSTREAM
  printf '%s [error] 6586#6586: *%d connect() to %s failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: t, request: "GET / HTTP/1.1", upstream: "fastcgi://%s:", host: "t"\n' \
    "$(date '+%Y/%m/%d %H:%M:%S')" "$RANDOM" "$1" "$1" >>"$LOG"
}
fpm_down_is() { [ -n "$(jc -o json BADGATEWAY_CAUSE=fpm_down BADGATEWAY_STATE="$1" | head -1)" ]; }
# MAINPID: still the same process, running
same_daemon() { [ "$(prop "$U" ActiveState)" = active ] && [ "$(prop "$U" MainPID)" = "$1" ]; }

rm -rf "$D/bgw"     # a run before this one left its alerts and state there
mkdir -p "$D/bgw" "$D/nginx"
: >"$LOG"
cat >"$D/bgw/badgatewayd.conf" <<EOF
[Daemon]
ProbeInterval = 200ms
ProbeTimeout = 500ms
ResolveAfter = 1s
[Nginx]
ErrorLog = $LOG
User = root
[Pool www]
Listen = $SOCK
Unit = $FPM
EOF
# the shipped unit, changed as tests/systemd/test_service.sh explains, and a --jsonl file beside
# the journal
install -m 0755 "$bgw" "$D/bgw/badgatewayd" && bgw=$D/bgw/badgatewayd || die "copy $bgw"
sed -e "s|^ExecStart=.*|ExecStart=$bgw run --config $D/bgw/badgatewayd.conf --journal --jsonl $JSONL --state-dir $D/bgw/state|" \
    -e '/^StateDirectory/d' -e '/^LogsDirectory/d' -e '/^User=/d' -e '/^Group=/d' -e '/^PrivateTmp=/d' -e '/^PrivateDevices=/d' \
    -e "/^\[Service\]/a LimitCORE=0\nWorkingDirectory=$D/bgw\nReadWritePaths=$D/bgw" \
    "$unit_in" >"$D/units/$U"
sc daemon-reload || die "daemon-reload"
sc start "$FPM" || die "start $FPM"
sc start "$U" || die "start $U"
pid=$(prop "$U" MainPID)

echo "== the system bus restarted"
sc restart dbus.service || die "restart dbus"
wait_for 15 has_said "no system bus" || bad "the lost bus is not said"
wait_for 20 has_said "system bus back" || bad "the bus coming back is not said"
said "system bus" | sed 's/^/  journal (PRIORITY MESSAGE): /'
said "no system bus" | grep -q '^4 ' || bad "the lost bus is not a warning (PRIORITY 4)"
same_daemon "$pid" || bad "the daemon did not keep running (MainPID $pid)"
# the unit is followed again: php-fpm stopped and started shows through the bus
sc stop "$FPM"
wait_for 15 fpm_down_is firing || bad "no fpm_down after the bus came back"
jc -o json BADGATEWAY_CAUSE=fpm_down BADGATEWAY_STATE=firing | jq -r .MESSAGE | tail -1 | sed 's/^/  /'
sc start "$FPM"
wait_for 15 fpm_down_is resolved || bad "fpm_down did not resolve"

echo "== journald stopped, alerts made, journald started"
sc stop systemd-journald.service systemd-journald.socket systemd-journald-dev-log.socket || die "stop journald"
for i in 1 2 3; do nginx_line "unix:/nonexistent/nojournal-$i.sock"; done
wait_for 15 file_has unix:/nonexistent/nojournal- 6 || bad "the alerts made without journald are not in the --jsonl file"
sleep 0.5
sc start systemd-journald.socket systemd-journald-dev-log.socket systemd-journald.service || die "start journald"
for i in 1 2; do nginx_line "unix:/nonexistent/journalback-$i.sock"; done
wait_for 15 journal_has unix:/nonexistent/journalback- 4 || bad "alerts made after journald came back are not in the journal"
sleep 1
made=$(in_file unix:/nonexistent/nojournal-)
journal=$(in_journal unix:/nonexistent/nojournal-)
back_file=$(in_file unix:/nonexistent/journalback-)
back_journal=$(in_journal unix:/nonexistent/journalback-)
same_daemon "$pid" || bad "the daemon did not keep running (MainPID $pid)"
echo "journald absent: $made alerts made (in the --jsonl file), $journal of them in the journal afterwards; after it came back: $back_file made, $back_journal in the journal"
echo "  the daemon said: $(jc -u "$U" -o json | jq -r 'select(.BADGATEWAY_CAUSE == null) | "\(.PRIORITY) \(.MESSAGE)"' | grep -iE 'journal' | tr '\n' ';')"
[ "$back_journal" -eq "$back_file" ] || bad "after journald came back: $back_file alerts, $back_journal in the journal"
# fewer than the queue's bound were made: every one is kept and sent once journald is back
[ "$journal" -eq "$made" ] || bad "$made alerts made without journald, $journal in the journal"
wait_for 10 has_said "sending alerts to the journal again: $made sent late, 0 dropped" ||
  bad "the journal's return is not said with the count"
said "sending alerts to the journal again" | grep -q '^5 ' || bad "the journal's return is not a notice (PRIORITY 5)"
exit $fail
