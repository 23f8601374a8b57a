# shellcheck shell=bash
# Sourced by the shell tests that run a throwaway php-fpm and nginx: their config files, a free
# port and one HTTP status line. Nothing here starts or stops a process.
#   source "$(dirname "${BASH_SOURCE[0]}")/../webstack.sh"

# write_fpm_conf DIR POOL ERROR_LOG [POOL_LINE...]: DIR/php-fpm.conf, a php-fpm in the
# foreground (pid DIR/php-fpm.pid) logging to ERROR_LOG (a path or "syslog"), one static pool
# POOL of 2 children as www-data on DIR/php-fpm.sock; each POOL_LINE (e.g. "listen.mode = 0666")
# ends the pool.
write_fpm_conf() {
  local dir=$1 pool=$2 log=$3 line
  shift 3
  {
    echo "[global]"
    echo "pid = $dir/php-fpm.pid"
    echo "error_log = $log"
    echo "daemonize = no"
    echo "[$pool]"
    echo "user = www-data"
    echo "group = www-data"
    echo "listen = $dir/php-fpm.sock"
    echo "pm = static"
    echo "pm.max_children = 2"
    for line in "$@"; do echo "$line"; done
  } >"$dir/php-fpm.conf"
}

# write_nginx_conf DIR PORT ERROR_LOG SERVER_LINES: DIR/nginx.conf, a one-worker nginx in the
# foreground as www-data (pid DIR/nginx.pid, temp files under DIR/tmp, made here, no access log),
# error_log ERROR_LOG (nginx's arguments: "PATH LEVEL" or "stderr info"), one server on
# 127.0.0.1:PORT holding SERVER_LINES (root, location ...). Start it with -c DIR/nginx.conf -p DIR.
write_nginx_conf() {
  local dir=$1 port=$2 log=$3 lines=$4
  mkdir -p "$dir/tmp"
  cat >"$dir/nginx.conf" <<CONF
user www-data www-data;
worker_processes 1;
daemon off;
pid $dir/nginx.pid;
error_log $log;
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
        $lines
    }
}
CONF
}

# free_port: a TCP port on 127.0.0.1 nothing listens on now (of 50 random ones in 20000-60000);
# fails when none is.
free_port() {
  local p
  for p in $(shuf -i 20000-60000 -n 50); do
    { (exec 3<>"/dev/tcp/127.0.0.1/$p"); } 2>/dev/null || { echo "$p"; return 0; }
  done
  return 1
}

# http_status PORT PATH: the status line of GET PATH on 127.0.0.1:PORT (HTTP/1.0, 30 s at most),
# or "no answer".
http_status() {
  local reply
  { exec 3<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null || { echo "no answer"; return; }
  printf 'GET %s HTTP/1.0\r\nHost: test\r\n\r\n' "$2" >&3
  IFS= read -r -t 30 reply <&3 || reply="no answer"
  exec 3<&- 3>&-
  echo "${reply%$'\r'}"
}

# kill_master PID: a php-fpm master and its workers, SIGKILL, as a crash does. The master is
# stopped first: a running one forks a new worker for each one killed, which the master's own
# SIGKILL then leaves behind, an orphan nobody ends.
kill_master() {
  kill -STOP "$1" 2>/dev/null
  pkill -KILL -P "$1" 2>/dev/null
  kill -KILL "$1" 2>/dev/null
  wait "$1" 2>/dev/null
}
