#!/usr/bin/env bash
# The Debian package, end to end on this machine: built with dpkg-buildpackage from a copy of the
# source in a temp dir, judged by lintian (no error, no warning), installed with apt, the
# installed /usr/sbin/badgatewayd run (--version, --check-config, check), then purged: nothing
# it made may remain but the badgatewayd user (Debian leaves system users).
#
#   test_deb.sh SOURCE_DIR [SANITIZE]
#
# SANITIZE is the build tree's b_sanitize: the package is built from the source, not from the
# build tree, so it is tested once, from the plain build (77 otherwise). Needs root: it installs
# and purges the package. PID 1 need not be systemd: the postinst then starts nothing
# (deb-systemd-invoke is skipped without /run/systemd/system).
set -euo pipefail

die() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }
need() { command -v "$1" >/dev/null || skip "$1 is missing (package: $2)"; }

src=$(realpath -e "$1")
[ "${2:-none}" = none ] || skip "the package does not depend on this build tree; tested from the plain build"
[ "$(id -u)" -eq 0 ] || skip "needs root: it installs and purges the package"
need dpkg-buildpackage dpkg-dev
need dh debhelper
need fakeroot fakeroot
need lintian lintian
need apt-get apt
if dpkg-query -W -f='${Status}' badgatewayd 2>/dev/null | grep -qv 'not-installed'; then
  skip "a badgatewayd package is already on this machine: $(dpkg-query -W -f='${Status} ${Version}' badgatewayd)"
fi
[ ! -e /var/lib/badgatewayd ] || skip "/var/lib/badgatewayd exists already: not ours to purge"

tmp=$(mktemp -d /tmp/bgw-deb-XXXXXX)
made_state=
cleanup() {
  if dpkg-query -W -f='${Status}' badgatewayd 2>/dev/null | grep -qv 'not-installed'; then
    dpkg --purge badgatewayd >/dev/null 2>&1 || true
  fi
  [ -z "$made_state" ] || rm -rf /var/lib/badgatewayd
  rm -f /etc/badgatewayd/badgatewayd.conf.d/secrets.conf
  rm -rf -- "$tmp"
}
trap cleanup EXIT
apt_opts=(-y -q -o DPkg::Lock::Timeout=600 --no-install-recommends)
export DEBIAN_FRONTEND=noninteractive

# What carries the package's name on this machine, outside dpkg's and apt's own records.
leftovers() {
  find /etc /usr /var -xdev \( -path /var/lib/dpkg -o -path /var/cache -o -path /var/tmp \
    -o -path /var/log/apt \) -prune -o -name '*badgatewayd*' -print 2>/dev/null | sort
}

