#!/usr/bin/env bash
# [Metrics] with the real programs, all on 127.0.0.1 under a temp dir: badgatewayd serves /metrics
# (Listen = 127.0.0.1:0, the port it says) and writes badgatewayd.prom; a real Prometheus scrapes
# it with the shipped rules loaded and is asked over its HTTP API for the series (a pool down with
# fpm_down firing and BadGatewayCause pending or firing, then the pool up with php-fpm's own numbers
# once a real php-fpm runs); a real node_exporter serves the textfile; `promtool check metrics`
# passes on both texts, `promtool check rules` and `promtool test rules` on the shipped rules.
source "$(dirname "${BASH_SOURCE[0]}")/metrics_common.sh" metrics
rules=${BADGATEWAYD_RULES:?BADGATEWAYD_RULES is not set}
rules_test=${BADGATEWAYD_RULES_TEST:?BADGATEWAYD_RULES_TEST is not set}
fpm=${PHP_FPM:-/usr/sbin/php-fpm8.2}

for p in prometheus promtool prometheus-node-exporter curl jq; do
  command -v "$p" >/dev/null ||
    { echo "SKIP: $p is missing (scripts/deps.sh installs prometheus, prometheus-node-exporter, curl, jq)"; exit 77; }
done
[ -x "$fpm" ] || { echo "SKIP: $fpm is missing (scripts/deps.sh installs php8.2-fpm)"; exit 77; }

