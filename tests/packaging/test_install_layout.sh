#!/usr/bin/env bash
# `meson install` of this build into a temporary DESTDIR: the config lands where the installed
# daemon reads it by default (DEFAULT_CONFIG from sysconfdir), the unit runs the installed binary,
# and README's "From source" command asks for the prefix whose paths README gives.
#
#   test_install_layout.sh BUILD_DIR SOURCE_DIR
set -euo pipefail

die() { echo "FAIL: $*" >&2; exit 1; }
build=$1
src=$2
tmp=$(mktemp -d /tmp/bgw-install-XXXXXX)
trap 'rm -rf -- "$tmp"' EXIT

meson install -C "$build" --no-rebuild --quiet --destdir "$tmp" >"$tmp.log" 2>&1 ||
  { cat "$tmp.log"; rm -f "$tmp.log"; die "meson install failed"; }
rm -f "$tmp.log"
find "$tmp" -type f | sed "s|^$tmp||" | sort

conf=$(cd "$tmp" && find . -path '*/badgatewayd/badgatewayd.conf' -type f | sed 's|^\.||')
[ -n "$conf" ] || die "no badgatewayd.conf installed"
bin=$(cd "$tmp" && find . -name badgatewayd -type f -perm -u+x | sed 's|^\.||')
[ -n "$bin" ] || die "no badgatewayd binary installed"
reads=$("$tmp$bin" check --help 2>&1 | sed -n 's|.*read FILE instead of ||p')
echo "installed $conf; the daemon reads $reads"
[ "$reads" = "$conf" ] || die "the config is installed as $conf but the daemon reads $reads"
unit=$(find "$tmp" -name badgatewayd.service -type f)
grep -qx "ExecStart=$bin run" "$unit" || die "$unit does not run $bin: $(grep '^ExecStart' "$unit")"

# README's command, configured as it is written, gives the paths README names.
setup=$(grep -m1 '^meson setup build-install ' "$src/README.md") || die "README has no 'meson setup build-install'"
for opt in --prefix=/usr --sysconfdir=/etc --localstatedir=/var; do
  [[ " $setup " == *" $opt "* ]] || die "README's '$setup' lacks $opt"
done
grep -q 'puts the binary in `/usr/sbin`' "$src/README.md" || die "README no longer says where the binary goes"

# libcurl and libmicrohttpd are badgatewayd-net.so's, which the installed daemon loads from its
# installed place under the same root (here the DESTDIR) only when the configuration needs HTTP.
module=$(cd "$tmp" && find . -path '*/badgatewayd/badgatewayd-net.so' -type f | sed 's|^\.||')
[ -n "$module" ] || die "no badgatewayd-net.so installed"
! ldd "$tmp$bin" | grep -E 'libcurl|libmicrohttpd' || die "$bin links libcurl or libmicrohttpd itself"
ldd "$tmp$module" | grep -q libcurl || die "$module does not link libcurl"
printf '[Pool www]\nListen = %s/php.sock\n[Alertmanager]\nURL = http://127.0.0.1:9093\n' "$tmp" >"$tmp/am.conf"
printf '[Pool www]\nListen = %s/php.sock\n[Alertmanager]\nURL = http://127.0.0.1:99999\n' "$tmp" >"$tmp/bad.conf"
printf '[Pool www]\nListen = %s/php.sock\n' "$tmp" >"$tmp/plain.conf"
"$tmp$bin" --check-config --config "$tmp/am.conf" >/dev/null || die "$bin --check-config of [Alertmanager] failed"
set +e
out=$("$tmp$bin" --check-config --config "$tmp/bad.conf" 2>&1)
rc=$?
set -e
[ "$rc" -eq 78 ] && [[ $out == *"bad.conf:4: URL: 'http://127.0.0.1:99999' is not an http:// or https:// URL: Port number"* ]] ||
  die "the module's URL check: exit $rc: $out"
echo "installed $module; the installed daemon loads it for [Alertmanager] and checks URLs with it"
# Without it: what needs no HTTP still runs; [Alertmanager] is a config error that says why.
rm "$tmp$module"
"$tmp$bin" --check-config --config "$tmp/plain.conf" >/dev/null || die "--check-config without the module failed"
set +e
out=$("$tmp$bin" --check-config --config "$tmp/am.conf" 2>&1)
rc=$?
set -e
want="am.conf:4: cannot load $tmp$module: cannot open shared object file: No such file or directory; [Alertmanager] needs it"
[ "$rc" -eq 78 ] && [[ $out == *"$want" ]] || die "without the module: exit $rc: '$out', not '...$want'"
echo "without it: $out"
# The live demo's closing hint installs with README's command, not meson's /usr/local default
# (whose daemon reads /usr/local/etc).
grep -qxF -- "    $setup" "$src/scripts/demo.sh" || die "scripts/demo.sh's install hint lacks README's '$setup'"
if grep -q 'meson install -C build ' "$src/scripts/demo.sh"; then die "scripts/demo.sh installs the default-prefix build"; fi
# README's catalog copy names the file a build makes (build/systemd/badgatewayd.catalog).
catalog=$(sed -n 's|^cp \([^ ]*badgatewayd\.catalog\) .*|\1|p' "$src/README.md")
[ -n "$catalog" ] || die "README copies no badgatewayd.catalog"
[ "${catalog%%/*}" = build ] && [ -f "$build/${catalog#build/}" ] || die "README copies $catalog: no such file in a build"
echo "demo hint: $setup; README's catalog: $catalog"
