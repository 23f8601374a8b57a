#!/usr/bin/env bash
# Quick start, first command: install what is needed, build, and watch badgatewayd name the
# four classic causes of a 502 live, on a throwaway nginx and php-fpm under a temp dir.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh --demo
[ -d build/meson-private ] || meson setup build >/dev/null
ninja -C build >/dev/null

bash scripts/demo-live.sh

cat <<'TXT'

On your own host:
  ./build/daemon/badgatewayd check                  one round of checks (Nagios exit codes)
  ./build/daemon/badgatewayd scan /var/log/nginx/error.log* /var/log/php*-fpm.log*
  the daemon, alerts in the journal (README's "From source, with meson"):
    meson setup build-install --prefix=/usr --sysconfdir=/etc --localstatedir=/var
    ninja -C build-install && meson install -C build-install
    systemd-sysusers && journalctl --update-catalog
    systemctl daemon-reload && systemctl enable --now badgatewayd
TXT
