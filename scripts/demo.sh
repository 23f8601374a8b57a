#!/usr/bin/env bash
# Quick start, first command: install what the build needs, build, and show what badgatewayd
# makes of real nginx and php-fpm logs (examples/, recorded while breaking both on purpose).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/deps.sh --build-only
[ -d build/meson-private ] || meson setup build >/dev/null
ninja -C build >/dev/null

echo "\$ badgatewayd scan examples/nginx-error.log examples/php8.2-fpm.log.gz"
./build/daemon/badgatewayd scan examples/nginx-error.log examples/php8.2-fpm.log.gz
echo
echo "Try it on your own logs:  ./build/daemon/badgatewayd scan /var/log/nginx/error.log* /var/log/php*-fpm.log*"
echo "One JSON object per failure:  ./build/daemon/badgatewayd scan --json --since 2h /var/log/nginx/error.log"
