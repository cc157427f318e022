#!/usr/bin/env bash
# Runs every benchmark of BENCHMARKS.md: parse speed, bytes per sample (side by side with
# promtool's blocks from the same samples), and remote_write ingest plus query latency on
# Lookout, Prometheus 2.42 and VictoriaMetrics, each started on a loopback port with a fresh
# data directory; then the logs pillar on a demo-like NDJSON file (LOGS_MB, default 1000 MB):
# ingest, bytes on disk and query latency, the queries side by side with ripgrep on the same
# file; then the alerting pillar: alerts posted and delivered by Lookout and Alertmanager 0.25,
# and 1,000 rules evaluated by Lookout (in process and served) and Prometheus 2.42; then the UI in
# headless Chromium (a 100,000-point chart, a 12-panel dashboard) and the WASM bundle's size.
# Every load is bounded (2.4 M samples, 7 runs per query, one pass over the log file, 200,000
# alert posts, five page loads each).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
# The peers run without authentication, so Lookout does too (a bearer token costs one SHA-256
# and one map look-up per request).
export LOOKOUT_AUTH=off
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
for pkg in prometheus prometheus-alertmanager victoria-metrics prometheus-node-exporter ripgrep; do
  dpkg -s "$pkg" >/dev/null 2>&1 || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$pkg" >/dev/null; }
done
# The packages start their own services; stop them so they do not share the two cores.
as_root systemctl stop prometheus prometheus-alertmanager victoria-metrics 2>/dev/null || true
pkill -x prometheus 2>/dev/null || true
pkill -x victoria-metrics 2>/dev/null || true
as_root systemctl stop prometheus-node-exporter 2>/dev/null || true
pkill -x prometheus-node-exporter 2>/dev/null || true

cargo build --release --locked -p lookout-bench -p lookout-server
bench=target/release/lookout-bench

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_ready() {
  for _ in $(seq 1 100); do curl -sf "$1" >/dev/null && return 0; sleep 0.2; done
  echo "not ready: $1" >&2; return 1
}

