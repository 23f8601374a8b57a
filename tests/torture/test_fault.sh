#!/usr/bin/env bash
# Faults, one a run: the daemon keeps running (or stops, saying why, when nothing can take its
# alerts), says what happened, and loses no line or alert it could keep; the counts are printed.
#   test_fault.sh FAULT [--seconds N]
# FAULT:
#   sighup        a broken badgatewayd.conf then SIGHUP: the old one stays, said with the file's
#                 line; a good one naming another log then SIGHUP: that log is read
#   sigstop       SIGSTOP for N s (default 5; 30 by hand) while lines come and the log is rotated
#                 once; SIGCONT: every line read
#   stdout_closed stdout a pipe closed after the first alert: said; with --jsonl too every alert
#                 goes on to the file; with stdout alone the daemon stops (exit 1), saying why
#   ulimit        ulimit -n 32, a nginx log and a php-fpm log rotated 10 times: every line read
#   jsonl_full    --jsonl on a 64 KiB tmpfs made full: the alerts wait and are written when room
#                 comes back, the failure and the recovery said with the counts
#   flapping      a real php-fpm's master killed (SIGKILL) every second for N s (default 10)
#                 and started again while requests go through a real nginx: every line read,
#                 every firing alert resolved, few alerts
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
source "$(dirname "${BASH_SOURCE[0]}")/../webstack.sh"
fault=${1:?FAULT}
shift
seconds=
while [ $# -gt 0 ]; do
        case $1 in
        --seconds) seconds=$2; shift 2 ;;
        *) echo "unknown option $1"; exit 2 ;;
        esac
done
command -v jq >/dev/null || skip "jq is not installed"
log=$dir/error.log
: >"$log"

# write_lines N [UPSTREAM] [LOG]: N numbered lines, at once.
write_lines() {
        "$numwriter" -r 0 -n "$1" -u "${2:-$upstream}" "${3:-$log}" >/dev/null || bad "numwriter failed"
}

# read_all JSON WANT [UPSTREAM]: waits until the alerts count WANT lines for UPSTREAM.
read_all() {
        wait_for 20 count_is "$@"
}
count_is() { [ "$(lines_read "$1" "${3:-$upstream}")" -eq "$2" ]; }

# n_resolved_is JSON PREFIX N: N resolved alerts for upstreams starting with PREFIX.
n_resolved_is() {
        [ "$(jq -s --arg p "$2" '[.[] | select(.upstream | startswith($p)) | select(.state == "resolved")] | length' "$1")" -eq "$3" ]
}

said() { grep -qs -- "$2" "$dir/$1.err"; }

fault_sighup() {
        write_conf "$dir/bgw.conf" "$log"
        start_daemon bgw
        write_lines 100
        read_all "$dir/bgw.json" 100 || bad "the first 100 lines were not read"
        cp "$dir/bgw.conf" "$dir/good.conf"
        printf '[Daemon]\nProbeTimeout = 25d\n' >>"$dir/bgw.conf"
        kill -HUP "$daemon_pid"
        wait_for 10 said bgw "reload failed, the running config stays" || bad "no 'reload failed' for a broken config"
        grep "reload failed" "$dir/bgw.err" | head -1
        grep "reload failed" "$dir/bgw.err" | grep -q "ProbeTimeout" || bad "the failure does not name ProbeTimeout"
        write_lines 100
        read_all "$dir/bgw.json" 200 || bad "lines after the failed reload were not read"
        local log2=$dir/other.log
        : >"$log2"
        sed "s|^ErrorLog = .*|ErrorLog = $log2|" "$dir/good.conf" >"$dir/bgw.conf"
        kill -HUP "$daemon_pid"
        wait_for 10 said bgw "config reloaded" || bad "no 'config reloaded' for the good config"
        write_lines 100 "$upstream" "$log2"
        read_all "$dir/bgw.json" 300 || bad "the new log's lines were not read"
        kill -0 "$daemon_pid" || bad "the daemon is gone"
        stop_daemon
        echo "sighup: written 300, read $(lines_read "$dir/bgw.json"), reload failures said $(grep -c 'reload failed' "$dir/bgw.err"), reloads $(grep -c 'config reloaded' "$dir/bgw.err")"
}

