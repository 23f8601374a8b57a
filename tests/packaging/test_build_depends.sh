#!/usr/bin/env bash
# debian/control's Build-Depends names every library package scripts/deps.sh installs to build
# (a library added to one list and not the other builds here and fails on a clean buildd).
#   test_build_depends.sh SOURCE_DIR
set -euo pipefail
src=$1
# the toolchain is in build-essential, which dpkg-buildpackage assumes
toolchain=" gcc libc6-dev "
build=$(bash "$src/scripts/deps.sh" --build-list)
control=$(sed -n '/^Build-Depends:/,/^[A-Z]/p' "$src/debian/control" | sed 's/^Build-Depends://; s/<[^>]*>//g; s/([^)]*)//g' |
          tr ',' '\n' | sed 's/^[[:space:]]*//; s/[[:space:]]*$//' | grep -v '^[A-Z]' | grep -v '^$')
missing=0
for p in $build; do
  [[ $toolchain == *" $p "* ]] && continue
  if ! grep -qx "$p" <<<"$control"; then
    echo "FAIL: scripts/deps.sh builds with $p, debian/control's Build-Depends lacks it"
    missing=1
  fi
done
[ "$missing" -eq 0 ] && echo "ok: every build package of scripts/deps.sh is in Build-Depends"
exit "$missing"
