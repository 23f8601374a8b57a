#!/usr/bin/env bash
# The live demo: a throwaway nginx and php-fpm on 127.0.0.1 under a temp dir, badgatewayd
# watching them in the foreground, then the four classic 502s one after another. Every
# process it starts is ended by its pid and the temp dir is removed, also on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${BADGATEWAYD:-./build/daemon/badgatewayd}
fpm=${PHP_FPM:-/usr/sbin/php-fpm8.2}
nginx=${NGINX:-/usr/sbin/nginx}

dir=$(mktemp -d /tmp/badgatewayd-demo-XXXXXX)
chmod 755 "$dir"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
  [ -n "${KEEP:-}" ] && echo "kept $dir" || rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() {
  local p
  for p in $(seq "$1" "$(($1 + 200))"); do
    (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null || { echo "$p"; return; }
  done
  return 1
}

# The status line of GET PATH on PORT, with bash's /dev/tcp: no curl needed.
http_get() {
  local reply
  exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || { echo "no answer"; return; }
  printf 'GET %s HTTP/1.0\r\nHost: demo\r\n\r\n' "$2" >&3
  IFS= read -r -t 15 reply <&3 || reply="no answer"
  exec 3<&- 3>&-
  echo "${reply%$'\r'}"
}

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

write_fpm_conf() {   # $1: extra lines for the pool
  cat > "$dir/php-fpm.conf" <<CONF
[global]
pid = $dir/php-fpm.pid
error_log = $dir/php-fpm.log
daemonize = no
[demo]
user = www-data
group = www-data
listen = $dir/php-fpm.sock
listen.owner = www-data
listen.group = www-data
listen.mode = 0660
pm = static
pm.max_children = 2
$1
CONF
}

start_fpm() {
  "$fpm" -F -y "$dir/php-fpm.conf" -R 2>>"$dir/php-fpm.stderr" &
  fpm_pid=$!
  pids+=("$fpm_pid")
  for _ in $(seq 50); do [ -S "$dir/php-fpm.sock" ] && return; sleep 0.1; done
  echo "php-fpm did not start:"; cat "$dir/php-fpm.stderr"; exit 1
}

stop_fpm() {
  kill -QUIT "$fpm_pid" 2>/dev/null || true
  wait "$fpm_pid" 2>/dev/null || true
}

write_nginx_conf() {
  mkdir -p "$dir/www" "$dir/tmp"
  printf '<?php echo "hello from php-fpm\\n";\n' > "$dir/www/index.php"
  printf '<?php sleep(5); echo "slow\\n";\n' > "$dir/www/slow.php"
  cat > "$dir/nginx.conf" <<CONF
user www-data www-data;
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $dir/nginx-error.log info;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path $dir/tmp/body;
    fastcgi_temp_path $dir/tmp/fastcgi;
    proxy_temp_path $dir/tmp/proxy;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    server {
        listen 127.0.0.1:$port;
        root $dir/www;
        location ~ \.php\$ { include /etc/nginx/fastcgi.conf; fastcgi_pass unix:$dir/php-fpm.sock; }
    }
    server {
        listen 127.0.0.1:$wrong_port;
        root $dir/www;
        location ~ \.php\$ { include /etc/nginx/fastcgi.conf; fastcgi_pass unix:$dir/php7.4-fpm.sock; }
    }
}
CONF
}

write_badgatewayd_conf() {
  cat > "$dir/badgatewayd.conf" <<CONF
[Daemon]
ProbeInterval = 500ms
ProbeTimeout = 1s
ResolveAfter = 4s
SummaryInterval = 1min
[Nginx]
ErrorLog = $dir/nginx-error.log
User = www-data
[Pool demo]
Listen = $dir/php-fpm.sock
Log = $dir/php-fpm.log
CONF
}

# Prints each alert line as "FIRING cause pool: summary" while keeping the raw JSON in a file.
show_alerts() {
  while IFS= read -r line; do
    echo "$line" >> "$dir/alerts.jsonl"
    state=$(grep -o '"state":"[a-z]*"' <<<"$line" | cut -d'"' -f4)
    cause=$(grep -o '"cause":"[a-z_]*"' <<<"$line" | cut -d'"' -f4)
    summary=$(grep -o '"summary":"\([^"\\]\|\\.\)*"' <<<"$line" | cut -d'"' -f4-)
    printf '  \033[%sm[badgatewayd] %s %s\033[0m: %s\n' "$([ "$state" = firing ] && echo 31 || echo 32)" \
      "${state^^}" "$cause" "${summary%\"}"
  done
}

wait_for() {   # $1: state, $2: cause
  for _ in $(seq 100); do
    grep -q "\"cause\":\"$2\",\"state\":\"$1\"" "$dir/alerts.jsonl" 2>/dev/null && return
    sleep 0.1
  done
  echo "  (no $1 $2 alert within 10 s)"
}

port=$(free_port 18080)
wrong_port=$(free_port $((port + 1)))
write_fpm_conf ""
write_nginx_conf
write_badgatewayd_conf
: > "$dir/alerts.jsonl"
start_fpm
"$nginx" -c "$dir/nginx.conf" -p "$dir" 2>>"$dir/nginx.stderr" &
pids+=($!)
sleep 0.5
"$bin" run --config "$dir/badgatewayd.conf" --state-dir "$dir/state" --stdout > >(show_alerts) 2>"$dir/badgatewayd.stderr" &
pids+=($!)
sleep 1.5

say "All healthy: nginx on 127.0.0.1:$port, php-fpm on $dir/php-fpm.sock"
echo "  GET /index.php -> $(http_get "$port" /index.php)"

say "1. php-fpm stopped (as after a crash)"
stop_fpm
echo "  GET /index.php -> $(http_get "$port" /index.php)"
wait_for firing fpm_down
echo "  ...starting php-fpm again"
start_fpm
wait_for resolved fpm_down

say "2. nginx's fastcgi_pass names a socket nobody serves (php7.4-fpm.sock)"
echo "  GET /index.php on :$wrong_port -> $(http_get "$wrong_port" /index.php)"
wait_for firing socket_mismatch
wait_for resolved socket_mismatch

say "3. the socket belongs to root, mode 0600: nginx's www-data may not connect"
stop_fpm
write_fpm_conf $'listen.owner = root\nlisten.group = root\nlisten.mode = 0600'
start_fpm
echo "  GET /index.php -> $(http_get "$port" /index.php)"
wait_for firing socket_permission
echo "  ...back to listen.owner = www-data, mode 0660"
stop_fpm
write_fpm_conf ""
start_fpm
wait_for resolved socket_permission

say "4. a worker killed mid-request (kill -9, as the OOM killer would)"
(http_get "$port" /slow.php > "$dir/slow.status") &
slow=$!
sleep 1
pkill -KILL -P "$fpm_pid" || true
wait "$slow" || true
echo "  GET /slow.php -> $(cat "$dir/slow.status")"
wait_for firing worker_killed
wait_for resolved worker_killed

sleep 0.5   # let the last alert reach the screen
say "Done. Every alert above is also one JSON line; under systemd they go to the journal."
[ -z "${DEMO_ALERTS:-}" ] || cp "$dir/alerts.jsonl" "$DEMO_ALERTS"
