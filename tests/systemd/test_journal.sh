#!/usr/bin/env bash
# The journal as a live source: under sdenv.sh's manager and journald, nginx as a unit logging to
# stderr (error_log stderr) and php-fpm logging to syslog (error_log = syslog), badgatewayd.service
# reading both from the journal only (no log file). A cause from each becomes an alert; then the
# daemon is restarted while numbered entries are written: every entry is read once (counted).
#   sdenv.sh run DIR -- test_journal.sh UNIT_IN BADGATEWAYD
set -uo pipefail
[ -n "${SDENV_BIN:-}" ] && [ -n "${SDENV_DIR:-}" ] && [ -n "${SDENV_PID:-}" ] ||
  { echo "SKIP: run under tests/systemd/sdenv.sh run DIR -- $0 UNIT_IN BADGATEWAYD"; exit 77; }
[ $# -eq 2 ] && [ -f "$1" ] && [ -x "$2" ] || { echo "usage: $0 UNIT_IN BADGATEWAYD"; exit 2; }
unit_in=$1 bgw=$2
nginx_bin=/usr/sbin/nginx
[ -x "$nginx_bin" ] || { echo "SKIP: $nginx_bin is missing (package nginx-light)"; exit 77; }
[ -f /etc/nginx/fastcgi.conf ] || { echo "SKIP: /etc/nginx/fastcgi.conf is missing"; exit 77; }
command -v jq >/dev/null || { echo "SKIP: no jq"; exit 77; }
id www-data >/dev/null 2>&1 || { echo "SKIP: no www-data user"; exit 77; }

D=$SDENV_DIR
J=$D/journal-test
U=badgatewayd.service
FPM=bgw-php-fpm.service
NGX=nginx.service
SOCK=$D/php-fpm/php-fpm.sock
N_WRITTEN=3000          # numbered entries written across the restart
source "$(dirname "${BASH_SOURCE[0]}")/../webstack.sh"

source "$(dirname "${BASH_SOURCE[0]}")/sdtest.sh"
cleanup() {
  sc stop "$U" "$NGX" "$FPM" >/dev/null 2>&1 || true
  rm -rf -- "${J:?}"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  sc status -l "$U" || true
  jc -u "$U" -n 40 -o cat || true
  exit 1
}
alerts() { jc -a -o json SYSLOG_IDENTIFIER=badgatewayd "$@" | jq -c 'select(.BADGATEWAY_CAUSE)'; }
n_alerts() { alerts "$@" | wc -l; }
has_alert() { # CAUSE...: one of them fired
  local c
  for c in "$@"; do [ "$(n_alerts BADGATEWAY_CAUSE="$c" BADGATEWAY_STATE=firing)" -ge 1 ] && return 0; done
  return 1
}
said() { jc -u "$U" -o cat | grep -c -- "$1"; }

mkdir -p "$J/bgw/state" "$J/nginx/tmp" "$J/www"
chmod 755 "$J" "$J/www"
# syslog(3) writes to /dev/log: in the manager's private /dev, a link to journald's socket
"$SDENV_BIN/nsrun" ln -sf /run/systemd/journal/dev-log /dev/log || fail "no /dev/log in the namespace"

# --- php-fpm to syslog (identifier php-fpm), nginx to stderr (the unit's journal stream)
write_fpm_conf "$D/php-fpm" www syslog "listen.mode = 0666"
printf '<?php sleep(3); echo "slept\\n";\n' >"$J/www/slow.php"
chmod 644 "$J/www/slow.php"
port=$(free_port) || fail "no free port"
write_nginx_conf "$J/nginx" "$port" "stderr info" "root $J/www;
        location ~ \\.php\$ { include /etc/nginx/fastcgi.conf; fastcgi_pass unix:$SOCK; fastcgi_read_timeout 1s; }"
printf '[Unit]\nDescription=nginx of the badgatewayd journal test\n[Service]\nExecStart=%s -c %s -p %s\n' \
  "$nginx_bin" "$J/nginx/nginx.conf" "$J/nginx" >"$D/units/$NGX"

# --- badgatewayd: no log file; units discovered (nginx.service, the pool's unit), identifiers
# configured, its own included: what it writes itself must be skipped, never read as evidence
cat >"$J/bgw/badgatewayd.conf" <<EOF
[Daemon]
ProbeInterval = 200ms
ProbeTimeout = 500ms
ResolveAfter = 2s
CatchUpAge = 3s
[Nginx]
Config = $J/nginx/nginx.conf
User = www-data
[Pool www]
Listen = $SOCK
Unit = $FPM
[Journal]
Follow = yes
Units = ${NGX%.service} ${FPM%%-*}*.service
Identifiers = nginx php-fpm badgatewayd
EOF
# as test_service.sh does: the shipped unit, with what sdenv's manager needs
unit_keys=("WatchdogSec=10s" "ReadWritePaths=$J/bgw/state")
# LeakSanitizer cannot stop the threads of a process under the unit's sandbox ("LeakSanitizer has
# encountered a fatal error", exit 1): an ASan build runs there without leak checks, and any other
# error it finds still fails the stop checked below
if [[ $(ldd "$bgw" 2>/dev/null) == *libasan* ]]; then unit_keys+=("Environment=ASAN_OPTIONS=detect_leaks=0"); fi
install_bgw_unit "$unit_in" "$J/bgw" "$bgw" "${unit_keys[@]}" || fail "copy $bgw"
sc daemon-reload || fail "daemon-reload"
sc restart "$FPM" || fail "start $FPM"
sc start "$NGX" || fail "start $NGX"
wait_for 5 sh -c "[ -s '$J/nginx/nginx.pid' ]" || fail "nginx did not start: $(jc -u $NGX -o cat | tail -5)"
sc start "$U" || fail "start $U"
wait_for 5 sh -c "'$SDENV_BIN/journalctl' -u $U -o cat | grep -q 'journal: following'" || fail "not following the journal"
echo "daemon: $(jc -u "$U" -o cat | grep -m1 'journal: following')"
# Units= names nginx without its suffix: followed as journalctl -u names it, nginx.service
following=$(jc -u "$U" -o cat | grep -m1 'journal: following')
[[ $following == *" $NGX, "* && $following == *" $FPM, "* ]] ||
  fail "Units=${NGX%.service} is not followed as $NGX: $following"

echo "== 1. nginx on stderr: a read timeout"
t0=$(now_ms)
echo "GET /slow.php: $(http_status "$port" /slow.php)"
wait_for 10 has_alert upstream_timeout pool_saturated ||
  fail "no alert from nginx's journal entry: $(alerts | jq -r .BADGATEWAY_CAUSE | sort | uniq -c)"
echo "nginx entry -> alert after $(($(now_ms) - t0)) ms: $(alerts | jq -r 'select(.BADGATEWAY_STATE == "firing") | .BADGATEWAY_CAUSE' | sort -u | tr '\n' ' ')"
jc -u "$NGX" -o cat | grep -m1 'upstream timed out' | cut -c1-120 | sed 's/^/  journal: /'
alerts | jq -r '.BADGATEWAY_JSON | fromjson | .evidence.samples[0] // empty' 2>/dev/null | head -1 | cut -c1-160 | sed 's/^/  sample: /'

echo "== 2. php-fpm via syslog: a worker killed"
main=$(sc show -p MainPID --value "$FPM")
[ "${main:-0}" -gt 1 ] || fail "php-fpm's MainPID is $main"
t0=$(now_ms)
"$SDENV_BIN/nsrun" sh -c "kill -9 \$(pgrep -P $main | head -n 1)" || fail "kill a worker"
wait_for 10 has_alert worker_killed || fail "no worker_killed from php-fpm's syslog entry: $(jc -t php-fpm -o cat | tail -3)"
echo "php-fpm entry -> worker_killed after $(($(now_ms) - t0)) ms"
jc -t php-fpm -o cat | grep -m1 'exited on signal 9' | sed 's/^/  journal: /'
e=$(alerts BADGATEWAY_CAUSE=worker_killed BADGATEWAY_STATE=firing | head -n 1)
jq -e '.BADGATEWAY_POOL == "www"' <<<"$e" >/dev/null || fail "worker_killed not for pool www: $e"
echo "  alert: $(jq -r .MESSAGE <<<"$e")"
echo "  sample: $(jq -r '.BADGATEWAY_JSON | fromjson | .evidence.samples[0] // empty' <<<"$e" | cut -c1-160)"

echo "== 3. a restart while $N_WRITTEN entries are written"
sleep 2.5        # past ResolveAfter: nginx and php-fpm quiet, nothing more of theirs comes
# a run that reads only what this step writes: stopped, counted, started again (from its cursor)
sc stop "$U" || fail "stop"
stopped_before=$(said 'journal: .* entries read')
sc start "$U" || fail "start"
# numbered php-fpm lines (each a worker_killed event), 30 batches of 100, written from inside the
# namespace (journald's socket is there) with systemd-cat
"$SDENV_BIN/nsrun" sh -c "i=0; for b in \$(seq 30); do for k in \$(seq 100); do i=\$((i + 1));
    echo \"[WARNING] [pool www] child \$((100000 + i)) exited on signal 9 (SIGKILL) after 1.5 seconds from start\"; done;
    sleep 0.05; done | systemd-cat -t php-fpm" &
writer=$!
sleep 0.6
sc stop "$U" || fail "stop"
sleep 0.5
sc start "$U" || fail "start again"
wait "$writer" || fail "the writer failed"
written=$(jc -t php-fpm -o cat | grep -c 'child 1[0-9]\{5\} exited on signal 9')
[ "$written" -eq "$N_WRITTEN" ] || fail "journald holds $written of the $N_WRITTEN entries written"
sleep 1
sc stop "$U" || fail "stop"
# under ASan a leak or an error at exit is a failed stop
[ "$(sc show -p Result --value "$U")" = success ] || fail "the daemon stopped with Result=$(sc show -p Result --value "$U")"
mapfile -t reads < <(jc -u "$U" -o cat | grep -o 'journal: [0-9]* entries read, [0-9]* of this daemon.s own skipped' | tail -n +$((stopped_before + 1)))
[ "${#reads[@]}" -eq 2 ] || fail "expected two runs' counts, got: ${reads[*]}"
run1=$(awk '{ print $2 }' <<<"${reads[0]}") run2=$(awk '{ print $2 }' <<<"${reads[1]}")
own2=$(awk '{ print $5 }' <<<"${reads[1]}")
caught=$(jc -u "$U" -o cat | grep -o 'caught up [0-9]* entries written while stopped' | tail -n 1 | awk '{ print $3 }')
classified=$(jc -u "$U" -o cat | grep -o 'stopped: [0-9]* lines read, [0-9]* classified' | tail -n 2 | awk '{ s += $5 } END { print s }')
echo "written $N_WRITTEN; read by the first run $run1, by the second $run2 (of them $caught caught up, written while stopped); classified over both $classified; the second run skipped $own2 entries of its own"
[ "${caught:-0}" -gt 0 ] || fail "nothing was written while the daemon was stopped: the restart proved nothing"
[ "$run1" -gt 0 ] || fail "the first run read none"
[ $((run1 + run2)) -eq "$N_WRITTEN" ] ||
  fail "missed $((N_WRITTEN - run1 - run2 > 0 ? N_WRITTEN - run1 - run2 : 0)), doubled $((run1 + run2 - N_WRITTEN > 0 ? run1 + run2 - N_WRITTEN : 0))"
[ "$classified" -eq "$N_WRITTEN" ] || fail "classified $classified of $N_WRITTEN"
[ "$own2" -gt 0 ] || fail "the daemon's own entries (matched by Identifiers=badgatewayd) were not seen to be skipped"
jq -e '.journal.cursor | length > 0' "$J/bgw/state/state.json" >/dev/null || fail "no cursor in the state file"
echo "missed 0, doubled 0; cursor kept in $(basename "$J")/bgw/state/state.json"

echo "== 4. CatchUpAge = 3s: of what was written while stopped, the entries older than 3 s are skipped"
fpm_lines() {   # FIRST COUNT: numbered php-fpm lines into the journal
  "$SDENV_BIN/nsrun" sh -c "for i in \$(seq $1 \$(($1 + $2 - 1))); do
      echo \"[WARNING] [pool www] child \$i exited on signal 9 (SIGKILL) after 1.5 seconds from start\"; done | systemd-cat -t php-fpm"
}
fpm_lines 200001 100        # old by the time the daemon starts
sleep 4
fpm_lines 300001 50         # fresh
sc start "$U" || fail "start"
sleep 1.5
sc stop "$U" || fail "stop"
said_skip=$(jc -u "$U" -o cat | grep -o 'journal: skipped [0-9]* entries written while stopped, older than CatchUpAge (3 s)' | tail -n 1)
caught=$(jc -u "$U" -o cat | grep -o 'caught up [0-9]* entries written while stopped' | tail -n 1 | awk '{ print $3 }')
echo "skipped: ${said_skip:-none}; caught up $caught"
[ "$said_skip" = "journal: skipped 100 entries written while stopped, older than CatchUpAge (3 s)" ] ||
  fail "the 100 old entries were not skipped and said: ${said_skip:-nothing said}"
[ "$caught" -eq 50 ] || fail "caught up $caught entries, want the 50 fresh ones"

echo "== 5. an nginx entry written while stopped, to a socket no pool serves: judged once pool www's first probe is in"
ts=$(date '+%Y/%m/%d %H:%M:%S')
"$SDENV_BIN/nsrun" sh -c "echo '$ts [crit] 7#7: *9 connect() to unix:/run/php/php7.4-fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET /x.php HTTP/1.1\", upstream: \"fastcgi://unix:/run/php/php7.4-fpm.sock:\", host: \"t\"' | systemd-cat -t nginx"
sc start "$U" || fail "start"
wait_for 10 has_alert socket_mismatch fpm_down || fail "no alert from the caught-up nginx entry"
sc stop "$U" || fail "stop"
echo "caught-up entry -> $(alerts BADGATEWAY_STATE=firing | jq -r 'select(.BADGATEWAY_UPSTREAM == "unix:/run/php/php7.4-fpm.sock") | .BADGATEWAY_CAUSE' | sort -u | tr '\n' ' ')"
has_alert fpm_down && fail "judged before the pool's probe: fpm_down ($(alerts BADGATEWAY_CAUSE=fpm_down | jq -r .MESSAGE | head -1))"
has_alert socket_mismatch || fail "not socket_mismatch"
echo "PASS"
