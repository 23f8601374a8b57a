# shellcheck shell=bash
# Sourced by the tests sdenv.sh runs (SDENV_BIN, SDENV_DIR set): its systemctl and journalctl,
# a poll, and badgatewayd.service made from the shipped unit for sdenv's manager.
#   source "$(dirname "${BASH_SOURCE[0]}")/sdtest.sh"

sc() { "$SDENV_BIN/systemctl" --no-pager "$@"; }
jc() { "$SDENV_BIN/journalctl" --no-pager "$@"; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# wait_for SECONDS CMD...: polls CMD every 100 ms until it succeeds; fails after SECONDS.
wait_for() {
  local end=$(($(now_ms) + $1 * 1000))
  shift
  until "$@"; do
    [ "$(now_ms)" -lt "$end" ] || return 1
    sleep 0.1
  done
}

# install_bgw_unit UNIT_IN DIR BADGATEWAYD [KEY=VALUE...]: copies BADGATEWAYD to DIR/badgatewayd
# (ProtectHome=yes hides a checkout in /root) and writes $SDENV_DIR/units/badgatewayd.service from
# UNIT_IN (systemd/badgatewayd.service.in): ExecStart=DIR/badgatewayd run --config
# DIR/badgatewayd.conf --journal --state-dir DIR/state, WorkingDirectory=DIR, LimitCORE=0, and
# without StateDirectory, LogsDirectory, User, Group, PrivateTmp, PrivateDevices (sdenv's manager
# has no such user, and its /tmp and /dev are the test's). Each KEY=VALUE replaces the unit's
# KEY= line, or is added to [Service] when it has none. Fails when the copy fails.
install_bgw_unit() {
  local unit_in=$1 dir=$2 kv
  local add="LimitCORE=0\nWorkingDirectory=$dir"
  local edits=(-e "s|^ExecStart=.*|ExecStart=$dir/badgatewayd run --config $dir/badgatewayd.conf --journal --state-dir $dir/state|"
               -e '/^StateDirectory/d' -e '/^LogsDirectory/d'
               -e '/^User=/d' -e '/^Group=/d' -e '/^PrivateTmp=/d' -e '/^PrivateDevices=/d')
  install -m 0755 "$3" "$dir/badgatewayd" || return 1
  shift 3
  for kv in "$@"; do
    if grep -q "^${kv%%=*}=" "$unit_in"; then edits+=(-e "s|^${kv%%=*}=.*|$kv|")
    else add+="\n$kv"
    fi
  done
  sed "${edits[@]}" -e "/^\[Service\]/a $add" "$unit_in" >"$SDENV_DIR/units/badgatewayd.service"
}
