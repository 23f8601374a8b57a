#!/usr/bin/env bash
# A real systemd system manager with its own system dbus-daemon and journald, for tests: PID 1 of
# a new PID+mount+UTS namespace, in a cgroup of its own, loading only units copied under DIR.
#
#   sdenv.sh start DIR           start; print the exports clients need (also kept in DIR/env)
#   sdenv.sh stop DIR            power it off, remove its cgroups, restore the sysctls
#   sdenv.sh run DIR -- CMD...   start, run CMD with those exports, always stop
#
# Exports: DBUS_SYSTEM_BUS_ADDRESS (the namespace's system bus, reachable from outside),
# SDENV_PID (the manager's PID on the host), SDENV_DIR, SDENV_BIN (systemctl, journalctl and
# nsrun wrappers that enter the namespace). Unit files and their drop-ins go in DIR/units.
# Exits 77 with "SKIP: reason" when this machine cannot host it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
systemd_bin=/lib/systemd/systemd
fpm_bin=/usr/sbin/php-fpm8.2
sysctls=(fs.file-max fs.nr_open net.unix.max_dgram_qlen)
hierarchies=(unified systemd memory pids)
# Host-wide effects a manager could have even inside its namespaces: loading kernel modules,
# rebooting, setting the clock.
drop_caps=-sys_module,-sys_boot,-sys_time
copied_units=(dbus.socket dbus.service systemd-journald.socket systemd-journald-dev-log.socket
              systemd-journald.service sockets.target shutdown.target umount.target final.target
              poweroff.target systemd-poweroff.service halt.target systemd-halt.service)

say() { echo "sdenv: $*" >&2; }
die() { say "$*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

check_host() {
  [ "$(id -u)" -eq 0 ] || skip "needs root"
  local b
  for b in "$systemd_bin" /lib/systemd/systemd-journald /usr/bin/dbus-daemon "$fpm_bin" \
           /usr/bin/unshare /usr/bin/nsenter /usr/bin/setpriv /usr/bin/systemctl /usr/bin/busctl; do
    [ -x "$b" ] || skip "$b is missing (packages: systemd dbus util-linux php8.2-fpm)"
  done
  case $(readlink /proc/1/exe) in
    */systemd) skip "PID 1 is systemd: its cgroup tree is not ours to nest a manager in" ;;
  esac
  [ "$(stat -fc %T /sys/fs/cgroup)" = tmpfs ] ||
    skip "/sys/fs/cgroup is not the hybrid layout (pure cgroup2 is not supported here)"
  [ "$(stat -fc %T /sys/fs/cgroup/unified 2>/dev/null)" = cgroup2fs ] ||
    skip "no cgroup2 hierarchy at /sys/fs/cgroup/unified"
  local h
  for h in systemd memory pids; do
    [ "$(stat -fc %T "/sys/fs/cgroup/$h" 2>/dev/null)" = cgroupfs ] ||
      skip "no cgroup v1 hierarchy at /sys/fs/cgroup/$h"
  done
  unshare --pid --fork --mount --uts --propagation private true 2>/dev/null ||
    skip "cannot unshare PID, mount and UTS namespaces"
}

