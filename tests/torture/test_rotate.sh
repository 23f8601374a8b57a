#!/usr/bin/env bash
# Rotation torture: a log rotated CYCLES times by the real logrotate while lines come at RATE
# lines/s; the lines the daemon's JSON alerts count beside the lines written and the lines the
# log and its rotated files hold at the end.
#   test_rotate.sh KIND [--cycles N] [--rate LINES_PER_S] [--interval SECONDS]
# KIND: create | copytruncate | compress (compress + delaycompress) | dateext | nginx_reopen
# (a real nginx writing its own error log, one line per request to a missing upstream, reopened
# by `nginx -s reopen` from logrotate's postrotate). The suite runs a few dozen cycles; the long
# run: BADGATEWAYD=build/daemon/badgatewayd NUMWRITER=build/tests/torture/numwriter \
#   bash tests/torture/test_rotate.sh create --cycles 300
# Passes when lost = 0 and duplicated = 0; for copytruncate the lines lost are those logrotate
# itself loses between its copy and its truncate, and the ones the daemon says it lost (bytes).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../webstack.sh"
kind=${1:?KIND}
shift
cycles=40 rate=5000 interval=0.05
[ "$kind" = dateext ] && cycles=6 interval=1.05   # dateformat's finest unit is the second
while [ $# -gt 0 ]; do
        case $1 in
        --cycles) cycles=$2; shift 2 ;;
        --rate) rate=$2; shift 2 ;;
        --interval) interval=$2; shift 2 ;;
        *) echo "unknown option $1"; exit 2 ;;
        esac
done
command -v logrotate >/dev/null || skip "logrotate is not installed (scripts/deps.sh installs it)"
command -v jq >/dev/null || skip "jq is not installed"
log=$dir/error.log
nginx_pid=
writer_pid=

# The writer: numwriter, or nginx and curl asking it for pages whose upstream is missing.
start_writer() {
        if [ "$kind" = nginx_reopen ]; then
                [ "$(id -u)" -eq 0 ] || skip "nginx_reopen runs nginx as root"
                command -v curl >/dev/null || skip "curl is not installed"
                local port
                port=$(free_port) || { bad "no free port"; exit 1; }
                write_nginx_conf "$dir" "$port" "$log error" \
                        "location / { include /etc/nginx/fastcgi_params; fastcgi_pass ${upstream}; }"
                /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" 2>>"$dir/nginx.stderr" &
                nginx_pid=$!
                pids+=("$nginx_pid")
                wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$port/ready" ||
                        { bad "nginx did not start"; cat "$dir/nginx.stderr"; exit 1; }
                # curl's URL globbing: one request after the other on one connection, until killed
                curl -s -o /dev/null "http://127.0.0.1:$port/n/[1-100000000]" &
        else
                "$numwriter" -r "$rate" -n $((rate * 1000000)) -d "$dir/written" "$log" >/dev/null &
        fi
        writer_pid=$!
        pids+=("$writer_pid")
}

write_logrotate_conf() {
        local post
        case $kind in
        nginx_reopen) post="/usr/sbin/nginx -p $dir -c $dir/nginx.conf -s reopen 2>>$dir/nginx.stderr" ;;
        copytruncate) post= ;;
        *) post="kill -USR1 $writer_pid" ;;
        esac
        {
                echo "$log {"
                echo "    rotate $((cycles + 10))"
                echo "    missingok"
                echo "    nomail"
                case $kind in
                create | nginx_reopen) echo "    create 0644" ;;
                copytruncate) echo "    copytruncate" ;;
                compress) printf '    create 0644\n    compress\n    delaycompress\n' ;;
                dateext) printf '    create 0644\n    dateext\n    dateformat -%%Y%%m%%d-%%H%%M%%S\n' ;;
                *) echo "unknown kind $kind" >&2; exit 2 ;;
                esac
                if [ -n "$post" ]; then
                        printf '    postrotate\n        %s\n    endscript\n' "$post"
                fi
                echo "}"
        } >"$dir/logrotate.conf"
}

