#!/usr/bin/env bash
# completion/badgatewayd.bash: sourced into bash, asked as readline would ask it (COMP_WORDS,
# COMP_CWORD) for a few prefixes; every command and --option that `badgatewayd --help` and
# `badgatewayd COMMAND --help` print is offered.
#
#   test_completion.sh COMPLETION BADGATEWAYD
set -euo pipefail

die() { echo "FAIL: $*" >&2; exit 1; }
file=$1 bin=$2
tmp=$(mktemp -d /tmp/bgw-completion-XXXXXX)
trap 'rm -rf -- "$tmp"' EXIT

# shellcheck source=/dev/null
source "$file"
complete -p badgatewayd | grep -q -- '-F _badgatewayd badgatewayd$' || die "complete -p: $(complete -p badgatewayd)"

# comp WORD... : the completions for the last word, sorted, one per line
comp() {
  COMP_WORDS=(badgatewayd "$@")
  COMP_CWORD=$#
  COMP_LINE="badgatewayd $*"
  COMP_POINT=${#COMP_LINE}
  COMPREPLY=()
  _badgatewayd badgatewayd "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
  [ ${#COMPREPLY[@]} -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}" | sort
}

expect() {
  local want=$1 got
  shift
  got=$(comp "$@" | tr '\n' ' ')
  got=${got% }
  [ "$got" = "$want" ] || die "badgatewayd $* <TAB>: got '$got', want '$want'"
  echo "badgatewayd $* <TAB> -> $got"
}

mkdir "$tmp/etc" "$tmp/logs"
touch "$tmp/etc/badgatewayd.conf" "$tmp/logs/error.log"

expect 'check discover run scan' ''
expect 'check' ch
expect 'scan' s
expect '--check-config --help --version' --
expect '--journal --jsonl' run --j
expect '--state-dir --stdout' run --st
expect '--json' check --js
expect '--since' check --si
expect '--root' discover --r
expect "$tmp/etc/badgatewayd.conf" check --config "$tmp/etc/b"
expect "$tmp/etc/badgatewayd.conf" --check-config --config "$tmp/etc/"
expect "$tmp/etc/badgatewayd.conf" check --config = "$tmp/etc/b"
expect "$tmp/etc" run --state-dir "$tmp/e"
expect "$tmp/logs/error.log" scan "$tmp/logs/e"
expect '--journal' scan --jo
expect "$tmp/logs" scan --directory "$tmp/l"
expect "$tmp/logs/error.log" scan --file "$tmp/logs/e"
expect '' check --timeout ''
comp scan - | grep -qx -- - || die "badgatewayd scan - <TAB>: '-' (standard input) is not offered"
echo "badgatewayd scan - <TAB> offers - (standard input)"

# Drift: what the binary's own help names must be offered.
for cmd in $("$bin" --help | awk '/^commands:/ {on = 1; next} on && /^  [a-z]/ {print $1}'); do
  offered=$(comp "${cmd:0:2}")
  grep -qx -- "$cmd" <<<"$offered" || die "command $cmd (badgatewayd --help) is not completed"
  # the usage line's [--option] and each option line's --option, not --words in the prose
  for opt in $("$bin" "$cmd" --help | grep -oE -- '^usage: .*|^ +(-[A-Za-z], )?--[a-z][a-z-]*' |
               grep -oE -- '(\[| )--[a-z][a-z-]*' | tr -d '[ ' | sort -u); do
    comp "$cmd" -- | grep -qx -- "$opt" || die "badgatewayd $cmd --help names $opt; the completion lacks it"
  done
done
# --check-config is an option-command: its own --help's options too
for opt in $("$bin" --check-config --help | grep -oE -- '^usage: .*|^ +(-[A-Za-z], )?--[a-z][a-z-]*' |
             grep -oE -- '(\[| )--[a-z][a-z-]*' | tr -d '[ ' | sort -u); do
  [ "$opt" = --check-config ] && continue
  comp --check-config -- | grep -qx -- "$opt" || die "badgatewayd --check-config --help names $opt; the completion lacks it"
done
echo "every command and option of badgatewayd --help is completed"