abs_dir() {
  [ -n "${1:-}" ] || die "no DIR given"
  # it goes into unit files and sed expressions
  [[ $1 =~ ^[A-Za-z0-9/._+-]+$ ]] || die "DIR may only contain letters, digits and /._+-: $1"
  mkdir -p "$1"
  local d
  d=$(cd "$1" && pwd -P)
  [ "$d" != / ] || die "DIR must not be /"
  [[ $d =~ ^[A-Za-z0-9/._+-]+$ ]] || die "DIR may only contain letters, digits and /._+-: $d"
  # unix socket paths are limited to 107 bytes
  [ ${#d} -le 80 ] || die "DIR is too long for socket paths: $d"
  echo "$d"
}

# Our own cgroup path, the same in every hierarchy, under the memory cgroup we run in.
cgroup_path() {
  local mem
  mem=$(awk -F: '$2 == "memory" { print $3 }' /proc/self/cgroup)
  [ -n "$mem" ] || skip "this process has no memory cgroup v1 path"
  echo "${mem%/}/bgw-sdenv-$$"
}

# Ancestors of $1 missing in any hierarchy, deepest last: they are ours to remove at the end.
missing_ancestors() {
  local h p sub
  for h in /sys/fs/cgroup/*/; do
    p=${h%/}
    for sub in ${1//\// }; do
      p=$p/$sub
      [ -e "$p" ] || echo "$p"
    done
  done
}

write_units() {
  local dir=$1 u
  mkdir -p "$dir/units" "$dir/gen"
  for u in "${copied_units[@]}"; do
    cp "/lib/systemd/system/$u" "$dir/units/$u"
  done
  # /dev/log would otherwise appear on the host
  sed -i '/^Symlinks=/d' "$dir/units/systemd-journald-dev-log.socket"
  sed -i 's/ systemd-journald-audit.socket//' "$dir/units/systemd-journald.service"
  for u in sysinit.target basic.target; do
    printf '[Unit]\nDescription=Stub %s of the test environment\n' "$u" >"$dir/units/$u"
  done
  for u in dbus.socket dbus.service; do
    mkdir -p "$dir/units/$u.d"
    printf '[Unit]\nDefaultDependencies=no\n' >"$dir/units/$u.d/sdenv.conf"
  done
  cp "$here/bgw-sdenv.target" "$dir/units/"
  sed "s|@DIR@|$dir|g" "$here/bgw-php-fpm.service.in" >"$dir/units/bgw-php-fpm.service"
  mkdir -p "$dir/php-fpm"
  sed "s|@DIR@|$dir|g" "$here/php-fpm.conf.in" >"$dir/php-fpm/php-fpm.conf"
}

write_wrappers() {
  local dir=$1 pid=$2
  mkdir -p "$dir/bin"
  printf '#!/bin/sh\nexec nsenter -t %s -m -u -p -- "$@"\n' "$pid" >"$dir/bin/nsrun"
  printf '#!/bin/sh\nexec nsenter -t %s -m -u -p -- systemctl "$@"\n' "$pid" >"$dir/bin/systemctl"
  printf '#!/bin/sh\nexec nsenter -t %s -m -u -- journalctl "$@"\n' "$pid" >"$dir/bin/journalctl"
  chmod +x "$dir/bin/nsrun" "$dir/bin/systemctl" "$dir/bin/journalctl"
}

write_state() {
  local dir=$1
  {
    printf 'cg=%q\nmanager_pid=%q\nlauncher_pid=%q\nhad_dev_log=%q\n' \
      "$cg" "$manager_pid" "$launcher_pid" "$had_dev_log"
    printf 'release_agent=%q\n' "$release_agent"
    local s
    for s in "${sysctls[@]}"; do
      printf 'sysctl_%s=%q\n' "${s//[.-]/_}" "$(sysctl -n "$s")"
    done
    printf 'created=(%s)\n' "$created"
  } >"$dir/state"
}

print_env() {
  local dir=$1
  {
    printf 'export DBUS_SYSTEM_BUS_ADDRESS=%q\n' "unix:path=$dir/run/dbus/system_bus_socket"
    printf 'export SDENV_DIR=%q\nexport SDENV_PID=%q\nexport SDENV_BIN=%q\n' \
      "$dir" "$manager_pid" "$dir/bin"
  } | tee "$dir/env"
}

# Runs as PID 1 of the new namespaces, then becomes the manager.
ns_init() {
  local dir=$1 h
  mount --make-rprivate /
  # A private cgroup tmpfs: PID 1 remounts /sys/fs/cgroup read-only and adds to it.
  mkdir -p "$dir/ns/cg"
  mount --rbind /sys/fs/cgroup "$dir/ns/cg"
  mount -t tmpfs -o mode=755,nosuid,nodev,noexec tmpfs /sys/fs/cgroup
  for h in "$dir"/ns/cg/*/; do
    h=$(basename "$h")
    mkdir "/sys/fs/cgroup/$h"
    mount --bind "$dir/ns/cg/$h" "/sys/fs/cgroup/$h"
  done
  umount -R "$dir/ns/cg"
  # Only the hierarchies the host has mounted: PID 1 mounts every other controller it sees listed,
  # which creates hierarchies kernel-wide (visible in every /proc/PID/cgroup).
  awk 'NR == 1 || $2 != 0' /proc/cgroups >"$dir/ns/cgroups"
  mount --bind "$dir/ns/cgroups" /proc/cgroups
  # Sysctls PID 1 raises stay untouched: this proc instance is the namespace's own.
  mount --bind /proc/sys /proc/sys
  mount -o remount,bind,ro /proc/sys
  # A private /dev: nothing appears in the host's (/dev/log, /dev/core) and the console is a file.
  mount -t tmpfs -o mode=755,nosuid tmpfs /dev
  mknod -m 666 /dev/null c 1 3
  mknod -m 666 /dev/zero c 1 5
  mknod -m 666 /dev/full c 1 7
  mknod -m 666 /dev/random c 1 8
  mknod -m 666 /dev/urandom c 1 9
  mknod -m 666 /dev/tty c 5 0
  mkdir /dev/shm
  mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs /dev/shm
  ln -s /proc/self/fd /dev/fd
  touch /dev/console
  mount --bind "$dir/log/console" /dev/console
  mount --bind "$dir/run" /run
  if [ -d /var/log/journal ]; then
    mount --bind "$dir/journal" /var/log/journal
  fi
  # container= makes PID 1 skip host-wide setup (kmsg logging, clock, swap, loop devices)
  exec env -i container=bgw-sdenv PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    SYSTEMD_UNIT_PATH="$dir/units" SYSTEMD_GENERATOR_PATH="$dir/gen" \
    SYSTEMD_ENVIRONMENT_GENERATOR_PATH="$dir/gen" \
    /usr/bin/setpriv --bounding-set "$drop_caps" -- \
    "$systemd_bin" --system --unit=bgw-sdenv.target --log-target=journal --show-status=false
}

alive() { [ -n "$1" ] && [ -d "/proc/$1" ]; }

# PID 1 of a namespace one level below ours: NSpid "<pid> 1".
is_ns_init() {
  alive "$1" && awk '/^NSpid:/ { exit !($NF == 1 && NF == 3) }' "/proc/$1/status" 2>/dev/null
}

find_manager() {
  local c
  for c in $(pgrep -P "$launcher_pid" || true); do
    if is_ns_init "$c"; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

wait_ready() {
  local dir=$1 i
  for i in $(seq 300); do
    alive "$launcher_pid" || return 1
    [ -n "$manager_pid" ] || manager_pid=$(find_manager) || true
    if [ -n "$manager_pid" ] && [ -S "$dir/run/systemd/private" ]; then
      break
    fi
    sleep 0.05
  done
  [ -n "$manager_pid" ] || return 1
  write_wrappers "$dir" "$manager_pid"
  timeout 30 "$dir/bin/systemctl" is-system-running --wait >/dev/null || true
  for i in $(seq 200); do
    if busctl --address="unix:path=$dir/run/dbus/system_bus_socket" get-property \
         org.freedesktop.systemd1 /org/freedesktop/systemd1 org.freedesktop.systemd1.Manager \
         SystemState >/dev/null 2>&1; then
      return 0
    fi
    sleep 0.05
  done
  return 1
}

# nginx's and php-fpm's workers (www-data) must reach the sockets under DIR: when DIR sits below a
# directory they may not search (a checkout in root's 0700 home), DIR becomes a link to a
# directory of its own under /tmp, removed at stop.
searchable_dir() {
  local given=$1 d tmp
  [ ! -L "${given%/}" ] || [ -e "${given%/}" ] || rm -f -- "${given%/}"
  mkdir -p "$given"
  d=$(cd "$given" && pwd -P)
  if [ -L "${given%/}" ] || setpriv --reuid=65534 --regid=65534 --clear-groups -- test -x "$d" 2>/dev/null; then
    return 0
  fi
  tmp=$(mktemp -d /tmp/bgw-sdenv.XXXXXX)
  chmod 0755 "$tmp"
  rm -rf -- "${given:?}"
  ln -s "$tmp" "${given%/}"
}

start() {
  check_host
  local dir
  searchable_dir "$1"
  dir=$(abs_dir "$1")
  if [ -f "$dir/state" ]; then
    say "$dir holds an environment that was not stopped: stopping it first"
    stop "$dir" || die "could not stop the old environment in $dir"
  fi
  cg=$(cgroup_path)
  rm -rf -- "${dir:?}/units" "$dir/gen" "$dir/run" "$dir/ns" "$dir/log" "$dir/journal" \
    "$dir/php-fpm" "${dir:?}/bin" "$dir/env"
  mkdir -p "$dir/run" "$dir/log" "$dir/journal"
  : >"$dir/log/console"
  mkdir -p "$dir/run/systemd/journald.conf.d"
  printf '[Journal]\nRuntimeMaxUse=32M\n' >"$dir/run/systemd/journald.conf.d/sdenv.conf"
  write_units "$dir"
  had_dev_log=$([ -e /dev/log ] && echo 1 || echo 0)
  release_agent=$(cat /sys/fs/cgroup/systemd/release_agent)
  manager_pid='' launcher_pid=''
  created=$(missing_ancestors "$cg" | while read -r p; do printf '%q ' "$p"; done)
  write_state "$dir"
  trap 'stop "$dir" || true' EXIT
  local h
  for h in "${hierarchies[@]}"; do
    mkdir -p "/sys/fs/cgroup/$h$cg"
  done
  (
    for h in "${hierarchies[@]}"; do
      echo "$BASHPID" >"/sys/fs/cgroup/$h$cg/cgroup.procs"
    done
    at=$(awk -F: '$2 == "name=systemd" { print $3 }' /proc/self/cgroup)
    if [ "$at" != "$cg" ] || [ "$at" = / ]; then
      echo "refusing to start: the manager would be in cgroup '$at', not '$cg'"
      exit 1
    fi
    exec unshare --pid --fork --mount-proc --mount --uts --propagation private -- \
      bash "$here/sdenv.sh" __ns_init "$dir"
  ) </dev/null >"$dir/log/launcher" 2>&1 &
  launcher_pid=$!
  write_state "$dir"
  if ! wait_ready "$dir"; then
    say "the manager did not come up; see $dir/log/launcher and $dir/log/console"
    tail -n 20 "$dir/log/launcher" "$dir/log/console" >&2 || true
    exit 1
  fi
  trap - EXIT
  write_state "$dir"
  print_env "$dir"
}

remove_tree() {
  local top=$1 i
  for i in $(seq 100); do
    [ -d "$top" ] || return 0
    find "$top" -depth -type d -exec rmdir {} + 2>/dev/null || true
    [ -d "$top" ] || return 0
    sleep 0.1
  done
  say "could not remove $top; still in it: $(tr '\n' ' ' <"$top/cgroup.procs" 2>/dev/null)"
  return 1
}

# True when the host still looks the way it must: checked after every stop.
host_intact() {
  local ok=0
  if grep -q init.scope /proc/1/cgroup; then
    say "HOST DAMAGE: /proc/1/cgroup mentions init.scope"; ok=1
  fi
  if awk '$2 == "/sys/fs/cgroup" && $4 ~ /(^|,)ro(,|$)/ { bad = 1 } END { exit !bad }' /proc/mounts; then
    say "HOST DAMAGE: /sys/fs/cgroup is mounted read-only"; ok=1
  fi
  if [ "$had_dev_log" = 0 ] && [ -e /dev/log ]; then
    say "HOST DAMAGE: /dev/log appeared"; ok=1
  fi
  if [ "$(cat /sys/fs/cgroup/systemd/release_agent)" != "$release_agent" ]; then
    say "HOST DAMAGE: the systemd hierarchy's release_agent changed"; ok=1
  fi
  return $ok
}

stop() {
  local dir
  dir=$(abs_dir "$1")
  [ -f "$dir/state" ] || die "$dir has no environment"
  # shellcheck disable=SC1091
  . "$dir/state"
  local rc=0 i s saved
  if [ -z "$manager_pid" ] && alive "$launcher_pid"; then
    manager_pid=$(find_manager) || true
  fi
  # Again every second: one sent before the manager installed its handlers is dropped.
  for i in $(seq 300); do
    alive "$launcher_pid" || break
    if [ $((i % 10)) = 1 ] && is_ns_init "$manager_pid" &&
       [ "$(cat "/proc/$manager_pid/comm" 2>/dev/null)" = systemd ]; then
      kill -s SIGRTMIN+4 "$manager_pid" 2>/dev/null || true
    fi
    sleep 0.1
  done
  if alive "$launcher_pid"; then
    say "the manager did not power off in 30 s; killing its namespace"
    if is_ns_init "$manager_pid"; then
      kill -KILL "$manager_pid"
    fi
    sleep 1
    rc=1
  fi
  for i in "${hierarchies[@]}"; do
    remove_tree "/sys/fs/cgroup/$i$cg" || rc=1
  done
  for i in /sys/fs/cgroup/*/; do
    [ -d "${i%/}$cg" ] && { remove_tree "${i%/}$cg" || rc=1; }
  done
  for ((i = ${#created[@]} - 1; i >= 0; i--)); do
    rmdir "${created[i]}" 2>/dev/null || true
  done
  for s in "${sysctls[@]}"; do
    saved=sysctl_${s//[.-]/_}
    if [ "$(sysctl -n "$s")" != "${!saved}" ]; then
      say "restoring $s=${!saved} (was $(sysctl -n "$s"))"
      sysctl -q -w "$s=${!saved}" || rc=1
    fi
  done
  host_intact || rc=1
  # kept after a failure, so that the next start on DIR tries again (and says why it cannot)
  [ $rc -ne 0 ] || rm -f "$dir/state"
  if [ $rc -eq 0 ] && [[ $dir == /tmp/bgw-sdenv.* ]]; then
    rm -rf -- "$dir"
    [ ! -L "${1%/}" ] || rm -f -- "${1%/}"
  fi
  return $rc
}

run() {
  local dir=$1
  shift
  [ "${1:-}" = -- ] && shift
  [ $# -gt 0 ] || die "run: no command"
  local rc=0 cmd given
  check_host
  start "$dir" >&2
  given=$dir
  dir=$(abs_dir "$dir")
  trap 'stop "$given" || true' EXIT
  # in the background so that a signal is handled now, not when CMD ends
  # shellcheck disable=SC1091
  ( . "$dir/env"; exec "$@" ) <&0 &
  cmd=$!
  trap 'kill -TERM "$cmd" 2>/dev/null; exit 143' INT TERM
  wait "$cmd" || rc=$?
  trap - EXIT
  stop "$given" || { [ $rc -ne 0 ] || rc=1; }
  exit $rc
}

case ${1:-} in
  start) start "${2:-}" ;;
  stop) stop "${2:-}" ;;
  run) dir=${2:-}; shift 2 || true; run "$dir" "$@" ;;
  __ns_init) ns_init "$2" ;;
  *) sed -n '2,12s/^# \{0,1\}//p' "$0" >&2; exit 2 ;;
esac
