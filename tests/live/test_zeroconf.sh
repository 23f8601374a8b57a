#!/usr/bin/env bash
# Zero-config `badgatewayd check` on this machine's stock php8.2-fpm and nginx configuration: no
# badgatewayd.conf, pools, logs and nginx's user from /etc/php/8.2/fpm and /etc/nginx. In a
# private mount namespace with a tmpfs on /run (no systemd bus there, the host's sockets untouched),
# /var/log and any /etc/badgatewayd; then php-fpm stopped (fpm_down, 2), running (OK, 0), a pool
# from a drop-in with no badgatewayd.conf (OK, 0), and its socket root's 0600 (socket_permission
# for nginx's www-data, 2).
set -uo pipefail
bgw=${BADGATEWAYD:?BADGATEWAYD is not set}
fpm=/usr/sbin/php-fpm8.2
conf=/etc/php/8.2/fpm/php-fpm.conf
sock=/run/php/php8.2-fpm.sock

if [ "${1:-}" != --inside ]; then
  [ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (mount namespace, php-fpm as root)"; exit 77; }
  for f in "$fpm" "$conf" /etc/nginx/nginx.conf; do
    [ -e "$f" ] || { echo "SKIP: $f is missing (scripts/deps.sh installs php8.2-fpm and nginx-light)"; exit 77; }
  done
  command -v unshare >/dev/null || { echo "SKIP: unshare (util-linux) is missing"; exit 77; }
  exec unshare -m --propagation private bash "$0" --inside
fi

fpm_pid=
cleanup() {
  if [ -n "$fpm_pid" ]; then
    kill "$fpm_pid" 2>/dev/null
    wait "$fpm_pid" 2>/dev/null
  fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM

mount -t tmpfs tmpfs /run && mkdir -p /run/php || { echo "cannot mount a tmpfs on /run"; exit 1; }
mount -t tmpfs tmpfs /var/log && mkdir -p /var/log/nginx && : > /var/log/nginx/error.log ||
  { echo "cannot mount a tmpfs on /var/log"; exit 1; }
# The build's own default config dir too (sysconfdir: /usr/local/etc/badgatewayd by default).
built=$("$bgw" check --help 2>&1 | sed -n 's|.*read FILE instead of \(.*\)/[^/]*$|\1|p')
for d in /etc/badgatewayd $built; do
  if [ -d "$d" ]; then
    mount -t tmpfs tmpfs "$d" || { echo "cannot hide $d"; exit 1; }
  fi
done

fail=0
# expect STATE WANT_EXIT WANT_TEXT: one check, its output shown, its exit code and text compared.
expect() {
  local out rc
  out=$("$bgw" check 2>/tmp/zeroconf-stderr.$$)
  rc=$?
  echo "== $1: exit $rc"
  echo "$out" | sed 's/^/  /'
  sed 's/^/  stderr: /' /tmp/zeroconf-stderr.$$
  rm -f /tmp/zeroconf-stderr.$$
  [ "$rc" -eq "$2" ] || { echo "FAIL: $1: exit $rc, want $2"; fail=1; }
  grep -q -- "$3" <<<"$out" || { echo "FAIL: $1: no '$3' in the output"; fail=1; }
}

expect "php-fpm stopped" 2 "fpm_down www"

"$fpm" -F -y "$conf" &
fpm_pid=$!
for _ in $(seq 100); do
  [ -S "$sock" ] && break
  sleep 0.1
done
[ -S "$sock" ] || { echo "FAIL: php-fpm made no socket at $sock"; exit 1; }
expect "php-fpm running" 0 "^BADGATEWAY OK - 1 of 1 pool healthy"

# Drop-ins in the default config dir without badgatewayd.conf, as systemd reads journald.conf.d/
# with no journald.conf: the pool one names replaces the discovered www. The dir is writable
# here only as a tmpfs: the hidden one, or a tmpfs on its parent (never on /etc).
if [ ! -d "$built" ] && [ -d "$(dirname "$built")" ] && [ "$(dirname "$built")" != /etc ]; then
  mount -t tmpfs tmpfs "$(dirname "$built")" && mkdir "$built" || { echo "cannot make $built"; exit 1; }
fi
if [ -d "$built" ] && [ ! -e "$built/badgatewayd.conf" ]; then
  mkdir "$built/badgatewayd.conf.d" &&
    printf '[Pool dropin]\nListen = %s\n' "$sock" >"$built/badgatewayd.conf.d/50-pool.conf" || exit 1
  expect "a drop-in alone" 0 "^BADGATEWAY OK - 1 of 1 pool healthy | 'dropin_probe'="
  rm -r "$built/badgatewayd.conf.d"
else
  echo "== a drop-in alone: not tried, $built cannot be made here"
fi

chown root:root "$sock" && chmod 0600 "$sock"
expect "socket root's 0600" 2 "socket_permission www"
exit $fail
