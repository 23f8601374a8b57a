#!/usr/bin/env bash
# The man pages render without a groff or man warning at 80 columns, start each FILES path with
# .TP, have an EXAMPLES section, and every configuration shown in badgatewayd.conf(5)'s EXAMPLES
# passes --check-config.
#
#   test_man.sh BADGATEWAYD PAGE...
set -euo pipefail

die() { echo "FAIL: $*" >&2; exit 1; }
command -v man >/dev/null || { echo "SKIP: man is missing (package: man-db)"; exit 77; }
command -v groff >/dev/null || { echo "SKIP: groff is missing (package: groff-base)"; exit 77; }

bin=$1
shift
tmp=$(mktemp -d /tmp/bgw-man-XXXXXX)
trap 'rm -rf -- "$tmp"' EXIT

# Each .EX block of the page's EXAMPLES that starts with a [Section] line, one file each.
examples() {
  awk -v dir="$tmp" '
    /^\.SH / { in_ex = ($0 == ".SH EXAMPLES") }
    in_ex && /^\.EX$/ { n++; keep = 0; first = 1; next }
    in_ex && /^\.EE$/ { first = 0; keep = 0; next }
    in_ex && first { keep = /^\[/; first = 0 }
    keep { f = dir "/example" n ".conf"; gsub(/\\-/, "-"); print > f }' "$1"
}

for page in "$@"; do
  name=$(basename "$page")
  # man-db's own check, as lintian runs it, and groff's with every warning on
  MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$page" >/dev/null 2>"$tmp/man.err"
  [ ! -s "$tmp/man.err" ] || die "$name: man --warnings at 80 columns: $(cat "$tmp/man.err")"
  groff -t -man -ww -z -Tutf8 -rLL=80n "$page" 2>"$tmp/groff.err"
  [ ! -s "$tmp/groff.err" ] || die "$name: groff -ww: $(cat "$tmp/groff.err")"
  # no line wider than 80 columns either (a no-fill .EX line is not warned about)
  MANWIDTH=80 man -E UTF-8 -l "$page" 2>/dev/null | col -bx >"$tmp/text"
  wide=$(awk 'length($0) > 80' "$tmp/text")
  [ -z "$wide" ] || die "$name: lines wider than 80 columns:"$'\n'"$wide"
  # each path of FILES starts its own .TP entry, not the end of the paragraph before
  loose=$(awk '/^\.SH /{ files = ($0 == ".SH FILES") } files && /^\.I \// && prev != ".TP" { print NR ": " $0 } { prev = $0 }' "$page")
  [ -z "$loose" ] || die "$name: a FILES path without .TP before it: $loose"
  grep -q '^\.SH EXAMPLES$' "$page" || die "$name has no EXAMPLES section"
  grep -q '^EXAMPLES$' "$tmp/text" || die "$name: EXAMPLES does not render"
  echo "$name: $(wc -l <"$tmp/text") lines at 80 columns, no warnings"
done

n=0
for page in "$@"; do
  case $page in *.conf.5) ;; *) continue ;; esac
  rm -f "$tmp"/example*.conf
  examples "$page"
  for conf in "$tmp"/example*.conf; do
    [ -e "$conf" ] || continue
    n=$((n + 1))
    out=$("$bin" --check-config --config "$conf" 2>&1) ||
      die "$(basename "$page")'s example is refused:"$'\n'"$(cat "$conf")"$'\n'"$out"
  done
done
[ "$n" -gt 0 ] || die "no configuration among the pages' EXAMPLES"
echo "$n example configurations pass --check-config"