# 1. Build, from a copy without .git and build trees (any directory meson set up).
mkdir "$tmp/src"
for f in "$src"/* "$src"/.[!.]*; do
  [ -e "$f" ] || continue
  case $(basename "$f") in .git) continue ;; esac
  [ -d "$f/meson-private" ] && continue
  cp -a "$f" "$tmp/src/"
done
rm -rf "$tmp/src/debian/badgatewayd" "$tmp/src/debian/.debhelper" "$tmp/src"/obj-*
version=$(dpkg-parsechangelog -l "$tmp/src/debian/changelog" -S Version)
start=$(date +%s)
(cd "$tmp/src" && DEB_BUILD_OPTIONS="nocheck parallel=$(nproc)" \
  dpkg-buildpackage -us -uc -b -Pnocheck) >"$tmp/build.log" 2>&1 ||
  { tail -40 "$tmp/build.log"; die "dpkg-buildpackage failed"; }
deb=$(echo "$tmp"/badgatewayd_"$version"_*.deb)
[ -f "$deb" ] || die "no $tmp/badgatewayd_${version}_*.deb"
echo "built $(basename "$deb") in $(($(date +%s) - start))s"
# dh_shlibdeps scans the private module too: libcurl's and libmicrohttpd's packages stay in Depends.
depends=$(dpkg-deb -f "$deb" Depends)
for lib in libcurl4 libmicrohttpd12; do
  [[ ", $depends" == *", $lib "* ]] || die "Depends lacks $lib: $depends"
done
echo "Depends: $depends"

# 2. lintian: no error and no warning (info shown, not fatal).
if ! lintian --fail-on error,warning --display-info "$tmp"/badgatewayd_"$version"_*.changes >"$tmp/lintian" 2>&1; then
  cat "$tmp/lintian"
  die "lintian reports errors or warnings"
fi
grep -v '^running with root privileges' "$tmp/lintian" >"$tmp/tags" || true
echo "lintian: $(wc -l <"$tmp/tags") tags, none an error or a warning"
sed 's/^/  /' "$tmp/tags"

# 3. Install.
before=$(leftovers)
apt-get install "${apt_opts[@]}" "$deb" >"$tmp/install.log" 2>&1 ||
  { cat "$tmp/install.log"; die "apt-get install failed"; }
dpkg-query -W -f='${Status}\n' badgatewayd | grep -qx 'install ok installed' ||
  die "not installed: $(dpkg-query -W -f='${Status}' badgatewayd)"
echo "installed $version"

module=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)/badgatewayd/badgatewayd-net.so
for f in /usr/sbin/badgatewayd "$module" /lib/systemd/system/badgatewayd.service \
         /usr/lib/sysusers.d/badgatewayd.conf /usr/lib/systemd/catalog/badgatewayd.catalog \
         /etc/badgatewayd/badgatewayd.conf /etc/logrotate.d/badgatewayd \
         /usr/share/man/man8/badgatewayd.8.gz /usr/share/man/man5/badgatewayd.conf.5.gz \
         /usr/share/bash-completion/completions/badgatewayd; do
  dpkg -L badgatewayd | grep -qx "$f" || die "the package does not ship $f"
  [ -f "$f" ] || die "$f is not on disk"
done
conffiles=$(dpkg-query -W -f='${Conffiles}' badgatewayd)
for f in /etc/badgatewayd/badgatewayd.conf /etc/logrotate.d/badgatewayd; do
  grep -q "^ $f " <<<"$conffiles" || die "$f is not a conffile: $conffiles"
done
# the user, as systemd-sysusers made it in the postinst
getent passwd badgatewayd >/dev/null || die "no badgatewayd user"
groups=" $(id -nG badgatewayd) "
[[ $groups == *" adm "* && $groups == *" www-data "* ]] || die "badgatewayd is in:$groups"
echo "user: $(getent passwd badgatewayd), groups:$groups"
# enabled, as deb-systemd-helper does it whether or not systemd runs
link=/etc/systemd/system/multi-user.target.wants/badgatewayd.service
[ "$(readlink "$link")" = /lib/systemd/system/badgatewayd.service ] || die "not enabled: no $link"
if [ -d /run/systemd/system ]; then
  echo "systemd runs here: badgatewayd.service is $(systemctl is-active badgatewayd.service || true)"
else
  echo "enabled ($link); PID 1 is not systemd, so the postinst started nothing"
fi
# the catalog, indexed by systemd's dpkg trigger on /usr/lib/systemd/catalog
ids=$(grep -c '^-- [0-9a-f]\{32\}$' /usr/lib/systemd/catalog/badgatewayd.catalog)
indexed=$(journalctl --list-catalog | grep -c ' badgatewayd: ' || true)
[ "$ids" -gt 0 ] && [ "$indexed" -eq "$ids" ] || die "journalctl --list-catalog lists $indexed of $ids entries"
echo "catalog: $indexed entries in journalctl --list-catalog"
man -w 5 badgatewayd.conf >/dev/null || die "man -w 5 badgatewayd.conf finds nothing"
bash -c 'source /usr/share/bash-completion/completions/badgatewayd && complete -p badgatewayd' >/dev/null ||
  die "the installed bash completion does not register badgatewayd"
logrotate -d --state "$tmp/logrotate.state" /etc/logrotate.d/badgatewayd >"$tmp/logrotate" 2>&1 ||
  { cat "$tmp/logrotate"; die "logrotate rejects /etc/logrotate.d/badgatewayd"; }

# 4. The installed binary.
out=$(/usr/sbin/badgatewayd --version)
[ "$out" = "badgatewayd $version" ] || die "--version says '$out', the package is $version"
# The shipped config with what this machine's nginx and php-fpm configuration say.
set +e
/usr/sbin/badgatewayd check >"$tmp/check" 2>"$tmp/check.err"
rc=$?
set -e
echo "/usr/sbin/badgatewayd check: exit $rc: $(head -1 "$tmp/check")"
words=(OK WARNING CRITICAL UNKNOWN)
[ "$rc" -le 3 ] || die "check exited $rc"
grep -q "^BADGATEWAY ${words[$rc]} - " <(head -1 "$tmp/check") || die "check's first line does not say ${words[$rc]}"
# A pool nobody serves: CRITICAL, fpm_down, whatever the machine runs.
printf '[Pool gone]\nListen = %s/gone.sock\n' "$tmp" >"$tmp/gone.conf"
set +e
/usr/sbin/badgatewayd check --config "$tmp/gone.conf" >"$tmp/check" 2>&1
rc=$?
set -e
echo "/usr/sbin/badgatewayd check --config gone.conf: exit $rc: $(head -1 "$tmp/check")"
[ "$rc" -eq 2 ] && grep -q '^BADGATEWAY CRITICAL - ' "$tmp/check" && grep -q 'fpm_down gone: ' "$tmp/check" ||
  die "check of a pool nobody serves: exit $rc, $(cat "$tmp/check")"
# [Alertmanager] and [Metrics] Listen=: the installed daemon loads its module, which checks the URL.
printf '[Alertmanager]\nURL = http://127.0.0.1:9093\n[Metrics]\nListen = 127.0.0.1:0\n' >>"$tmp/gone.conf"
/usr/sbin/badgatewayd --check-config --config "$tmp/gone.conf" >"$tmp/check" 2>&1 ||
  die "--check-config with [Alertmanager] and [Metrics]: $(cat "$tmp/check")"
echo "/usr/sbin/badgatewayd --check-config with [Alertmanager] and [Metrics]: $(cat "$tmp/check") ($module)"

# Credentials in a drop-in that only root and the badgatewayd group read (badgatewayd.conf(5)):
# the daemon's user (the unit's User=/Group=) reads it, another user is refused, and no message
# shows the password.
dropins=/etc/badgatewayd/badgatewayd.conf.d
[ -d "$dropins" ] || die "the package does not ship $dropins"
secrets=$dropins/secrets.conf
install -m 0640 -o root -g badgatewayd /dev/null "$secrets"
printf '[Alertmanager]\nURL = http://alice:s3cret@127.0.0.1:9093\n' >"$secrets"
as_daemon=(setpriv --reuid=badgatewayd --regid=badgatewayd --init-groups /usr/sbin/badgatewayd --check-config)
out=$("${as_daemon[@]}" 2>&1) || die "the badgatewayd user cannot use $secrets: $out"
echo "secrets.conf $(stat -c '%a %U:%G' "$secrets"), as user badgatewayd: $out"
if out=$(setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/sbin/badgatewayd --check-config 2>&1); then
  die "user nobody read $secrets: $out"
fi
[[ $out == *"$secrets: Permission denied"* ]] || die "user nobody: $out"
printf '[Alertmanager]\nURL = http://alice:s3cret@127.0.0.1:/\n' >"$secrets"
out=$("${as_daemon[@]}" 2>&1) && die "a URL with no port accepted: $out"
[[ $out == *"'http://alice:***@127.0.0.1:/'"* && $out != *s3cret* ]] || die "the error shows: $out"
echo "its error: $out"
rm -f "$secrets"

# The state systemd's StateDirectory= makes when the unit starts (which it cannot here): purge
# must remove it.
if [ ! -d /var/lib/badgatewayd ]; then
  made_state=1
  install -d -o badgatewayd -g badgatewayd -m 0700 /var/lib/badgatewayd
  echo '{}' >/var/lib/badgatewayd/state.json
fi

# 5. Purge.
apt-get purge "${apt_opts[@]}" badgatewayd >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; die "apt-get purge failed"; }
status=$(dpkg-query -W -f='${Status}' badgatewayd 2>/dev/null || true)
[ -z "$status" ] || [[ $status == *not-installed ]] || die "after purge: $status"
[ ! -e /var/lib/badgatewayd ] || die "purge left /var/lib/badgatewayd"
made_state=
after=$(leftovers)
new=$(comm -13 <(echo "$before") <(echo "$after"))
[ -z "$new" ] || die "purge left:"$'\n'"$new"
indexed=$(journalctl --list-catalog | grep -c ' badgatewayd: ' || true)
[ "$indexed" -eq 0 ] || die "the catalog still lists $indexed badgatewayd entries"
getent passwd badgatewayd >/dev/null || die "the badgatewayd user went too (Debian keeps system users)"
echo "purged: no file left, catalog clean; user badgatewayd kept, as Debian keeps system users"
