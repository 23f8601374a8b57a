#!/usr/bin/env bash
# badgatewayd scan --journal on a real journald's entries: under sdenv.sh's manager, a unit that
# prints php-fpm's stderr lines (two batches, a time mark between them) and the real php-fpm as a
# unit logging to syslog (error_log = syslog), two of its workers killed. Then scan reads
# journald's files from outside (--directory) and the local journal from inside the namespace,
# and must count what journalctl -u shows, cut at --since.
#   sdenv.sh run DIR -- test_scan_journal.sh BADGATEWAYD
set -uo pipefail
[ -n "${SDENV_BIN:-}" ] && [ -n "${SDENV_DIR:-}" ] && [ -n "${SDENV_PID:-}" ] ||
  { echo "SKIP: run under tests/systemd/sdenv.sh run DIR -- $0 BADGATEWAYD"; exit 77; }
[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 BADGATEWAYD"; exit 2; }
bgw=$1
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
id www-data >/dev/null 2>&1 || { echo "SKIP: no www-data user"; exit 77; }

D=$SDENV_DIR
J=$D/scan-journal-test
EMIT=bgw-emit.service
FPM=bgw-php-fpm.service
JDIR=$D/run/log/journal         # the namespace's /run/log/journal: journald's files
source "$(dirname "${BASH_SOURCE[0]}")/../webstack.sh"
source "$(dirname "${BASH_SOURCE[0]}")/sdtest.sh"
cleanup() {
  sc stop "$FPM" "$EMIT" >/dev/null 2>&1 || true
  rm -rf -- "${J:?}" "$D/units/$EMIT"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  exit 1
}
# scan ARGS...: badgatewayd scan from outside, on journald's files
scan() { TZ=UTC "$bgw" scan --directory "$JDIR" "$@"; }
kind_count() { jq -r --arg k "$1" 'select(.summary) | .summary.kinds[$k] // 0'; }

mkdir -p "$J"
chmod 755 "$J"
"$SDENV_BIN/nsrun" ln -sf /run/systemd/journal/dev-log /dev/log || fail "no /dev/log in the namespace"

# --- a unit printing php-fpm's stderr lines: COUNT of them, children FIRST.. (as php-fpm under
# systemd with error_log = /proc/self/fd/2 writes them, without a date)
cat >"$J/emit.sh" <<'EOF'
#!/bin/sh
read -r first count <"$(dirname "$0")/batch"
i=$first
while [ "$i" -lt $((first + count)) ]; do
  echo "WARNING: [pool www] child $i exited on signal 9 (SIGKILL) after 1.5 seconds from start"
  i=$((i + 1))
done
EOF
chmod 755 "$J/emit.sh"
printf '[Unit]\nDescription=php-fpm-like lines for scan --journal\n[Service]\nType=oneshot\nExecStart=%s\n' \
  "$J/emit.sh" >"$D/units/$EMIT"
sc daemon-reload || fail "daemon-reload"
emitted() { jc -u "$EMIT" -o cat | grep -c 'exited on signal 9'; }
emit() {        # FIRST COUNT: one run of the unit, its lines in the journal
  local before
  before=$(emitted)
  echo "$1 $2" >"$J/batch"
  sc start "$EMIT" || fail "start $EMIT"
  wait_for 5 sh -c "[ \$('$SDENV_BIN/journalctl' -u $EMIT -o cat | grep -c 'exited on signal 9') -ge $((before + $2)) ]" ||
    fail "journald holds $(emitted) lines of $EMIT, want $((before + $2))"
}

echo "== 1. $EMIT: 20 lines, a mark, then 5 more"
emit 1000 20
sleep 1.2
mark=$(TZ=UTC date '+%Y-%m-%d %H:%M:%S')
sleep 1.2
emit 2000 5
out=$(scan --json --unit "$EMIT") || fail "scan exited $?"
n=$(kind_count fpm_child_signal <<<"$out")
echo "scan --unit $EMIT: fpm_child_signal $n"
[ "$n" -eq 25 ] || fail "counted $n fpm_child_signal, want 25: $(tail -n 1 <<<"$out")"
# the same lines as journalctl -u: the unit's own and PID 1's about it (Starting, Finished, ...)
want=$(jc -u "$EMIT" -o cat | grep -c .)
got=$(jq -r --arg u "$EMIT" 'select(.summary) | .summary.journal.units[$u]' <<<"$out")
echo "lines of $EMIT: scan $got, journalctl -u $want"
[ "$got" -eq "$want" ] || fail "scan read $got lines of $EMIT, journalctl -u shows $want"
[ "$want" -gt 25 ] || fail "no line of PID 1's about $EMIT: the UNIT= match is not tested"
jq -se --arg u "$EMIT" 'map(select(.kind)) | length == 25 and
    all(.unit == $u and (.realtime | type == "number") and (.cursor | length > 0))' <<<"$out" >/dev/null || fail "an event without its unit, realtime or cursor: $(head -n 1 <<<"$out")"
# an event's realtime is its entry's __REALTIME_TIMESTAMP
first=$(jq -r 'select(.kind) | .realtime' <<<"$out" | head -n 1)
[ "$(jc -u "$EMIT" -o json | jq -r 'select(.MESSAGE | test("child 1000 ")) | .__REALTIME_TIMESTAMP')" = "$first" ] ||
  fail "the first event's realtime $first is not its entry's"

out=$(scan --json --unit "$EMIT" --since "$mark") || fail "scan --since exited $?"
n=$(kind_count fpm_child_signal <<<"$out")
echo "scan --unit $EMIT --since '$mark' (UTC): fpm_child_signal $n"
[ "$n" -eq 5 ] || fail "--since $mark counted $n, want the 5 written after it"
table=$(scan --ascii --unit "$EMIT" --since "$mark") || fail "scan (table) exited $?"
grep -q '^fpm_child_signal  *5 ' <<<"$table" || fail "the table: $table"
echo "$table" | head -n 2 | sed 's/^/  /'

echo "== 2. php-fpm ($FPM) logging to syslog, two workers killed"
write_fpm_conf "$D/php-fpm" www syslog "listen.mode = 0666"
sc restart "$FPM" || fail "start $FPM"
for k in 1 2; do
  main=$(sc show -p MainPID --value "$FPM")
  [ "${main:-0}" -gt 1 ] || fail "php-fpm's MainPID is $main"
  wait_for 5 sh -c "[ \$('$SDENV_BIN/nsrun' pgrep -P $main | wc -l) -ge 2 ]" || fail "php-fpm has no 2 workers"
  "$SDENV_BIN/nsrun" sh -c "kill -9 \$(pgrep -P $main | head -n 1)" || fail "kill a worker"
  wait_for 5 sh -c "[ \$('$SDENV_BIN/journalctl' -u $FPM -o cat | grep -c 'exited on signal 9') -ge $k ]" ||
    fail "php-fpm's kill $k is not in the journal: $(jc -u "$FPM" -o cat | tail -n 3)"
done
jc -u "$FPM" -o cat | grep -m 1 'exited on signal 9' | sed 's/^/  journal: /'
out=$(scan --json --unit "$FPM") || fail "scan exited $?"
n=$(kind_count fpm_child_signal <<<"$out")
echo "scan --directory --unit $FPM: fpm_child_signal $n"
[ "$n" -eq 2 ] || fail "counted $n kills of php-fpm's workers, want 2"
jq -se 'map(select(.kind == "fpm_child_signal")) | length == 2 and all(.pool == "www" and .identifier == "php-fpm")' \
  <<<"$out" >/dev/null ||
  fail "not pool www's: $(grep -m 1 fpm_child_signal <<<"$out")"

echo "== 3. the local journal, inside the namespace: --unit, and the defaults (identifier php-fpm)"
out=$("$SDENV_BIN/nsrun" env TZ=UTC "$bgw" scan --journal --json --unit "$FPM") || fail "scan in the namespace exited $?"
n=$(kind_count fpm_child_signal <<<"$out")
echo "scan --journal --unit $FPM: fpm_child_signal $n"
[ "$n" -eq 2 ] || fail "the local journal: counted $n, want 2"
out=$("$SDENV_BIN/nsrun" env TZ=UTC "$bgw" scan --journal --json) || fail "scan --journal exited $?"
n=$(kind_count fpm_child_signal <<<"$out")
echo "scan --journal (defaults: nginx.service, php*-fpm*.service, SYSLOG_IDENTIFIER nginx, php-fpm): fpm_child_signal $n"
[ "$n" -eq 2 ] || fail "the defaults counted $n, want php-fpm's 2 (by its identifier; $EMIT is not php-fpm's)"

echo "== 4. an unknown unit: said, exit 0"
err=$(scan --unit nosuch.service 2>&1 >/dev/null) || fail "an unknown unit is an error: $err"
grep -q "no entries of nosuch.service in $JDIR" <<<"$err" || fail "not said: $err"
echo "  $err"
echo "== 5. no access: nobody reads the local journal (a copy of the binary: the checkout may be 0700)"
nobody_dir=$(mktemp -d /tmp/bgw-scan-journal-XXXXXX) || fail "mktemp"
chmod 755 "$nobody_dir"
install -m 0755 "$bgw" "$nobody_dir/badgatewayd" || fail "copy $bgw"
err=$("$SDENV_BIN/nsrun" setpriv --reuid=65534 --regid=65534 --clear-groups "$nobody_dir/badgatewayd" scan --journal 2>&1 >/dev/null)
rc=$?
rm -rf -- "$nobody_dir"
echo "  exit $rc: $err"
[ "$rc" -eq 2 ] || fail "nobody's scan --journal exited $rc, want 2"
grep -q 'Permission denied; root and the members of the group systemd-journal may' <<<"$err" || fail "not said: $err"
echo "PASS"