fault_sigstop() {
        local secs=${seconds:-5} rate=2000
        write_conf "$dir/bgw.conf" "$log"
        start_daemon bgw
        "$numwriter" -r "$rate" -n $((rate * (secs + 2))) -d "$dir/written" "$log" >/dev/null &
        local writer=$!
        pids+=("$writer")
        sleep 0.5
        kill -STOP "$daemon_pid"
        sleep "$(awk -v s="$secs" 'BEGIN {print s / 2}')"
        mv "$log" "$log.1" && kill -USR1 "$writer"      # rotated while the daemon is stopped
        sleep "$(awk -v s="$secs" 'BEGIN {print s / 2}')"
        kill -CONT "$daemon_pid"
        wait "$writer"
        local written
        written=$(awk '{print $2}' "$dir/written")
        read_all "$dir/bgw.json" "$written" || true
        local got
        got=$(lines_read "$dir/bgw.json")
        kill -0 "$daemon_pid" || bad "the daemon is gone"
        stop_daemon
        echo "sigstop: stopped ${secs} s, rotated once meanwhile; written $written, read $got, lost $((written > got ? written - got : 0)), duplicated $((got > written ? got - written : 0))"
        [ "$got" -eq "$written" ] || bad "read $got of $written lines"
}

fault_stdout_closed() {
        write_conf "$dir/bgw.conf" "$log"
        # stdout and --jsonl: stdout's end is said, the file gets every alert
        "$bgw" run --config "$dir/bgw.conf" --state-dir "$dir/a.state" --stdout --jsonl "$dir/a.jsonl" \
                2>"$dir/a.err" | head -1 >"$dir/a.first" &
        local a=$!
        pids+=("$a")
        wait_for 10 said a "started:" || bad "the daemon did not start"
        local dpid
        dpid=$(pgrep -f -n -- "--state-dir $dir/a.state")
        local i
        for i in 1 2 3 4 5; do write_lines 10 "unix:/nonexistent/closed-$i.sock"; done
        wait_for 10 said a "stdout" || bad "stdout's end was not said"
        grep -i "stdout" "$dir/a.err" | head -2
        wait_for 20 n_resolved_is "$dir/a.jsonl" unix:/nonexistent/closed- 5 || true
        local resolved firing
        firing=$(jq -s '[.[] | select(.upstream | startswith("unix:/nonexistent/closed-")) | select(.state == "firing" and .repeat == false)] | length' "$dir/a.jsonl")
        resolved=$(jq -s '[.[] | select(.upstream | startswith("unix:/nonexistent/closed-")) | select(.state == "resolved")] | length' "$dir/a.jsonl")
        [ -n "$dpid" ] && kill -0 "$dpid" 2>/dev/null || bad "the daemon with --jsonl stopped"
        echo "stdout_closed, with --jsonl: 5 causes, in the file $firing firing and $resolved resolved; first line on stdout: $(jq -r .cause "$dir/a.first" 2>/dev/null)"
        [ "$firing" -eq 5 ] && [ "$resolved" -eq 5 ] || bad "the file has $firing firing and $resolved resolved of 5"
        valid_json "$dir/a.jsonl"
        [ -n "$dpid" ] && kill "$dpid"
        wait "$a"
        # stdout alone: it stops, says why, exit 1
        ( "$bgw" run --config "$dir/bgw.conf" --state-dir "$dir/b.state" --stdout 2>"$dir/b.err" | head -1 >/dev/null
          echo "${PIPESTATUS[0]}" >"$dir/b.rc" ) &
        local b=$!
        pids+=("$b")
        wait_for 10 said b "started:" || bad "the daemon did not start"
        for i in 1 2 3; do write_lines 10 "unix:/nonexistent/closedb-$i.sock"; done
        wait "$b"
        local rc
        rc=$(cat "$dir/b.rc" 2>/dev/null)
        echo "stdout_closed, stdout alone: exit ${rc:-?}; $(grep -E 'stdout|stopping|no output' "$dir/b.err" | tr '\n' ';')"
        said b "no output takes alerts any more" || bad "the stop is not said"
        [ "${rc:-}" = 1 ] || bad "the daemon with stdout alone exited ${rc:-?}, want 1"
}