# Bytes per sample in Lookout's blocks, and in promtool's blocks of the very same samples.
promtool_size() {
  rm -rf "$work/promtool"
  promtool tsdb create-blocks-from openmetrics "$1" "$work/promtool" >/dev/null
  local bytes samples
  bytes=$(find "$work/promtool" -type f \( -path '*/chunks/*' -o -name index \) -printf '%s\n' | awk '{s+=$1} END {print s}')
  samples=$(grep -vc '^#' "$1")
  echo "storage: promtool (Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}')) 2 h blocks of the same samples: $bytes bytes = $(awk -v b="$bytes" -v s="$samples" 'BEGIN {printf "%.2f", b/s}') bytes/sample"
}
# The same blocks after Prometheus itself compacted them: it is started on promtool's directory
# (retention long enough to keep the old samples) until its block count has stayed put for 15 s.
prometheus_compacted_size() {
  local port samples bytes last=0 now stable=0
  port=$(free_port)
  prometheus --config.file=/dev/null --storage.tsdb.path="$work/promtool" --storage.tsdb.retention.time=10y \
    --web.listen-address="127.0.0.1:$port" >/dev/null 2>&1 &
  pids+=($!)
  for _ in $(seq 1 60); do
    sleep 3
    now=$(find "$work/promtool" -maxdepth 1 -name '01*' -type d | wc -l)
    if [ "$now" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
    last=$now
    [ "$stable" -ge 5 ] && [ "$now" -lt "$(cat "$work/promtool.blocks")" ] && break
  done
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  bytes=$(find "$work/promtool" -mindepth 2 -maxdepth 3 -type f \( -path '*/01*/chunks/*' -o -path '*/01*/index' \) -printf '%s\n' | awk '{s+=$1} END {print s}')
  samples=$(grep -vc '^#' "$1")
  echo "storage: the same after Prometheus compacted them ($last blocks): $bytes bytes = $(awk -v b="$bytes" -v s="$samples" 'BEGIN {printf "%.2f", b/s}') bytes/sample"
}
run_system() {
  local name=$1 port=$2 ready=$3 write=$4
  echo "== $name"
  wait_ready "$ready"
  "$bench" ingest "http://127.0.0.1:$port$write"
  sleep 2
  "$bench" query "http://127.0.0.1:$port"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

bench_metrics() {
  echo "== parse"
  "$bench" parse ../shared/conformance/exposition/alltypes.237mfs.prom.txt
  echo "== storage"
  "$bench" storage "$work/demo.om"
  promtool_size "$work/demo.om"
  find "$work/promtool" -maxdepth 1 -name '01*' -type d | wc -l > "$work/promtool.blocks"
  prometheus_compacted_size "$work/demo.om"
  node_port=$(free_port)
  prometheus-node-exporter --web.listen-address="127.0.0.1:$node_port" >/dev/null 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$node_port/metrics"
  "$bench" storage-node "http://127.0.0.1:$node_port/metrics" "$work/node.om"
  promtool_size "$work/node.om"

  port=$(free_port)
  target/release/lookout --no-demo --listen "127.0.0.1:$port" --data-dir "$work/lookout" >/dev/null 2>&1 &
  pids+=($!)
  run_system "Lookout $(target/release/lookout --version | awk '{print $2}')" "$port" "http://127.0.0.1:$port/-/ready" /api/v1/write

  port=$(free_port)
  printf 'global:\n  scrape_interval: 15s\n' > "$work/prometheus.yml"
  prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prometheus" \
    --web.listen-address="127.0.0.1:$port" --web.enable-remote-write-receiver >/dev/null 2>&1 &
  pids+=($!)
  run_system "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}')" "$port" "http://127.0.0.1:$port/-/ready" /api/v1/write

  port=$(free_port)
  victoria-metrics -storageDataPath="$work/victoria" -httpListenAddr="127.0.0.1:$port" -search.latencyOffset=0s >/dev/null 2>&1 &
  pids+=($!)
  run_system "VictoriaMetrics $(dpkg-query -W -f='${Version}' victoria-metrics)" "$port" "http://127.0.0.1:$port/health" /api/v1/write
}

bench_logs() {
  echo "== logs"
  local logs_mb=${LOGS_MB:-1000} request_id term
  "$bench" logs-gen "$work/logs.ndjson" "$logs_mb" | tee "$work/logs-gen.txt"
  request_id=$(sed -n 's/.*request_id in the middle: //p' "$work/logs-gen.txt")
  term=exhausted
  "$bench" logs-local "$work/logs.ndjson" "$work/logs-store"
  "$bench" logs-query "$work/logs-store" "$request_id" "$term"
  "$bench" logs-rg "$work/logs.ndjson" "$request_id" "$term"
  rm -rf "$work/logs-store"
  port=$(free_port)
  target/release/lookout --no-demo --listen "127.0.0.1:$port" --data-dir "$work/lookout-logs" >/dev/null 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$port/-/ready"
  "$bench" logs-http "http://127.0.0.1:$port" "$work/logs.ndjson"
}

# Posting and delivery on one Alertmanager-compatible server: latency first, on an empty state.
alert_system() {
  local name=$1 port=$2 hook_port=$3 group_wait_ms=$4
  echo "== $name"
  wait_ready "http://127.0.0.1:$port/-/ready"
  "$bench" alerts-latency "http://127.0.0.1:$port" "$hook_port" "$group_wait_ms"
  "$bench" alerts-post "http://127.0.0.1:$port"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}
# The 1,000 rules as a running server evaluates them: it gets the ingest bench's series first,
# then the rule file by a reload (SIGHUP), so every evaluation sees the data.
rules_system() {
  local name=$1 port=$2 config=$3
  echo "== $name"
  wait_ready "http://127.0.0.1:$port/-/ready"
  "$bench" ingest "http://127.0.0.1:$port/api/v1/write"
  echo "rule_files: ['$work/rules.yml']" >> "$config"
  kill -HUP "${pids[-1]}"
  "$bench" rules-api "http://127.0.0.1:$port"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

bench_alerts() {
  echo "== alerts"
  local group_wait_ms=1000 hook_port
  "$bench" rules-file "$work/rules.yml"
  "$bench" rules-eval "$work/rules.yml"

  # One alertmanager.yml for both: the latency probes (bench="latency") go to the bench's
  # webhook, the throughput load to a receiver without integrations, so nothing is retried.
  hook_port=$(free_port)
  cat > "$work/alertmanager.yml" <<YAML
route:
  receiver: blackhole
  group_by: [alertname]
  group_wait: ${group_wait_ms}ms
  group_interval: 5m
  repeat_interval: 4h
  routes:
    - matchers: ['bench="latency"']
      receiver: hook
receivers:
  - name: blackhole
  - name: hook
    webhook_configs:
      - url: http://127.0.0.1:$hook_port/hook
        send_resolved: false
YAML
  # Lookout reads the same keys under `alertmanager:` in its own config.
  { echo 'alertmanager:'; sed 's/^/  /' "$work/alertmanager.yml"; } > "$work/lookout-alerts.yml"

  port=$(free_port)
  target/release/lookout --no-demo --listen "127.0.0.1:$port" --data-dir "$work/lookout-alerts" \
    --config "$work/lookout-alerts.yml" >/dev/null 2>&1 &
  pids+=($!)
  alert_system "Lookout $(target/release/lookout --version | awk '{print $2}')" "$port" "$hook_port" "$group_wait_ms"

  port=$(free_port)
  prometheus-alertmanager --config.file="$work/alertmanager.yml" --storage.path="$work/alertmanager" \
    --web.listen-address="127.0.0.1:$port" --cluster.listen-address= >/dev/null 2>&1 &
  pids+=($!)
  alert_system "Alertmanager $(prometheus-alertmanager --version 2>&1 | head -1 | awk '{print $3}')" "$port" "$hook_port" "$group_wait_ms"

  port=$(free_port)
  printf 'global:\n  evaluation_interval: 5s\n' > "$work/lookout-rules.yml"
  target/release/lookout --no-demo --listen "127.0.0.1:$port" --data-dir "$work/lookout-rules" \
    --config "$work/lookout-rules.yml" >/dev/null 2>&1 &
  pids+=($!)
  rules_system "Lookout $(target/release/lookout --version | awk '{print $2}') rules" "$port" "$work/lookout-rules.yml"

  port=$(free_port)
  printf 'global:\n  evaluation_interval: 5s\n' > "$work/prometheus-rules.yml"
  prometheus --config.file="$work/prometheus-rules.yml" --storage.tsdb.path="$work/prometheus-rules" \
    --web.listen-address="127.0.0.1:$port" --web.enable-remote-write-receiver >/dev/null 2>&1 &
  pids+=($!)
  rules_system "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}') rules" "$port" "$work/prometheus-rules.yml"
}

echo "== machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(date -u +%Y-%m-%d)"
# The UI as a person's browser gets it: the release binary with the release bundle inside, driven
# through chromedriver (tests/examples/ui_bench.rs).
bench_ui() {
  echo "== ui"
  local wasm js
  wasm=$(ls frontend/dist/*.wasm)
  js=$(ls frontend/dist/*.js)
  echo "ui: bundle: $(gzip -9c "$wasm" | wc -c) bytes of gzip WASM ($(wc -c < "$wasm") raw), $(gzip -9c "$js" | wc -c) bytes of gzip JS"
  cargo build --release --locked -p lookout-e2e --example ui_bench
  LOOKOUT_BIN=target/release/lookout target/release/examples/ui_bench 2>/dev/null
}

# Every pillar at once for SOAK_SECONDS (default 600): Lookout scrapes its own /metrics every
# 5 s, evaluates rules over the soak's series every 5 s and notifies the soak's webhook, while
# the soak writes samples and log lines and queries at fixed rates (backend/bench/src/soak.rs).
bench_soak() {
  echo "== soak"
  local port hook_port
  port=$(free_port)
  hook_port=$(free_port)
  cat > "$work/soak-rules.yml" <<YAML
groups:
  - name: soak
    interval: 5s
    rules:
      - record: soak:samples:rate1m
        expr: sum(rate(soak_metric_total[1m]))
      - record: soak:samples_by_group:rate1m
        expr: sum by (group) (rate(soak_metric_total[1m]))
      - alert: SoakRunning
        expr: soak:samples:rate1m > 0
        annotations:
          summary: "{{ \$value | humanize }} samples/s"
  - name: soak-logs
    interval: 5s
    source: logs
    rules:
      - alert: SoakErrors
        expr: sum(count_over_time({level="ERROR"}[1m])) > 0
YAML
  cat > "$work/soak.yml" <<YAML
global:
  scrape_interval: 5s
  evaluation_interval: 5s
scrape_configs:
  - job_name: lookout
    static_configs:
      - targets: ['127.0.0.1:$port']
rule_files: ['$work/soak-rules.yml']
alertmanager:
  route:
    receiver: hook
    group_by: [alertname]
    group_wait: 1s
    group_interval: 5s
    repeat_interval: 30s
  receivers:
    - name: hook
      webhook_configs:
        - url: http://127.0.0.1:$hook_port/hook
YAML
  target/release/lookout --no-demo --listen "127.0.0.1:$port" --data-dir "$work/lookout-soak" \
    --config "$work/soak.yml" >/dev/null 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$port/-/ready"
  "$bench" soak "http://127.0.0.1:$port" "$hook_port" "${SOAK_SECONDS:-600}"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

# Waits until the Lookout on port $1 has forwarded $3 items to its $2 backend (metrics or logs),
# ten minutes at most; prints how many it had.
wait_forwarded() {
  local sent
  for _ in $(seq 6000); do
    sent=$(curl -s "http://127.0.0.1:$1/metrics" | awk -v b="$2" '$1 == "lookout_backend_sent_total{backend=\"" b "\"}" {print $2}')
    awk -v s="${sent:-0}" -v e="$3" 'BEGIN {exit !(s >= e)}' && break
    sleep 0.1
  done
  echo "${sent:-0}"
}

# Lookout on an engine as its metrics store (storage.metrics.prometheus), VictoriaMetrics and
# then Prometheus 2.42: the ingest rate Lookout acknowledges (each batch queued on disk for the
# engine, then stored locally), the time until the engine has every sample, and query latency
# with Lookout asking it.
bench_backend() {
  local port
  port=$(free_port)
  victoria-metrics -storageDataPath="$work/victoria-backend" -httpListenAddr="127.0.0.1:$port" -search.latencyOffset=0s >/dev/null 2>&1 &
  pids+=($!)
  backend_run "VictoriaMetrics $(dpkg-query -W -f='${Version}' victoria-metrics)" "$port" /health
  port=$(free_port)
  printf 'global:\n  scrape_interval: 15s\n' > "$work/prometheus-backend.yml"
  prometheus --config.file="$work/prometheus-backend.yml" --storage.tsdb.path="$work/prometheus-backend" \
    --web.listen-address="127.0.0.1:$port" --web.enable-remote-write-receiver >/dev/null 2>&1 &
  pids+=($!)
  backend_run "Prometheus $(prometheus --version 2>&1 | head -1 | awk '{print $3}')" "$port" /-/ready
  backend_logs
}

# Lookout on Loki as its log store (storage.logs.loki), "Loki" being a second Lookout (no Loki is
# installable here): NDJSON (LOGS_MB, default 200 MB) posted to the first, the rate it
# acknowledges, and the time until the second has every line.
backend_logs() {
  local loki_port port start end sent lines
  echo "== backend: Lookout on a Loki (a second Lookout)"
  "$bench" logs-gen "$work/backend-logs.ndjson" "${LOGS_MB:-200}" | tee "$work/backend-logs-gen.txt"
  lines=$(sed -n 's/.*: \([0-9]*\) lines,.*/\1/p' "$work/backend-logs-gen.txt")
  loki_port=$(free_port)
  target/release/lookout --no-demo --listen "127.0.0.1:$loki_port" --data-dir "$work/loki-store" >/dev/null 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$loki_port/-/ready"
  printf 'storage:\n  logs:\n    loki:\n      url: http://127.0.0.1:%s\n' "$loki_port" > "$work/lookout-loki.yml"
  port=$(free_port)
  target/release/lookout --no-demo --listen "127.0.0.1:$port" --data-dir "$work/lookout-on-loki" \
    --config "$work/lookout-loki.yml" >/dev/null 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$port/-/ready"
  start=$(date +%s.%N)
  "$bench" logs-http "http://127.0.0.1:$port" "$work/backend-logs.ndjson"
  sent=$(wait_forwarded "$port" logs "$lines")
  end=$(date +%s.%N)
  awk -v s="${sent:-0}" -v a="$start" -v b="$end" \
    'BEGIN {printf "forwarded: %d lines in the second Lookout %.2f s after the first post: %.0f lines/s end to end\n", s, b - a, s / (b - a)}'
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  kill "${pids[-2]}"; wait "${pids[-2]}" 2>/dev/null || true
  rm -f "$work/backend-logs.ndjson"
}

# One engine (the last process started, on $2): Lookout in front of it, measured, then both stopped.
backend_run() {
  local name=$1 engine_port=$2 ready=$3 port start end sent expected=2400000
  echo "== backend: Lookout on $name"
  wait_ready "http://127.0.0.1:$engine_port$ready"
  printf 'storage:\n  metrics:\n    prometheus:\n      url: http://127.0.0.1:%s\n' "$engine_port" > "$work/lookout-backend.yml"
  port=$(free_port)
  rm -rf "$work/lookout-backend"
  target/release/lookout --no-demo --listen "127.0.0.1:$port" --data-dir "$work/lookout-backend" \
    --config "$work/lookout-backend.yml" >/dev/null 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$port/-/ready"
  start=$(date +%s.%N)
  "$bench" ingest "http://127.0.0.1:$port/api/v1/write"
  sent=$(wait_forwarded "$port" metrics "$expected")
  end=$(date +%s.%N)
  awk -v s="${sent:-0}" -v a="$start" -v b="$end" -v n="$name" \
    'BEGIN {printf "forwarded: %d samples in %s %.2f s after the first write: %.0f samples/s end to end\n", s, n, b - a, s / (b - a)}'
  sleep 2
  "$bench" query "http://127.0.0.1:$port"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
  kill "${pids[-2]}"; wait "${pids[-2]}" 2>/dev/null || true
}

# What sign-in costs: the remote_write ingest and the queries above, sent with a bearer token to
# a Lookout with sign-in on, and a sign-in itself (one Argon2id check).
bench_auth() {
  local port token times
  echo "== auth: Lookout with sign-in on, every request with a bearer token"
  port=$(free_port)
  LOOKOUT_AUTH=on LOOKOUT_ADMIN_PASSWORD=bench-admin-password target/release/lookout --no-demo \
    --listen "127.0.0.1:$port" --data-dir "$work/lookout-auth" >/dev/null 2>&1 &
  pids+=($!)
  wait_ready "http://127.0.0.1:$port/-/ready"
  token=$(curl -s -u admin:bench-admin-password -H 'Content-Type: application/json' \
    -d '{"name":"bench","scopes":["ingest","read"]}' "http://127.0.0.1:$port/api/lookout/tokens" |
    sed -n 's/.*"secret":"\([^"]*\)".*/\1/p')
  LOOKOUT_BENCH_AUTHORIZATION="Bearer $token" "$bench" ingest "http://127.0.0.1:$port/api/v1/write"
  sleep 2
  LOOKOUT_BENCH_AUTHORIZATION="Bearer $token" "$bench" query "http://127.0.0.1:$port"
  # Each sign-in as a user not signed in before, so each pays its Argon2id check (a password
  # once verified is cached for basic auth).
  for n in $(seq 11); do
    curl -s -o /dev/null -u admin:bench-admin-password -H 'Content-Type: application/json' \
      -d "{\"name\":\"bench-$n\",\"role\":\"viewer\",\"password\":\"bench-password-$n\"}" "http://127.0.0.1:$port/api/lookout/users"
  done
  times=$(for n in $(seq 11); do
    curl -s -o /dev/null -w '%{time_total}\n' -H 'Content-Type: application/json' \
      -d "{\"user\":\"bench-$n\",\"password\":\"bench-password-$n\"}" "http://127.0.0.1:$port/api/lookout/login"
  done | sort -n)
  echo "sign-in (POST /api/lookout/login: an Argon2id check and a stored session): median $(echo "$times" | sed -n 6p) s over 11 users"
  kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true
}

# What the Overview and an alert's investigation cost over 100,000 active series and a day of
# logs, computed in process as the server computes them (no peer has either).
bench_insight() {
  echo "== insight: the Overview and an investigation on a large store"
  "$bench" insight "$work/insight"
  rm -rf "$work/insight"
}

# BENCH picks the parts: "metrics", "logs", "alerts", "ui", "soak", "backend", "auth", "insight" or all of them (the default).
for part in ${BENCH:-metrics logs alerts ui soak backend auth insight}; do "bench_$part"; done
