#!/usr/bin/env bash
# The real OOM killer, end to end: php-fpm in a memory cgroup this test makes (96 MB; cgroup v2
# memory.max, else v1 memory.limit_in_bytes), memory_limit = -1, a script that allocates past the
# limit. The kernel kills the worker, nginx answers 502, and badgatewayd, reading /dev/kmsg, must
# say worker_killed "OOM-killed by the kernel" with the kernel's figures for php-fpm's pid.
# Everything it starts is ended by pid; the cgroup and the temp dir are removed, also on failure.
set -uo pipefail
bin=${BADGATEWAYD:-./build/daemon/badgatewayd}
fpm=${PHP_FPM:-/usr/sbin/php-fpm8.2}
nginx=${NGINX:-/usr/sbin/nginx}
limit_mb=96
source "$(dirname "${BASH_SOURCE[0]}")/../webstack.sh"

skip() { echo "SKIP: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (a memory cgroup, /dev/kmsg)"
for b in "$nginx" "$fpm"; do [ -x "$b" ] || skip "$b is not installed"; done
dd if=/dev/kmsg of=/dev/null bs=8192 count=1 iflag=nonblock 2>/dev/null || skip "/dev/kmsg cannot be read"

# The memory cgroup: a child of this process's own, in whichever hierarchy has the controller.
cg= version=
if [ "$(stat -fc %T /sys/fs/cgroup)" = cgroup2fs ]; then
  parent=/sys/fs/cgroup$(sed -n 's/^0:://p' /proc/self/cgroup)
  grep -qw memory "$parent/cgroup.subtree_control" 2>/dev/null ||
    skip "cgroup v2 without the memory controller delegated to $parent"
  version=v2
elif [ -d /sys/fs/cgroup/memory ]; then
  parent=/sys/fs/cgroup/memory$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
  version=v1
else
  skip "no memory cgroup controller mounted"
fi
[ -d "$parent" ] || skip "the memory cgroup $parent is not visible here"

dir=$(mktemp -d /tmp/badgatewayd-oom-XXXXXX)
chmod 755 "$dir"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  if [ -n "$cg" ] && [ -d "$cg" ]; then
    for p in $(cat "$cg/cgroup.procs" 2>/dev/null); do kill -KILL "$p" 2>/dev/null || true; done
    for _ in $(seq 50); do rmdir "$cg" 2>/dev/null && break; sleep 0.1; done
    [ -d "$cg" ] && echo "warning: could not remove $cg"
  fi
  [ -n "${KEEP:-}" ] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

cg=$parent/badgatewayd-oom-$$
mkdir "$cg" || { cg=; skip "cannot make a cgroup under $parent"; }
if [ "$version" = v2 ]; then
  echo $((limit_mb << 20)) > "$cg/memory.max"
  [ -f "$cg/memory.swap.max" ] && echo 0 > "$cg/memory.swap.max"
else
  echo $((limit_mb << 20)) > "$cg/memory.limit_in_bytes"
  [ -f "$cg/memory.memsw.limit_in_bytes" ] && echo $((limit_mb << 20)) > "$cg/memory.memsw.limit_in_bytes"
  echo 0 > "$cg/memory.swappiness" 2>/dev/null || true
fi
echo "memory cgroup $version: $cg, limit $limit_mb MB"

port=$(free_port)
mkdir -p "$dir/www"
printf '<?php echo "ok\\n";\n' > "$dir/www/index.php"
# 1 MB strings until the cgroup's limit is passed: only the OOM killer stops it
printf '<?php $a = []; for ($i = 0; $i < 4 * %d; $i++) { $a[] = str_repeat("x", 1 << 20); } echo count($a), "\\n";\n' \
  "$limit_mb" > "$dir/www/eat.php"
write_fpm_conf "$dir" www "$dir/php-fpm.log" "listen.owner = www-data" "listen.group = www-data" \
  "listen.mode = 0660" "php_admin_value[memory_limit] = -1"
write_nginx_conf "$dir" "$port" "$dir/nginx-error.log info" "root $dir/www;
        location ~ \\.php\$ { include /etc/nginx/fastcgi.conf; fastcgi_pass unix:$dir/php-fpm.sock;
                             fastcgi_read_timeout 30s; }"
cat > "$dir/badgatewayd.conf" <<CONF
[Daemon]
ProbeInterval = 1s
ProbeTimeout = 2s
ResolveAfter = 3s
[Nginx]
ErrorLog = $dir/nginx-error.log
User = www-data
[Pool www]
Listen = $dir/php-fpm.sock
Log = $dir/php-fpm.log
CONF

# php-fpm starts inside the cgroup: its workers are born there
bash -c 'echo $$ > "$1/cgroup.procs" && exec "$2" -F -y "$3/php-fpm.conf" -R' oom "$cg" "$fpm" "$dir" \
  2>>"$dir/php-fpm.stderr" &
pids+=($!)
"$nginx" -c "$dir/nginx.conf" -p "$dir" 2>>"$dir/nginx.stderr" &
pids+=($!)
for _ in $(seq 50); do [ -S "$dir/php-fpm.sock" ] && break; sleep 0.1; done
[ -S "$dir/php-fpm.sock" ] || { echo "php-fpm did not start:"; cat "$dir/php-fpm.stderr"; exit 1; }
start_daemon() {   # $1: where its alerts go
  "$bin" run --config "$dir/badgatewayd.conf" --state-dir "$dir/state" --stdout > "$1" 2>> "$dir/badgatewayd.stderr" &
  bgw_pid=$!
  pids+=("$bgw_pid")
}
start_daemon "$dir/alerts.jsonl"
for _ in $(seq 50); do [ "$(http_status "$port" /index.php)" = "HTTP/1.1 200 OK" ] && break; sleep 0.1; done
sleep 1   # the daemon's first probe round

status=$(http_status "$port" /eat.php)
echo "GET /eat.php -> $status"
fail=0
[ "$status" = "HTTP/1.1 502 Bad Gateway" ] || { echo "FAIL: expected 502"; fail=1; }

for _ in $(seq 100); do grep -q '"cause":"worker_killed","state":"firing"' "$dir/alerts.jsonl" && break; sleep 0.1; done
child=$(grep -o 'child [0-9]* exited on signal 9 (SIGKILL)' "$dir/php-fpm.log" | head -1 | cut -d' ' -f2)
echo "php-fpm: $(grep 'exited on signal' "$dir/php-fpm.log" | head -1)"
echo "nginx:   $(grep -m1 'upstream' "$dir/nginx-error.log")"
echo "kernel's records of pid ${child:-?}:"
[ -n "$child" ] && dmesg | grep -E "memory: usage|oom-kill:.*pid=$child,|Killed process $child " | tail -3 | sed 's/^/  /'
alert=$(grep -m1 '"cause":"worker_killed","state":"firing"' "$dir/alerts.jsonl")
summary=$(grep -o '"summary":"\([^"\\]\|\\.\)*"' <<<"$alert" | cut -d'"' -f4-)
echo "alert:   ${summary%\"}"
echo "         $(grep -o '"oom":{[^}]*}' <<<"$alert")"

[ -n "$child" ] || { echo "FAIL: php-fpm logged no worker killed by SIGKILL"; fail=1; }
[ -n "$alert" ] || { echo "FAIL: no worker_killed alert"; fail=1; }
grep -q "OOM-killed by the kernel (pid $child, anon-rss [0-9]* MB; limit: memory cgroup /" <<<"$summary" ||
  { echo "FAIL: the alert does not say the kernel OOM-killed pid $child with its figures"; fail=1; }
grep -q "\"proof\":\"kernel_log\",\"pid\":$child,\"comm\":\"php-fpm" <<<"$alert" ||
  { echo "FAIL: the alert's evidence lacks the kernel's record of pid $child"; fail=1; }
grep -q "\"limit_kb\":$((limit_mb * 1024))," <<<"$alert" ||
  { echo "FAIL: the alert's evidence lacks the cgroup's $limit_mb MB limit"; fail=1; }
if [ "$version" = v1 ]; then
  echo "memory.oom_control: $(grep oom_kill "$cg/memory.oom_control" | tr '\n' ' ')"
else
  echo "memory.events: $(grep oom_kill "$cg/memory.events" | tr '\n' ' ')"
fi

# Across a restart: the finding resolves, the daemon stops, the OOM killer strikes while it is
# down, and the restarted daemon reads on from the /dev/kmsg record and the log line it stopped at.
for _ in $(seq 100); do grep -q '"cause":"worker_killed","state":"resolved"' "$dir/alerts.jsonl" && break; sleep 0.1; done
grep -q '"cause":"worker_killed","state":"resolved"' "$dir/alerts.jsonl" || { echo "FAIL: worker_killed did not resolve"; fail=1; }
kill -TERM "$bgw_pid"; wait "$bgw_pid" 2>/dev/null
grep -q '"/dev/kmsg"' "$dir/state/state.json" || { echo "FAIL: the state file keeps no /dev/kmsg position"; fail=1; }
echo "daemon stopped; GET /eat.php -> $(http_status "$port" /eat.php)"
# php-fpm's master logs the kill when it reaps the child, which can be after nginx's 502
for _ in $(seq 50); do
  child2=$(grep -o 'child [0-9]* exited on signal 9 (SIGKILL)' "$dir/php-fpm.log" | sed -n 2p | cut -d' ' -f2)
  [ -n "$child2" ] && break
  sleep 0.1
done
start_daemon "$dir/alerts2.jsonl"
for _ in $(seq 100); do grep -q '"cause":"worker_killed","state":"firing"' "$dir/alerts2.jsonl" && break; sleep 0.1; done
alert2=$(grep -m1 '"cause":"worker_killed","state":"firing"' "$dir/alerts2.jsonl")
summary2=$(grep -o '"summary":"\([^"\\]\|\\.\)*"' <<<"$alert2" | cut -d'"' -f4-)
echo "after the restart: ${summary2%\"}"
grep -q "OOM-killed by the kernel (pid ${child2:-?}, anon-rss [0-9]* MB" <<<"$summary2" ||
  { echo "FAIL: the restarted daemon did not read the kernel's record of pid ${child2:-?} made while it was down"; fail=1; }
[ $fail -eq 0 ] || { echo "--- badgatewayd stderr"; cat "$dir/badgatewayd.stderr"; echo "--- alerts"; cat "$dir/alerts"*.jsonl; }
exit $fail