fault_ulimit() {
        local fpmlog=$dir/php-fpm.log
        : >"$fpmlog"
        write_conf "$dir/bgw.conf" "$log"
        echo "Log = $fpmlog" >>"$dir/bgw.conf"
        ( ulimit -n 32 && exec "$bgw" run --config "$dir/bgw.conf" --state-dir "$dir/bgw.state" --stdout \
                >"$dir/bgw.json" 2>"$dir/bgw.err" ) &
        daemon_pid=$!
        pids+=("$daemon_pid")
        wait_for 10 said bgw "started:" || { bad "the daemon did not start"; cat "$dir/bgw.err"; return; }
        grep "started:" "$dir/bgw.err"
        local i total=0 fpm_total=0
        for i in $(seq 10); do
                write_lines 200
                total=$((total + 200))
                printf '[29-Nov-2026 12:00:%02d] WARNING: [pool torture] child %d exited on signal 9 (SIGKILL) after 1.000000 seconds from start\n' "$i" "$((1000 + i))" >>"$fpmlog"
                fpm_total=$((fpm_total + 1))
                mv "$log" "$log.$i" && : >"$log"
                mv "$fpmlog" "$fpmlog.$i" && : >"$fpmlog"
                sleep 0.2
        done
        read_all "$dir/bgw.json" "$total" || true
        local got fds
        got=$(lines_read "$dir/bgw.json")
        fds=$(ls "/proc/$daemon_pid/fd" 2>/dev/null | wc -l)
        kill -0 "$daemon_pid" || bad "the daemon is gone"
        stop_daemon
        local said_read
        said_read=$(sed -n 's/.*stopped: \([0-9]*\) lines read.*/\1/p' "$dir/bgw.err")
        echo "ulimit -n 32: 10 rotations of 2 logs; nginx lines written $total, read $got; php-fpm lines $fpm_total; all lines read (said) ${said_read:-?} of $((total + fpm_total)); open fds at the end $fds"
        [ "$got" -eq "$total" ] || bad "read $got of $total nginx lines"
        [ "${said_read:-0}" -eq $((total + fpm_total)) ] || bad "read ${said_read:-?} lines of $((total + fpm_total))"
        grep -iE "too many|EMFILE" "$dir/bgw.err" | head -3
}

fault_jsonl_full() {
        need_root "mounts a tmpfs"
        mkdir -p "$dir/full"
        mount -t tmpfs -o size=64k tmpfs "$dir/full" || skip "cannot mount a tmpfs"
        mounts+=("$dir/full")
        write_conf "$dir/bgw.conf" "$log" "ProbeInterval = 200ms"
        start_daemon bgw --jsonl "$dir/full/alerts.jsonl"
        dd if=/dev/zero of="$dir/full/filler" bs=4k 2>/dev/null
        local i
        for i in $(seq 8); do write_lines 5 "unix:/nonexistent/full-$i.sock"; sleep 0.1; done
        wait_for 10 said bgw "No space left" || bad "the full disk is not said"
        wait_for 15 n_resolved_is "$dir/bgw.json" unix:/nonexistent/full- 8 ||
                bad "not every cause resolved on stdout"
        rm -f "$dir/full/filler"
        wait_for 10 said bgw "again:" || bad "the recovery is not said"
        sleep 0.5
        kill -0 "$daemon_pid" || bad "the daemon is gone"
        stop_daemon
        local out file
        out=$(jq -s 'length' "$dir/bgw.json")
        file=$(jq -s 'length' "$dir/full/alerts.jsonl")
        echo "jsonl_full: alerts on stdout $out, in the file once room came back $file; said: $(grep -E 'No space|again:|could not be written' "$dir/bgw.err" | tr '\n' ';')"
        [ "$file" -eq "$out" ] || bad "the file has $file alerts, stdout $out"
        valid_json "$dir/full/alerts.jsonl"
}

