#!/usr/bin/env bash
# Latency to the journal: a failure line appended to a log the daemon follows -> its alert
# readable from the journal, under tests/systemd/sdenv.sh's systemd manager and its real
# journald; beside a baseline through the same journald and the same reader.
#   bench/latency_journal.sh [BUILD_DIR]        (needs root: sdenv.sh runs a manager in namespaces)
# Env: EVENTS (default 200), TAIL_EVENTS (default 20, the journalctl -f run).
#
# badgatewayd runs as a unit (`run --journal`), ResolveAfter = 20ms as in latency.sh: each line
# fires an alert, the driver (`follow latency`) waits for its "resolved" entry before the next
# line. The time is from just before write(2) to the moment the reader's line for the entry is
# read. Readers, inside the manager's namespaces:
# - bench/journal_reader (sd_journal, polling every 200 µs): when the entry became readable.
# - `journalctl -f -o json`, TAIL_EVENTS times: what someone following the journal sees; it
#   wakes on journald's change notification, which journald sends at most every 250 ms or so.
# Baseline: bench/inotify_reader following the same log with its stdout on a journal stream
# (systemd-cat -t bgw-bench-base), read by the same journal_reader: a minimal follower's path
# through the same journald.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
events=${EVENTS:-200}
tail_events=${TAIL_EVENTS:-20}     # journalctl -f: about 0.5 s each

if [[ $(id -u) -ne 0 ]]; then
        echo "latency (journal): skipped: needs root (tests/systemd/sdenv.sh runs a systemd manager and journald in namespaces)"
        exit 0
fi
sd=$tmp/sd
bench_cleanup() {
        [[ -f $sd/state ]] && bash "$src/tests/systemd/sdenv.sh" stop "$sd" >/dev/null 2>&1
        cleanup
}
trap bench_cleanup EXIT
rc=0
out=$(bash "$src/tests/systemd/sdenv.sh" start "$sd" 2>"$tmp/sdenv.err") || rc=$?
if ((rc == 77)); then
        echo "latency (journal): skipped: ${out#SKIP: }"
        exit 0
elif ((rc != 0)); then
        echo "latency (journal): sdenv.sh start failed ($rc): $(tail -n 3 "$tmp/sdenv.err")"
        exit 1
fi
source "$sd/env"

log=$tmp/error.log
: >"$log"
write_config "$tmp/bgw.conf" "$log" "ResolveAfter = 20ms" "SummaryInterval = 1h"
printf '[Service]\nExecStart=%s run --config %s --state-dir %s --journal\n' \
        "$bgw" "$tmp/bgw.conf" "$tmp/state" >"$sd/units/bgw-bench.service"
"$SDENV_BIN/systemctl" daemon-reload
"$SDENV_BIN/systemctl" start bgw-bench.service
for _ in $(seq 100); do
        "$SDENV_BIN/journalctl" -u bgw-bench.service -o cat | grep -q 'started: ' && break
        sleep 0.1
done
"$SDENV_BIN/journalctl" -u bgw-bench.service -o cat | grep -q 'started: ' ||
        { echo "latency (journal): the daemon did not start: $("$SDENV_BIN/journalctl" -u bgw-bench.service -o cat | tail -n 3)"; exit 1; }

# The command `follow` drives: READER ARG... on stdout inside the manager's namespaces (the
# journal is in its /run; journalctl -f watches it through /proc/self, the namespace's own), with
# FOLLOWER on a journal stream when given; "started" on stderr once they run. nsenter does not pass
# SIGTERM on: they are ended by their pid in there.
cat >"$tmp/reader.sh" <<'EOF'
#!/usr/bin/env bash
# reader.sh IDENTIFIER READER [FOLLOWER ARG...]   (READER: poll or journalctl)
id=$1 reader=$2
shift 2
in_ns() { # NAME CMD...: CMD in the namespaces, its pid there in $TMP_DIR/NAME.pid
        "$SDENV_BIN/nsrun" sh -c 'echo $$ >"$0"; exec "$@"' "$TMP_DIR/$1.pid" "${@:2}"
}
names=()
if (($#)); then
        in_ns follower systemd-cat -t "$id" "$@" &
        names+=("$TMP_DIR/follower.pid")
fi
if [[ $reader = poll ]]; then
        in_ns reader "$JOURNAL_READER" "$id" &
else
        in_ns reader journalctl -f -n 0 -o json "SYSLOG_IDENTIFIER=$id" &
fi
names+=("$TMP_DIR/reader.pid")
trap '"$SDENV_BIN/nsrun" kill $(cat "${names[@]}") 2>/dev/null; wait 2>/dev/null; exit 0' TERM
sleep 1         # the reader has opened the journal and waits for entries
echo started >&2
exec 2>/dev/null        # no "Terminated" for the readers ended at the end
wait
EOF
chmod +x "$tmp/reader.sh"
export TMP_DIR=$tmp JOURNAL_READER=$journal_reader

machine
"$follow" latency -n "$events" -w 'BADGATEWAY_STATE=resolved' -l "badgatewayd -> journal" "$log" -- \
        "$tmp/reader.sh" badgatewayd poll | tee "$tmp/daemon.out"
"$follow" latency -n "$events" -l "inotify_reader | systemd-cat -> journal (baseline)" "$log" -- \
        "$tmp/reader.sh" bgw-bench-base poll "$inotify_reader" "$log" | tee "$tmp/base.out"
"$follow" latency -n "$tail_events" -w '"BADGATEWAY_STATE":"resolved"' -l "badgatewayd -> journalctl -f" "$log" -- \
        "$tmp/reader.sh" badgatewayd journalctl | tee "$tmp/tail.out"
"$SDENV_BIN/systemctl" stop bgw-bench.service