# The lines the log and its rotated files hold now (.gz read through zcat).
lines_in_files() {
        local f n=0
        for f in "$log" "$log".* "$log"-*; do
                [ -f "$f" ] || continue
                case $f in
                *.gz) n=$((n + $(zcat "$f" | wc -l))) ;;
                *) n=$((n + $(wc -l <"$f"))) ;;
                esac
        done
        echo "$n"
}

: >"$log"
write_conf "$dir/bgw.conf" "$log"
start_daemon bgw
start_writer
write_logrotate_conf
rot_fail=0
for ((i = 1; i <= cycles; i++)); do
        sleep "$interval"
        logrotate -f -s "$dir/logrotate.state" "$dir/logrotate.conf" 2>>"$dir/logrotate.err" || rot_fail=$((rot_fail + 1))
done
sleep "$interval"
kill "$writer_pid"
wait "$writer_pid" 2>/dev/null
if [ "$kind" = nginx_reopen ]; then
        sleep 0.5       # nginx's last lines of the requests in flight
        files=$(lines_in_files)
        written=$files  # nginx writes its log itself: the files hold every line it wrote
else
        wait_for 5 test -f "$dir/written" || bad "numwriter did not say what it wrote"
        written=$(awk '{print $2}' "$dir/written")
        files=$(lines_in_files)
fi
# everything read once the finding resolves (no line for ResolveAfter)
wait_for 30 has_resolved "$dir/bgw.json" || bad "no resolved alert for $upstream"
stop_daemon
read_alerts=$(lines_read "$dir/bgw.json")
read_said=$(sed -n 's/.*stopped: \([0-9]*\) lines read.*/\1/p' "$dir/bgw.err")
lost_bytes=$(sed -n 's/.*(\([0-9]*\) bytes lost).*/\1/p' "$dir/bgw.err" | awk '{s += $1} END {print s + 0}')
rotated=$(ls "$log".* "$log"-* 2>/dev/null | wc -l)
lost=$((written > read_alerts ? written - read_alerts : 0))
dup=$((read_alerts > written ? read_alerts - written : 0))
echo "rotate $kind: $cycles cycles ($rot_fail logrotate failures, $rotated rotated files), written $written, in the files $files, read (JSON alerts) $read_alerts, read (said at stop) ${read_said:-?}, lost $lost, duplicated $dup, bytes the daemon said lost $lost_bytes"
valid_json "$dir/bgw.json"
[ "$daemon_rc" -eq 0 ] || bad "the daemon exited $daemon_rc"
[ "$rot_fail" -eq 0 ] || { bad "logrotate failed $rot_fail times"; tail -5 "$dir/logrotate.err"; }
[ "$rotated" -ge "$cycles" ] || bad "$rotated rotated files for $cycles cycles"
[ "${read_said:-x}" = "$read_alerts" ] || bad "the alerts count $read_alerts lines, the daemon said ${read_said:-nothing} at its stop"
[ "$written" -ge $((cycles * 10)) ] || bad "only $written lines written"
[ "$dup" -eq 0 ] || bad "$dup lines duplicated"
if [ "$kind" = copytruncate ]; then
        window=$((written - files))
        echo "copytruncate: logrotate's own window (written, not in the files) $window lines"
        # the daemon may miss only what logrotate itself loses (written after its copy, truncated
        # before the daemon read it); each truncation said
        truncs=$(grep -c "truncated" "$dir/bgw.err")
        echo "copytruncate: truncations the daemon said $truncs"
        [ "$lost" -le "$window" ] || bad "$lost lines lost, more than logrotate's window of $window"
        [ "$truncs" -ge "$cycles" ] || bad "$truncs truncations said for $cycles cycles"
else
        [ "$files" -eq "$written" ] || bad "the files hold $files lines, $written written"
        [ "$lost" -eq 0 ] || bad "$lost lines lost"
        [ "$lost_bytes" -eq 0 ] || bad "the daemon said $lost_bytes bytes lost"
fi
if ((fail)); then
        echo "--- daemon's stderr"; tail -20 "$dir/bgw.err"
fi
exit $fail
