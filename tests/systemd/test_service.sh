#!/usr/bin/env bash
# badgatewayd as a real systemd service, end to end, read back the way a sysadmin would
# (systemctl status/show, journalctl -o json): under sdenv.sh's manager, journald and system bus,
# watching sdenv.sh's php-fpm unit and an nginx-format error log this script writes.
#   sdenv.sh run DIR -- test_service.sh UNIT_IN BADGATEWAYD
# UNIT_IN: systemd/badgatewayd.service.in; BADGATEWAYD: the built binary.
set -uo pipefail
[ -n "${SDENV_BIN:-}" ] && [ -n "${SDENV_DIR:-}" ] && [ -n "${SDENV_PID:-}" ] ||
  { echo "SKIP: run under tests/systemd/sdenv.sh run DIR -- $0 UNIT_IN BADGATEWAYD"; exit 77; }
[ $# -eq 2 ] && [ -f "$1" ] && [ -x "$2" ] || { echo "usage: $0 UNIT_IN BADGATEWAYD"; exit 2; }
unit_in=$1 bgw=$2
D=$SDENV_DIR
U=badgatewayd.service
FPM=bgw-php-fpm.service
FPM_DOWN_ID=d19a380c21834a18a086b9a5b3e945c8
FPM_DOWN_RESOLVED_ID=3fa98a169ef3410c987b5338b1f9a0c0   # lib/base/resolved.c
SOCK=$D/php-fpm/php-fpm.sock
NGINX_LOG=$D/nginx/error.log

sc() { "$SDENV_BIN/systemctl" --no-pager "$@"; }
jc() { "$SDENV_BIN/journalctl" --no-pager "$@"; }
prop() { sc show -p "$2" --value "$1"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
fail() {
  echo "FAIL: $*"
  sc status -l "$U" || true
  jc -u "$U" -n 40 || true
  exit 1
}
# wait_for SECONDS CMD...: polls CMD every 100 ms until it succeeds
wait_for() {
  local end=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    [ "$(now_ms)" -lt "$end" ] || return 1
    sleep 0.1
  done
}
# alert entries (journal entries with BADGATEWAY_CAUSE) matching journalctl MATCHES...
alerts() { jc -o json SYSLOG_IDENTIFIER=badgatewayd "$@" | jq -c 'select(.BADGATEWAY_CAUSE)'; }
n_alerts() { alerts "$@" | wc -l; }
more_alerts() { [ "$(n_alerts)" -gt "$1" ]; }
prop_is() { [ "$(prop "$U" "$1")" = "$2" ]; }
restarted() { [ "$(prop "$U" NRestarts)" -gt "$1" ]; }
n_is() { local want=$1; shift; [ "$(n_alerts "$@")" -eq "$want" ]; }
status_line() { sc status "$U" | grep -m1 '^ *Status: ' | sed 's/^ *//'; }
status_starts() { case $(prop "$U" StatusText) in "$1"*) return 0 ;; esac; return 1; }
# a line the way nginx 1.22 writes it (tests/data/nginx-error.log), stamped now
nginx_line() { # LEVEL TEXT UPSTREAM
  printf '%s [%s] 6586#6586: *%d %s, client: 127.0.0.1, server: t, request: "GET /x.php HTTP/1.1", upstream: "fastcgi://%s", host: "127.0.0.1"\n' \
    "$(date '+%Y/%m/%d %H:%M:%S')" "$1" "$RANDOM" "$2" "$3"
}

mkdir -p "$D/bgw" "$D/nginx"
: >"$NGINX_LOG"
cat >"$D/bgw/badgatewayd.conf" <<EOF
[Daemon]
ProbeInterval = 200ms
ProbeTimeout = 500ms
ResolveAfter = 1s
[Nginx]
ErrorLog = $NGINX_LOG
[Pool www]
Listen = $SOCK
Unit = $FPM
Log = $D/php-fpm/error.log
EOF

# The shipped unit, changed only where the test environment needs it:
#  - ExecStart: a copy of the build's binary beside the config (ProtectHome=yes hides a checkout
#    in /root, as a real install in /usr/sbin is not), the test's config, alerts to the journal and
#    as JSON lines into LogsDirectory= (/var/log of the manager's namespace is a tmpfs, below); WatchdogSec=2s and
#    RestartSec=1s so that the watchdog step takes seconds.
#  - dropped User=/Group=: no badgatewayd user (sysusers) on a test machine; it runs as root.
#  - dropped PrivateTmp=: sdenv's namespace shares the host's /tmp, where it would make directories.
#  - dropped PrivateDevices=: under sdenv's manager (its /dev a small tmpfs) the unit fails with
#    226/NAMESPACE, "Failed to set up mount namespacing: /run/systemd/unit-root/dev: No such file
#    or directory". DevicePolicy=closed stays.
#  - added LimitCORE=0 and WorkingDirectory=: the watchdog's SIGABRT would otherwise dump core
#    into / of the host (kernel.core_pattern is "core" here and is host-wide).
#  - added TimeoutAbortSec=5s: after a missed watchdog, SIGKILL follows within 5 s, not 90 s.
# All other sandboxing lines stay and work under sdenv's manager.
install -m 0755 "$bgw" "$D/bgw/badgatewayd" && bgw=$D/bgw/badgatewayd || fail "copy $bgw"
sed -e "s|^ExecStart=.*|ExecStart=$bgw run --config $D/bgw/badgatewayd.conf --journal --jsonl /var/log/badgatewayd/alerts.jsonl --state-dir $D/bgw/state|" \
    -e '/^StateDirectory/d' \
    -e 's|^WatchdogSec=.*|WatchdogSec=2s|' \
    -e 's|^RestartSec=.*|RestartSec=1s|' \
    -e '/^User=/d' -e '/^Group=/d' -e '/^PrivateTmp=/d' -e '/^PrivateDevices=/d' \
    -e "/^\[Service\]/a LimitCORE=0\nWorkingDirectory=$D/bgw\nTimeoutAbortSec=5s" \
    "$unit_in" >"$D/units/$U"
grep -q '^LogsDirectory=badgatewayd$' "$D/units/$U" && grep -q '^ProtectSystem=strict$' "$D/units/$U" ||
  fail "the unit lost LogsDirectory= or ProtectSystem=strict"
# ordered after no php-fpm unit: their names change with the PHP version (php8.2-fpm, php8.3-fpm…)
grep -i '^\(After\|Requires\|Wants\|BindsTo\)=.*php' "$unit_in" && fail "the unit names a php-fpm unit"
# LogsDirectory= makes /var/log/badgatewayd: on a tmpfs of the manager's mount namespace, never the host's
"$SDENV_BIN/nsrun" sh -c "mount -t tmpfs -o mode=755 tmpfs /var/log && mkdir /var/log/journal &&
  mount --bind '$D/journal' /var/log/journal" || fail "no tmpfs on the namespace's /var/log"
grep -q '^Type=notify$' "$D/units/$U" && grep -q '^NotifyAccess=main$' "$D/units/$U" &&
  grep -q '^Restart=on-failure$' "$D/units/$U" || fail "the unit lost Type=, NotifyAccess= or Restart="
sc daemon-reload || fail "daemon-reload"
sc start "$FPM" || fail "start $FPM"

echo "== 1. start"
t0=$(now_ms)
sc start "$U" || fail "systemctl start $U"
echo "systemctl start returned after $(($(now_ms) - t0)) ms (Type=notify: after READY=1)"
[ "$(prop "$U" ActiveState)" = active ] || fail "not active"
wait_for 5 status_starts "OK: 1 of 1 pool healthy" || fail "StatusText: $(prop "$U" StatusText)"
sc status "$U" | grep -qF 'Status: "OK: 1 of 1 pool healthy"' || fail "systemctl status has no OK Status line"
echo "status: $(status_line)"
# the journal names the identifier itself: no "badgatewayd: badgatewayd: …"
said=$(jc -u "$U" -o cat SYSLOG_IDENTIFIER=badgatewayd)
grep -q '^started: ' <<<"$said" || fail "no 'started: …' in the journal: $said"
grep '^badgatewayd: ' <<<"$said" && fail "the journal's messages repeat the name"
# /dev/kmsg is closed to the unit (ProtectKernelLogs=), the journal's kernel entries are read: no notice
grep 'OOM kill is proven only' <<<"$said" && fail "said that no kernel log is read, though the journal's is"
echo "StatusText=$(prop "$U" StatusText)"

echo "== 2. php-fpm stopped and started"
t0=$(now_ms)
sc stop "$FPM" || fail "stop $FPM"
wait_for 10 n_is 1 MESSAGE_ID=$FPM_DOWN_ID BADGATEWAY_STATE=firing || fail "no fpm_down firing entry"
echo "systemctl stop $FPM -> fpm_down firing in the journal: $(($(now_ms) - t0)) ms"
e=$(alerts MESSAGE_ID=$FPM_DOWN_ID BADGATEWAY_STATE=firing)
echo "entry: $(jq -c '{PRIORITY} + with_entries(select(.key | startswith("BADGATEWAY_") and . != "BADGATEWAY_JSON"))' <<<"$e")"
jq -e '.BADGATEWAY_CAUSE == "fpm_down" and .BADGATEWAY_STATE == "firing" and .BADGATEWAY_POOL == "www"
       and .BADGATEWAY_UNIT == "'$FPM'" and .PRIORITY == "2"' <<<"$e" >/dev/null || fail "fields: $e"
jq -e '.BADGATEWAY_JSON | fromjson | .cause == "fpm_down" and .state == "firing"' <<<"$e" >/dev/null ||
  fail "BADGATEWAY_JSON does not parse or disagrees: $e"
echo "json: $(jq -r '.BADGATEWAY_JSON' <<<"$e" | cut -c1-200)…"
wait_for 5 status_starts "FIRING fpm_down" || fail "StatusText: $(prop "$U" StatusText)"
sc status "$U" | grep -q '^ *Status: "FIRING fpm_down' || fail "systemctl status has no FIRING Status line"
echo "status: $(status_line)"
t0=$(now_ms)
sc start "$FPM" || fail "start $FPM"
wait_for 10 n_is 1 MESSAGE_ID=$FPM_DOWN_RESOLVED_ID BADGATEWAY_STATE=resolved ||
  fail "no single resolved entry: $(alerts BADGATEWAY_CAUSE=fpm_down | jq -c "{MESSAGE_ID, BADGATEWAY_STATE, MESSAGE}")"
echo "systemctl start $FPM -> fpm_down resolved in the journal: $(($(now_ms) - t0)) ms"
wait_for 5 status_starts "OK: 1 of 1 pool healthy" || fail "StatusText after resolve: $(prop "$U" StatusText)"
sleep 1.5
n_is 1 MESSAGE_ID=$FPM_DOWN_ID && n_is 1 MESSAGE_ID=$FPM_DOWN_RESOLVED_ID BADGATEWAY_STATE=resolved ||
  fail "fpm_down entries: $(alerts BADGATEWAY_CAUSE=fpm_down)"
[ "$(alerts MESSAGE_ID=$FPM_DOWN_ID | jq -r .BADGATEWAY_ALERT_ID)" = \
  "$(alerts MESSAGE_ID=$FPM_DOWN_RESOLVED_ID | jq -r .BADGATEWAY_ALERT_ID)" ] || fail "firing and resolved alert ids differ"
echo "resolved: $(alerts MESSAGE_ID=$FPM_DOWN_RESOLVED_ID | jq -c '{MESSAGE_ID, PRIORITY, BADGATEWAY_ALERT_ID, MESSAGE}')"
# the same two as JSON lines, written under ProtectSystem=strict into LogsDirectory=
jsonl=$("$SDENV_BIN/nsrun" cat /var/log/badgatewayd/alerts.jsonl) || fail "no /var/log/badgatewayd/alerts.jsonl"
[ "$(jq -r 'select(.cause == "fpm_down") | .state' <<<"$jsonl" | tr '\n' ' ')" = "firing resolved " ] ||
  fail "alerts.jsonl: $jsonl"
echo "LogsDirectory: $("$SDENV_BIN/nsrun" stat -c '%A %n' /var/log/badgatewayd /var/log/badgatewayd/alerts.jsonl | tr '\n' ' ')"
# not asserted: other causes for the pool while php-fpm comes back
alerts BADGATEWAY_POOL=www | jq -r 'select(.BADGATEWAY_CAUSE != "fpm_down") | "NOTE: also \(.BADGATEWAY_CAUSE) \(.BADGATEWAY_STATE): \(.MESSAGE)"'

echo "== 3. 10000 failing nginx lines"
before=$(n_alerts)
t0=$(now_ms)
line=$(nginx_line error 'connect() to unix:/srv/nowhere/gone.sock failed (111: Connection refused) while connecting to upstream' 'unix:/srv/nowhere/gone.sock:')
yes "$line" | head -n 10000 >>"$NGINX_LOG"
wait_for 10 more_alerts "$before" || fail "no alert for 10000 refused lines"
echo "first alert for them after $(($(now_ms) - t0)) ms"
# past ResolveAfter=1s, so that a resolved entry is counted too
sleep 3
after=$(n_alerts)
echo "alert entries for 10000 lines: $((after - before)):"
alerts | tail -n $((after - before)) | jq -r '"  \(.BADGATEWAY_CAUSE) \(.BADGATEWAY_STATE) \(.BADGATEWAY_UPSTREAM // .BADGATEWAY_POOL // "")"'
[ $((after - before)) -le 5 ] || fail "more than 5 alert entries for one burst"
[ "$(prop "$U" ActiveState)" = active ] || fail "not active after the burst"

echo "== 4. watchdog"
n0=$(prop "$U" NRestarts)
pid0=$(prop "$U" MainPID)
sleep 6
[ "$(prop "$U" ActiveState)" = active ] && [ "$(prop "$U" NRestarts)" = "$n0" ] &&
  [ "$(prop "$U" MainPID)" = "$pid0" ] || fail "not steady over 3×WatchdogSec"
echo "steady over 6 s: active, NRestarts=$n0, MainPID=$pid0, WatchdogUSec=$(prop "$U" WatchdogUSec)"
[ "$pid0" -gt 0 ] || fail "MainPID=$pid0"
# MainPID is a PID in the manager's namespace: find that process here
nsino=$(stat -Lc %i "/proc/$SDENV_PID/ns/pid")
hpid=
for p in /proc/[0-9]*; do
  [ "$(stat -Lc %i "$p/ns/pid" 2>/dev/null)" = "$nsino" ] || continue
  [ "$(awk '/^NSpid:/ { print $NF }' "$p/status" 2>/dev/null)" = "$pid0" ] || continue
  hpid=${p#/proc/}
  break
done
[ -n "$hpid" ] && [ "$hpid" -gt 1 ] && [ "$(cat "/proc/$hpid/comm")" = badgatewayd ] ||
  fail "no host process for MainPID $pid0 (found '$hpid')"
t0=$(now_ms)
kill -STOP "$hpid"
seen=
noticed() {
  local r n
  r=$(prop "$U" Result) n=$(prop "$U" NRestarts)
  if [ "$r" = watchdog ]; then seen="Result=watchdog"; return 0; fi
  if [ "$n" -gt "$n0" ]; then seen="NRestarts=$n"; return 0; fi
  return 1
}
wait_for 15 noticed
rc=$?
# the manager sends SIGABRT then SIGCONT itself; in case it did not get that far
if [ -d "/proc/$hpid" ] && [ "$(cat "/proc/$hpid/comm" 2>/dev/null)" = badgatewayd ]; then
  kill -CONT "$hpid" 2>/dev/null || true
fi
[ $rc -eq 0 ] || fail "the manager did not notice a stopped daemon in 15 s"
echo "kill -STOP -> manager noticed ($seen) after $(($(now_ms) - t0)) ms"
wait_for 15 restarted "$n0" || fail "no restart after the watchdog"
wait_for 10 prop_is SubState running || fail "not running again"
echo "restarted: NRestarts=$(prop "$U" NRestarts) MainPID=$(prop "$U" MainPID) after $(($(now_ms) - t0)) ms"
jc -u "$U" -o cat | grep -m1 -i watchdog | sed 's/^/journal: /'
jc -u "$U" -o cat | grep -qi 'watchdog timeout' || fail "no watchdog timeout message from the manager"
wait_for 5 status_starts "OK: 1 of 1 pool healthy" || fail "StatusText after restart: $(prop "$U" StatusText)"

echo "== 5. reload"
pid1=$(prop "$U" MainPID)
t0=$(now_ms)
sc reload "$U" || fail "systemctl reload"
echo "systemctl reload returned after $(($(now_ms) - t0)) ms"
wait_for 5 prop_is ActiveState active || fail "not active after reload"
[ "$(prop "$U" MainPID)" = "$pid1" ] || fail "MainPID changed on reload"
[ -n "$(prop "$U" StatusText)" ] || fail "StatusText empty after reload"
wait_for 5 sh -c "'$SDENV_BIN/journalctl' -u $U -o cat | grep -q 'config reloaded'" || fail "no 'config reloaded'"
echo "after reload: $(status_line)"
t0=$(now_ms)
nginx_line error 'upstream sent too big header while reading response header from upstream' "unix:$SOCK:" >>"$NGINX_LOG"
wait_for 10 n_is 1 BADGATEWAY_CAUSE=header_too_big BADGATEWAY_STATE=firing || fail "no header_too_big after reload"
echo "header_too_big line -> firing entry: $(($(now_ms) - t0)) ms: $(alerts BADGATEWAY_CAUSE=header_too_big | jq -c '{BADGATEWAY_CAUSE,BADGATEWAY_STATE,BADGATEWAY_POOL,PRIORITY}')"

echo "== 5b. a drop-in, and the daemon's own messages with their priorities"
# stderr is the journal's stream: "<N>" before a line is its PRIORITY (sd-daemon(3))
own() { jc -u "$U" -o json SYSLOG_IDENTIFIER=badgatewayd "$@" | jq -c 'select(.BADGATEWAY_CAUSE == null and (.MESSAGE | type == "string")) | {PRIORITY, MESSAGE}'; }
# own_at PRIORITY TEXT: its messages starting with TEXT exist and all have PRIORITY
own_at() { own | jq -se --arg p "$1" --arg t "$2" 'map(select(.MESSAGE | startswith($t))) | length > 0 and all(.PRIORITY == $p)' >/dev/null; }
own_at 5 "started:" ||
  fail "no 'started' at priority 5 (notice): $(own | head -3)"
own_at 6 "config reloaded" ||
  fail "no 'config reloaded' at priority 6 (info): $(own | tail -3)"
own | grep -q '"MESSAGE":"<' && fail "a '<N>' prefix was left in a message: $(own | grep '"MESSAGE":"<')"
mkdir -p "$D/bgw/badgatewayd.conf.d"
printf '[Daemon]\nProbeInterval = 5 sekunden\n' >"$D/bgw/badgatewayd.conf.d/50-bad.conf"
refused() { own PRIORITY=3 | grep -qF "reload failed, the running config stays: $D/bgw/badgatewayd.conf.d/50-bad.conf:2: ProbeInterval: '5 sekunden'"; }
wait_for 10 refused || fail "a bad drop-in made no 'reload failed' at priority 3: $(own | tail -3)"
echo "bad drop-in: $(own PRIORITY=3 | tail -1)"
[ "$(prop "$U" ActiveState)" = active ] || fail "not active after a bad drop-in"
printf '[Daemon]\nProbeInterval = 300 msec\n' >"$D/bgw/badgatewayd.conf.d/50-bad.conf"
wait_for 10 sh -c "'$SDENV_BIN/journalctl' -u $U -o cat | tail -n 3 | grep -q 'config reloaded'" || fail "no reload with a good drop-in"
echo "priorities of its own messages: $(own | jq -r .PRIORITY | sort | uniq -c | awk '{ printf "%s at %s; ", $1, $2 }')"
sc stop "$U" || fail "stop"

echo "== 5c. [Metrics] TextfileDirectory = node_exporter's directory, under ProtectSystem=strict"
# Debian's prometheus-node-exporter reads /var/lib/prometheus/node-exporter; a tmpfs over it in the
# manager's namespace only. The unit's ReadWritePaths= is what lets the service write there.
TEXTFILE_DIR=/var/lib/prometheus/node-exporter
if [ -d "$TEXTFILE_DIR" ]; then
  "$SDENV_BIN/nsrun" mount -t tmpfs -o mode=755 tmpfs "$TEXTFILE_DIR" || fail "no tmpfs on the namespace's $TEXTFILE_DIR"
  printf '[Metrics]\nTextfileDirectory = %s\n' "$TEXTFILE_DIR" >"$D/bgw/badgatewayd.conf.d/60-metrics.conf"
  sc start "$U" || fail "start with TextfileDirectory="
  prom_written() { "$SDENV_BIN/nsrun" grep -q '^badgatewayd_pool_up{pool="www"} ' "$TEXTFILE_DIR/badgatewayd.prom"; }
  wait_for 5 prom_written || fail "no $TEXTFILE_DIR/badgatewayd.prom: $(own | grep metrics)"
  echo "written: $("$SDENV_BIN/nsrun" grep '^badgatewayd_pool_up' "$TEXTFILE_DIR/badgatewayd.prom")"
  own | grep 'metrics: cannot write' && fail "a write to $TEXTFILE_DIR failed"
  sc stop "$U" || fail "stop"
  rm -f "$D/bgw/badgatewayd.conf.d/60-metrics.conf"
else
  echo "NOTE: no $TEXTFILE_DIR here (prometheus-node-exporter): step skipped"
fi

echo "== 6. no pool configured: the units come from the manager"
# A php-fpm unit under a name the discovery asks the manager for (php*-fpm*), run from a config
# at a place no default looks at: only its ExecStart (-y FILE) ties the pool to it. check runs as a
# oneshot unit, inside the manager's namespace, where sd_booted() is true and the bus answers.
ZU=php-bgwtest-fpm.service
sed -e 's|^Description=.*|Description=php-fpm of the badgatewayd tests, under a php*-fpm* name|' \
    "$D/units/$FPM" >"$D/units/$ZU"
: >"$D/nginx/none.conf"   # an empty nginx.conf: no nginx; a missing one is an error
printf '[PHP-FPM]\nConfig = %s\n[Nginx]\nConfig = %s\nUser = root\n' "$D/php-fpm/php-fpm.conf" "$D/nginx/none.conf" \
  >"$D/bgw/zero.conf"
printf '[Service]\nType=oneshot\nExecStart=%s check --json --config %s\nStandardOutput=truncate:%s\nStandardError=truncate:%s\nSuccessExitStatus=1 2 3\n' \
  "$bgw" "$D/bgw/zero.conf" "$D/bgw/check.json" "$D/bgw/check.err" >"$D/units/bgw-check.service"
sc daemon-reload || fail "daemon-reload"
sc stop "$FPM" || fail "stop $FPM"
zcheck() { sc start bgw-check.service || fail "check: $(cat "$D/bgw/check.err")"; }
sc start "$ZU" || fail "start $ZU"
zcheck
echo "running: $(jq -r '.[-1].summary.status' "$D/bgw/check.json")"
jq -e '.[-1].summary.exit == 0' "$D/bgw/check.json" >/dev/null || fail "not OK with $ZU running: $(cat "$D/bgw/check.json")"
sc stop "$ZU" || fail "stop $ZU"
zcheck
jq -e '[.[] | select(.cause == "fpm_down" and .unit == "'$ZU'")] | length == 1' "$D/bgw/check.json" >/dev/null ||
  fail "no fpm_down naming $ZU (from the manager): $(cat "$D/bgw/check.json") $(cat "$D/bgw/check.err")"
jq -e '[.[] | select(.cause == "fpm_down")][0].evidence.unit.active_state == "inactive"' "$D/bgw/check.json" >/dev/null ||
  fail "no unit state from the manager: $(cat "$D/bgw/check.json")"
echo "stopped: $(jq -r '[.[] | select(.cause == "fpm_down")][0].summary' "$D/bgw/check.json")"
sc start "$FPM" || fail "start $FPM again"
echo "PASS"
