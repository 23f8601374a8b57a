#!/usr/bin/env bash
# The real OOM killer against a pool unit's MemoryMax=: php-fpm as a unit of sdenv.sh's manager
# with MemoryMax=96M (applied to the cgroup v1 memory controller here, memory.max on v2),
# memory_limit = -1, a script past the limit, nginx answering 502. Two daemons watch it: one reads
# /dev/kmsg and must name the kernel's figures, the other reads no kernel log
# (BADGATEWAYD_KMSG="", as the shipped hardened service) and must prove the kill by the unit's
# cgroup counter (ControlGroup → memory.oom_control / memory.events oom_kill). Both name MemoryMax.
#   sdenv.sh run DIR -- test_oom_unit.sh BADGATEWAYD
set -uo pipefail
[ -n "${SDENV_BIN:-}" ] && [ -n "${SDENV_DIR:-}" ] && [ -n "${DBUS_SYSTEM_BUS_ADDRESS:-}" ] ||
  { echo "SKIP: run under tests/systemd/sdenv.sh run DIR -- $0 BADGATEWAYD"; exit 77; }
[ $# -eq 1 ] && [ -x "$1" ] || { echo "usage: $0 BADGATEWAYD"; exit 2; }
bgw=$1
fpm=/usr/sbin/php-fpm8.2
nginx=/usr/sbin/nginx
limit_mb=96
source "$(dirname "${BASH_SOURCE[0]}")/../webstack.sh"
[ -x "$nginx" ] || { echo "SKIP: $nginx is missing"; exit 77; }
[ -f /etc/nginx/fastcgi.conf ] || { echo "SKIP: /etc/nginx/fastcgi.conf is missing"; exit 77; }
dd if=/dev/kmsg of=/dev/null bs=8192 count=1 iflag=nonblock 2>/dev/null || { echo "SKIP: /dev/kmsg cannot be read"; exit 77; }

A=$SDENV_DIR/oom-unit
UNIT=bgw-fpm-oom.service
unit_file=$SDENV_DIR/units/$UNIT
pids=()
sc() { "$SDENV_BIN/systemctl" --no-pager "$@"; }
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  sc stop "$UNIT" >/dev/null 2>&1 || true
  rm -f "$unit_file"
  sc daemon-reload >/dev/null 2>&1 || true
  [ -n "${KEEP:-}" ] && echo "kept $A" || rm -rf -- "${A:?}"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir -p "$A/www" "$A/fpm"
chmod 755 "$A"
port=$(free_port)
printf '<?php echo "ok\\n";\n' > "$A/www/index.php"
printf '<?php $a = []; for ($i = 0; $i < 4 * %d; $i++) { $a[] = str_repeat("x", 1 << 20); } echo count($a), "\\n";\n' \
  "$limit_mb" > "$A/www/eat.php"
write_fpm_conf "$A/fpm" oom "$A/fpm/error.log" "listen.mode = 0666" "php_admin_value[memory_limit] = -1"
cat > "$unit_file" <<UNIT
[Unit]
Description=php-fpm pool oom of the badgatewayd OOM test

[Service]
Type=notify
ExecStart=$fpm -F -y $A/fpm/php-fpm.conf
MemoryMax=${limit_mb}M
Restart=on-failure
RestartSec=200ms
UNIT
sc daemon-reload && sc start "$UNIT" || { echo "FAIL: $UNIT did not start"; sc status -l "$UNIT"; exit 1; }
cg=$(sc show -P ControlGroup "$UNIT")
applied=$(cat "/sys/fs/cgroup/memory$cg/memory.limit_in_bytes" 2>/dev/null ||
          cat "/sys/fs/cgroup$cg/memory.max" 2>/dev/null || echo none)
[ "$applied" = $((limit_mb << 20)) ] ||
  { echo "SKIP: MemoryMax=${limit_mb}M is not applied to $cg here (limit: $applied)"; exit 77; }
echo "$UNIT: ControlGroup=$cg, MemoryMax=$(sc show -P MemoryMax "$UNIT"), limit in the cgroup: $applied"

write_nginx_conf "$A" "$port" "$A/nginx-error.log info" "root $A/www;
        location ~ \\.php\$ { include /etc/nginx/fastcgi.conf; fastcgi_pass unix:$A/fpm/php-fpm.sock; }"
"$nginx" -c "$A/nginx.conf" -p "$A" 2>>"$A/nginx.stderr" &
pids+=($!)
for d in kmsg cgroup; do
  cat > "$A/$d.conf" <<CONF
[Daemon]
ProbeInterval = 1s
ProbeTimeout = 2s
ResolveAfter = 30s
[Nginx]
ErrorLog = $A/nginx-error.log
User = www-data
[Pool oom]
Listen = $A/fpm/php-fpm.sock
Log = $A/fpm/error.log
Unit = $UNIT
CONF
done
"$bgw" run --config "$A/kmsg.conf" --state-dir "$A/state-kmsg" --stdout > "$A/kmsg.jsonl" 2> "$A/kmsg.stderr" &
pids+=($!)
BADGATEWAYD_KMSG= "$bgw" run --config "$A/cgroup.conf" --state-dir "$A/state-cgroup" --stdout \
  > "$A/cgroup.jsonl" 2> "$A/cgroup.stderr" &
pids+=($!)
for _ in $(seq 50); do [ "$(http_status "$port" /index.php)" = "HTTP/1.1 200 OK" ] && break; sleep 0.1; done
sleep 1.5   # both daemons' first probe round, and the unit read over the bus

status=$(http_status "$port" /eat.php)
echo "GET /eat.php -> $status"
fail=0
[ "$status" = "HTTP/1.1 502 Bad Gateway" ] || { echo "FAIL: expected 502"; fail=1; }
for d in kmsg cgroup; do
  for _ in $(seq 100); do grep -q '"cause":"worker_killed","state":"firing"' "$A/$d.jsonl" && break; sleep 0.1; done
done
echo "php-fpm: $(grep -m1 'exited on signal' "$A/fpm/error.log")"
kpid=$(dmesg | grep -o "Killed process [0-9]* (php-fpm[^)]*) .*" | tail -1)
echo "kernel:  ${kpid:-none}"
echo "cgroup:  $(grep oom_kill "/sys/fs/cgroup/memory$cg/memory.oom_control" "/sys/fs/cgroup$cg/memory.events" 2>/dev/null | tr '\n' ' ')"
kernel_pid=$(grep -o '^Killed process [0-9]*' <<<"$kpid" | cut -d' ' -f3)
check() { # DAEMON PATTERN EVIDENCE-PATTERN
  local alert summary
  alert=$(grep -m1 '"cause":"worker_killed","state":"firing"' "$A/$1.jsonl")
  summary=$(grep -o '"summary":"\([^"\\]\|\\.\)*"' <<<"$alert" | cut -d'"' -f4-)
  echo "$1 daemon: ${summary%\"}"
  echo "            $(grep -o '"oom":{[^}]*}' <<<"$alert")"
  grep -q -- "$2" <<<"$summary" || { echo "FAIL: $1 daemon: the summary does not say: $2"; fail=1; }
  grep -q -- "$3" <<<"$alert" || { echo "FAIL: $1 daemon: the evidence lacks: $3"; fail=1; }
}
check kmsg "OOM-killed by the kernel (pid ${kernel_pid:-?}, anon-rss [0-9]* MB; limit: the unit's MemoryMax $limit_mb MB)" \
  "\"proof\":\"kernel_log\",\"pid\":${kernel_pid:-?},\"comm\":\"php-fpm"
check cgroup "OOM-killed by the kernel (the cgroup's oom_kill counter rose; limit: the unit's MemoryMax $limit_mb MB)" \
  "\"proof\":\"cgroup\",\"memory_max\":$((limit_mb << 20)),\"cgroup\":\"$cg\",\"cgroup_version\":\"v[12]\""
if [ $fail -ne 0 ]; then
  for d in kmsg cgroup; do echo "--- $d daemon stderr"; cat "$A/$d.stderr"; echo "--- $d alerts"; cat "$A/$d.jsonl"; done
fi
exit $fail