# A port nothing on 127.0.0.1 answers on now (the program started on it still checks its bind).
free_port() {
  local p
  for _ in $(seq 100); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

# prom_value QUERY: the first result's value from Prometheus's instant query API, or nothing.
prom_value() {
  curl -sf --max-time 5 --get --data-urlencode "query=$1" "http://127.0.0.1:$prom_port/api/v1/query" |
    jq -r '.data.result[0].value[1] // empty'
}
prom_is() { [ "$(prom_value "$1")" = "$2" ]; }

mkdir -p "$tmp/textfile" "$tmp/prom"
start_bgw "StatusPath = /status" "TextfileDirectory = $tmp/textfile"
target=${url#http://}
target=${target%/metrics}
echo "== badgatewayd: $url"

# nginx's line for a request to the pool while php-fpm is down (ngx_http_upstream_connect's).
echo "2026/11/29 19:00:00 [crit] 4242#4242: *1 connect() to unix:$tmp/fpm.sock failed (2: No such file or directory) while connecting to upstream, client: 127.0.0.1, server: _, request: \"GET /index.php HTTP/1.1\", upstream: \"fastcgi://unix:$tmp/fpm.sock:\", host: \"localhost\"" >> "$tmp/error.log"

# Prometheus: scrapes every second, evaluates the shipped rules every second.
cp "$rules" "$tmp/badgatewayd.rules.yml"
cat > "$tmp/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  evaluation_interval: 1s
rule_files: [$tmp/badgatewayd.rules.yml]
scrape_configs:
  - job_name: badgatewayd
    static_configs:
      - targets: ['$target']
EOF
prom_port=
for _ in 1 2 3; do
  prom_port=$(free_port) || { echo "FAIL: no free port"; exit 1; }
  prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom" \
    --web.listen-address="127.0.0.1:$prom_port" --log.level=warn > "$tmp/prometheus.log" 2>&1 &
  prom_pid=$!
  pids+=($prom_pid)
  wait_for 30 curl -sf --max-time 2 "http://127.0.0.1:$prom_port/-/ready" -o /dev/null && break
  kill -0 "$prom_pid" 2>/dev/null || grep -q 'address already in use' "$tmp/prometheus.log" ||
    { cat "$tmp/prometheus.log"; echo "FAIL: prometheus did not start"; exit 1; }
  prom_port=
done
[ -n "$prom_port" ] || { cat "$tmp/prometheus.log"; echo "FAIL: prometheus did not get ready"; exit 1; }
echo "== prometheus: http://127.0.0.1:$prom_port"

echo "== php-fpm stopped, one 502 in nginx's log"
wait_for 30 prom_is 'up{job="badgatewayd"}' 1 || bad "Prometheus does not scrape the daemon (up is not 1)"
wait_for 30 prom_is 'badgatewayd_pool_up{pool="demo"}' 0 || bad "badgatewayd_pool_up{pool=\"demo\"} is not 0"
wait_for 30 prom_is 'badgatewayd_findings_firing{cause="fpm_down",target="demo",severity="critical"}' 1 ||
  bad "fpm_down is not firing in Prometheus"
wait_for 30 prom_is 'badgatewayd_events_total{kind="upstream_socket_missing"}' 1 ||
  bad "the nginx line is not counted in badgatewayd_events_total"
wait_for 30 prom_is 'badgatewayd_alerts_total{cause="fpm_down",state="firing"}' 1 || bad "the alert sent is not counted"
wait_for 30 prom_is "badgatewayd_log_lines_read_total{log=\"$tmp/error.log\"}" 1 || bad "the line read is not counted"
wait_for 30 prom_is 'count(ALERTS{alertname="BadGatewayCause",cause="fpm_down",target="demo"})' 1 ||
  bad "the shipped rule BadGatewayCause is not active for fpm_down"
for q in 'badgatewayd_pool_up' 'badgatewayd_findings_firing' 'ALERTS{alertname="BadGatewayCause"}'; do
  curl -sf --get --data-urlencode "query=$q" "http://127.0.0.1:$prom_port/api/v1/query" |
    jq -c '.data.result[] | [.metric, .value[1]]' | sed "s/^/  $q: /"
done

echo "== php-fpm running, pm.status_path = /status"
pool_user=
[ "$(id -u)" -eq 0 ] && pool_user="user = www-data
group = www-data"
cat > "$tmp/php-fpm.conf" <<EOF
[global]
pid = $tmp/php-fpm.pid
error_log = $tmp/php-fpm.log
[demo]
listen = $tmp/fpm.sock
$pool_user
pm = static
pm.max_children = 2
pm.status_path = /status
EOF
"$fpm" -F -y "$tmp/php-fpm.conf" > "$tmp/php-fpm.out" 2>&1 &
pids+=($!)
wait_for 30 prom_is 'badgatewayd_pool_up{pool="demo"}' 1 || bad "badgatewayd_pool_up{pool=\"demo\"} is not 1 with php-fpm up"
wait_for 30 prom_is 'badgatewayd_pool_total_processes{pool="demo"}' 2 ||
  bad "php-fpm's total processes (pm.max_children = 2) are not in Prometheus"
wait_for 30 prom_is 'badgatewayd_pool_active_processes{pool="demo"} + badgatewayd_pool_idle_processes{pool="demo"}' 2 ||
  bad "active + idle processes are not 2"
wait_for 30 prom_is 'count(badgatewayd_probe_duration_seconds_count{pool="demo"} > 3)' 1 ||
  bad "fewer than 4 probe durations in badgatewayd_probe_duration_seconds"
for q in 'badgatewayd_pool_up' 'badgatewayd_pool_active_processes' 'badgatewayd_pool_idle_processes' \
         'histogram_quantile(0.9, badgatewayd_probe_duration_seconds_bucket)'; do
  curl -sf --get --data-urlencode "query=$q" "http://127.0.0.1:$prom_port/api/v1/query" |
    jq -c '.data.result[] | [.metric, .value[1]]' | sed "s/^/  $q: /"
done

echo "== the scrape, checked by promtool"
curl -sf --max-time 5 "$url" > "$tmp/scrape.txt" || bad "GET $url failed"
grep -v '^#' "$tmp/scrape.txt" | grep -v '_bucket{' | sed 's/^/  /'
promtool check metrics < "$tmp/scrape.txt" && echo "  promtool check metrics: no problem in the scrape" ||
  bad "promtool check metrics fails on the scrape"
ctype=$(curl -sf -o /dev/null -w '%{content_type}' "$url")
[ "$ctype" = "text/plain; version=0.0.4; charset=utf-8" ] || bad "Content-Type is '$ctype'"
code=$(curl -s -o /dev/null -w '%{http_code}' "${url%/metrics}/nothing")
[ "$code" = 404 ] || bad "GET /nothing answered $code, not 404"

echo "== node_exporter's textfile collector"
wait_for 10 grep -q '^badgatewayd_pool_up{pool="demo"} 1$' "$tmp/textfile/badgatewayd.prom" ||
  bad "badgatewayd.prom does not say the pool is up"
ls -A "$tmp/textfile" | grep -v '^badgatewayd.prom$' && bad "temp files left in the textfile directory"
promtool check metrics < "$tmp/textfile/badgatewayd.prom" && echo "  promtool check metrics: no problem in badgatewayd.prom" ||
  bad "promtool check metrics fails on badgatewayd.prom"
node_port=
for _ in 1 2 3; do
  node_port=$(free_port) || { echo "FAIL: no free port"; exit 1; }
  prometheus-node-exporter --web.listen-address="127.0.0.1:$node_port" --collector.disable-defaults \
    --collector.textfile --collector.textfile.directory="$tmp/textfile" > "$tmp/node.log" 2>&1 &
  node_pid=$!
  pids+=($node_pid)
  wait_for 15 curl -sf --max-time 2 "http://127.0.0.1:$node_port/metrics" -o "$tmp/node.txt" && break
  kill -0 "$node_pid" 2>/dev/null || grep -q 'address already in use' "$tmp/node.log" ||
    { cat "$tmp/node.log"; echo "FAIL: node_exporter did not start"; exit 1; }
  node_port=
done
[ -n "$node_port" ] || { cat "$tmp/node.log"; echo "FAIL: node_exporter did not answer"; exit 1; }
grep -E '^(badgatewayd_pool_up|badgatewayd_findings_firing|node_textfile_scrape_error)' "$tmp/node.txt" | sed 's/^/  /'
grep -q '^badgatewayd_pool_up{pool="demo"} 1$' "$tmp/node.txt" || bad "node_exporter does not serve badgatewayd_pool_up"
grep -q '^node_textfile_scrape_error 0$' "$tmp/node.txt" || bad "node_exporter could not read badgatewayd.prom"
if promtool check metrics < "$tmp/node.txt" > "$tmp/node-lint.txt" 2>&1; then
  echo "  promtool check metrics: no problem in node_exporter's /metrics"
else
  cat "$tmp/node-lint.txt"
  bad "promtool check metrics fails on node_exporter's /metrics"
fi

echo "== the shipped rules"
promtool check rules "$rules" || bad "promtool check rules"
sed "s|@RULES@|$rules|" "$rules_test" > "$tmp/rules_test.yml"
promtool test rules "$tmp/rules_test.yml" || bad "promtool test rules"

echo "== a reload keeps /metrics; a second daemon on the same port says so once and goes on"
kill -HUP "$bgw_pid"
wait_for 10 grep -q 'config reloaded' "$tmp/bgw.err" || bad "no reload on SIGHUP"
code=$(curl -s -o /dev/null -w '%{http_code}' "$url")
[ "$code" = 200 ] || bad "GET $url answered $code after the reload"
sed "s|^Listen = 127.0.0.1:0\$|Listen = $target|" "$tmp/bgw.conf" > "$tmp/second.conf"
"$bgw" run --config "$tmp/second.conf" --stdout --state-dir "$tmp/state2" > /dev/null 2> "$tmp/second.err" &
second=$!
pids+=($second)
wait_for 10 grep -q "cannot serve /metrics at $target" "$tmp/second.err" || bad "the second daemon does not say that $target is taken"
sleep 2.5       # two more tries, at ProbeInterval
kill -TERM "$second"
wait "$second"
rc=$?
grep "metrics:" "$tmp/second.err" | sed 's/^/  /'
[ $rc -eq 0 ] || bad "the second daemon exited with $rc"
n=$(grep -c 'cannot serve\|Failed to bind' "$tmp/second.err")
[ "$n" -eq 2 ] || bad "the second daemon said $n lines about the port taken, not 2 (MHD's and its own, once)"

echo "== badgatewayd stopped"
stop_bgw 'metrics: (cannot|MHD)'

[ $fail -eq 0 ] && echo "== all passed"
exit $fail