fault_flapping() {
        need_root "php-fpm and nginx as root"
        local secs=${seconds:-10} fpm=/usr/sbin/php-fpm8.2 nginx=/usr/sbin/nginx
        [ -x "$fpm" ] && [ -x "$nginx" ] || skip "php-fpm8.2 or nginx is not installed"
        command -v curl >/dev/null || skip "curl is not installed"
        local port
        port=$(free_port) || { bad "no free port"; return; }
        mkdir -p "$dir/www"
        echo '<?php echo "ok\n";' >"$dir/www/index.php"
        write_fpm_conf "$dir" www "$dir/php-fpm.log" "listen.owner = www-data" "listen.group = www-data"
        write_nginx_conf "$dir" "$port" "$log error" "root $dir/www;
        location / { include /etc/nginx/fastcgi.conf; fastcgi_param SCRIPT_FILENAME $dir/www/index.php; fastcgi_pass unix:$dir/php-fpm.sock; }"
        {
                echo "[Daemon]"
                echo "ProbeInterval = 500ms"
                echo "ResolveAfter = 2s"
                echo "[Nginx]"
                echo "ErrorLog = $log"
                echo "User = www-data"
                echo "[Pool www]"
                echo "Listen = $dir/php-fpm.sock"
                echo "Log = $dir/php-fpm.log"
        } >"$dir/bgw.conf"
        : >"$dir/php-fpm.log"
        "$fpm" -F -y "$dir/php-fpm.conf" -R 2>>"$dir/fpm.stderr" &
        local fpm_pid=$!
        pids+=("$fpm_pid")
        wait_for 10 test -S "$dir/php-fpm.sock" || { bad "php-fpm did not start"; cat "$dir/fpm.stderr"; return; }
        "$nginx" -p "$dir" -c "$dir/nginx.conf" 2>>"$dir/nginx.stderr" &
        pids+=($!)
        wait_for 10 curl -s -o /dev/null "http://127.0.0.1:$port/" || { bad "nginx did not start"; return; }
        start_daemon bgw
        local base
        base=$(($(wc -l <"$log") + $(wc -l <"$dir/php-fpm.log")))    # written before the daemon started
        local ok0
        ok0=$(curl -s "http://127.0.0.1:$port/")
        [ "$ok0" = ok ] || bad "php through nginx answers '$ok0'"
        curl -s -o /dev/null "http://127.0.0.1:$port/n/[1-100000000]" &
        local client=$!
        pids+=("$client")
        local kills=0 end=$((SECONDS + secs))
        while ((SECONDS < end)); do
                sleep 1
                kill_master "$fpm_pid"
                kills=$((kills + 1))
                rm -f "$dir/php-fpm.sock"
                sleep 0.2
                "$fpm" -F -y "$dir/php-fpm.conf" -R 2>>"$dir/fpm.stderr" &
                fpm_pid=$!
                pids+=("$fpm_pid")
        done
        wait_for 10 test -S "$dir/php-fpm.sock" || bad "php-fpm did not come back"
        sleep 1
        kill "$client"
        wait "$client" 2>/dev/null
        local ok1
        ok1=$(curl -s "http://127.0.0.1:$port/")
        [ "$ok1" = ok ] || bad "php through nginx answers '$ok1' at the end"
        # every cause fired resolves once the pool is healthy and no line came for ResolveAfter
        wait_for 30 all_resolved "$dir/bgw.json" || bad "a firing cause did not resolve"
        sleep 0.5
        local nlines flines
        nlines=$(wc -l <"$log")
        flines=$(wc -l <"$dir/php-fpm.log")
        kill -0 "$daemon_pid" || bad "the daemon is gone"
        stop_daemon
        local said_read alerts firing resolved
        said_read=$(sed -n 's/.*stopped: \([0-9]*\) lines read.*/\1/p' "$dir/bgw.err")
        alerts=$(jq -s 'length' "$dir/bgw.json")
        firing=$(jq -s '[.[] | select(.state == "firing" and .repeat == false)] | length' "$dir/bgw.json")
        resolved=$(jq -s '[.[] | select(.state == "resolved")] | length' "$dir/bgw.json")
        echo "flapping: $kills kills of php-fpm's master in $secs s; nginx lines $nlines, php-fpm lines $flines, read ${said_read:-?} of $((nlines + flines - base)) written since the start; alerts $alerts ($firing fired, $resolved resolved): $(jq -r 'select(.repeat == false) | "\(.state) \(.cause) \(.pool)"' "$dir/bgw.json" | sort | uniq -c | tr -s ' \n' ' ;')"
        [ "${said_read:-0}" -eq $((nlines + flines - base)) ] || bad "read ${said_read:-?} of $((nlines + flines - base)) lines"
        [ "$firing" -ge 1 ] || bad "nothing fired"
        [ "$resolved" -eq "$firing" ] || bad "$firing fired, $resolved resolved"
        [ "$alerts" -le $((kills * 4)) ] || bad "$alerts alerts for $kills kills"
        valid_json "$dir/bgw.json"
}

# every finding's last alert is a resolved one
all_resolved() {
        jq -e -s 'group_by(.id) | map(last | .state == "resolved") | all' "$1" >/dev/null &&
                [ "$(jq -s 'length' "$1")" -gt 0 ]
}

case $fault in
sighup | sigstop | stdout_closed | ulimit | jsonl_full | flapping) "fault_$fault" ;;
*) echo "unknown fault $fault"; exit 2 ;;
esac
if ((fail)) && [ -f "$dir/bgw.err" ]; then
        echo "--- daemon's stderr"; tail -20 "$dir/bgw.err"
fi
exit $fail
