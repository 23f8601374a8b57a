#!/usr/bin/env bash
# /metrics under bad clients, on 127.0.0.1 under a temp dir: 40 connections that send half a request
# and close must not keep a scrape waiting past MHD's short connection timeout; 20 clients on
# 127.0.0.1 that trickle one header line every 2 s must not keep a scraper on 127.0.0.2 out.
source "$(dirname "${BASH_SOURCE[0]}")/metrics_common.sh" mconns
for p in curl python3; do
  command -v "$p" >/dev/null || { echo "SKIP: $p is missing"; exit 77; }
done

start_bgw "" ""
scrape() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$@"; }

echo "== 40 connections that send half a request and close"
python3 - "$port" <<'EOF'
import socket, sys
for _ in range(40):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.send(b"GET /metrics HTTP/1.1\r\nHo")
    s.close()
EOF
sleep 4
code=$(scrape "$url")
echo "  a scrape 4 s later: $code"
[ "$code" = 200 ] || bad "a scrape 4 s after 40 dropped connections answered '$code', not 200"
sleep 1
held=$(ss -tan state close-wait "( sport = :$port )" | tail -n +2 | wc -l)
echo "  sockets in CLOSE-WAIT: $held"
[ "$held" -eq 0 ] || bad "$held sockets still in CLOSE-WAIT 5 s after the clients closed"

echo "== 20 clients on 127.0.0.1 trickling a header every 2 s; a scraper on 127.0.0.2"
python3 - "$port" > "$tmp/trickle.out" 2>&1 <<'EOF' &
import socket, sys, time
conns = []
for _ in range(20):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.send(b"GET /metrics HTTP/1.1\r\n")
    conns.append(s)
for i in range(6):
    time.sleep(2)
    for s in conns:
        try:
            s.send(b"X-Slow-%d: 1\r\n" % i)
        except OSError:
            pass
EOF
trickle=$!
pids+=("$trickle")
sleep 2.5
code=$(scrape --interface 127.0.0.2 "http://127.0.0.1:$port/metrics")
echo "  a scrape from 127.0.0.2 while they trickle: $code"
[ "$code" = 200 ] || bad "a scrape from 127.0.0.2 answered '$code' while 127.0.0.1 trickles, not 200"
kill -0 "$trickle" 2>/dev/null || bad "the trickling clients stopped early (the test proves nothing)"
wait "$trickle"

stop_bgw
[ $fail -eq 0 ] && echo "== all passed"
exit $fail
