#!/usr/bin/env bash
# The 10-minute mixed soak (issue 12): reads and writes in REST XML, REST JSON and SOAP
# (bench/wrk/soak.lua) against a release gateway on a copy of a synthetic database, with
# the gateway's RSS sampled every 10 s. It passes when no answer is a 5xx, no socket
# error occurs and the RSS of the last minute is within 10 % of the second minute's.
#
#   bench/soak.sh                          # SQLite, 10 000 subscriptions, 600 s, 64 connections
#   BACKEND=postgres DURATION=120 bench/soak.sh
set -euo pipefail
cd "$(dirname "$0")/.."
BACKEND="${BACKEND:-sqlite}" SIZE="${SIZE:-10000}" DURATION="${DURATION:-600}"
CONNECTIONS="${CONNECTIONS:-64}" PG_URL="${PG_URL:-postgres://postgres@127.0.0.1:5432}"
WORK="${WORK:-/tmp/cmp-bench}" TARGET="${CARGO_TARGET_DIR:-target}"
mkdir -p "$WORK" bench/results
command -v wrk >/dev/null || apt-get install -y wrk >/dev/null
cargo build --release -p cmp-gateway --bin cmp-gateway
gateway="$TARGET/release/cmp-gateway"

case "$BACKEND" in
  sqlite)
    base_db="$WORK/sqlite-$SIZE.db"
    [[ -f "$base_db" ]] || { "$gateway" load --synthetic "$SIZE" --database-url "sqlite://$base_db.tmp" >/dev/null; mv "$base_db.tmp" "$base_db"; }
    rm -f "$WORK/soak.db" "$WORK/soak.db-wal" "$WORK/soak.db-shm"
    cp "$base_db" "$WORK/soak.db"
    url="sqlite://$WORK/soak.db" ;;
  postgres)
    psql -q "$PG_URL/postgres" -c "DROP DATABASE IF EXISTS cmp_soak" -c "CREATE DATABASE cmp_soak"
    "$gateway" load --synthetic "$SIZE" --database-url "$PG_URL/cmp_soak" >/dev/null
    url="$PG_URL/cmp_soak" ;;
  *) echo "BACKEND is sqlite or postgres" >&2; exit 2 ;;
esac

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
stamp="$(date -u +%Y%m%d-%H%M%S)"
rss_csv="bench/results/soak-$stamp-$BACKEND.csv"
RUST_LOG=warn taskset -c "${SERVER_CPU:-1}" "$gateway" serve --bind "127.0.0.1:$port" \
    --database-url "$url" --workers 1 >"$WORK/soak-gateway.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/health/ready" >/dev/null && break; sleep 0.1; done

echo "seconds,rss_kb" >"$rss_csv"
( start=$SECONDS
  while kill -0 "$pid" 2>/dev/null; do
    echo "$((SECONDS - start)),$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")" >>"$rss_csv"
    sleep 10
  done ) &
sampler=$!

echo "soak: $BACKEND, $SIZE subscriptions, $DURATION s, $CONNECTIONS connections"
out="$(COPIES=$((SIZE / 10)) SAMPLE_XML="$(cat fixtures/requests/QueryCompatiblePackages/sample.xml)" \
    taskset -c "${LOAD_CPU:-0}" wrk -t2 -c"$CONNECTIONS" -d"${DURATION}s" --timeout 10s \
    -s bench/wrk/soak.lua "http://127.0.0.1:$port")"
kill "$sampler" 2>/dev/null || true
echo "$out" | grep -E "Requests/sec|requests in|SOAK"
line="$(echo "$out" | grep '^SOAK')"
fivexx="$(echo "$line" | sed -E 's/.*5xx=([0-9]+).*/\1/')"
errors="$(echo "$line" | sed -E 's/.*errors=([0-9]+).*/\1/')"
python3 - "$rss_csv" "$fivexx" "$errors" <<'PY'
import csv, sys
rows = [(int(r["seconds"]), int(r["rss_kb"])) for r in csv.DictReader(open(sys.argv[1])) if r["rss_kb"]]
second = [kb for s, kb in rows if 60 <= s < 120] or [rows[0][1]]
last_t = rows[-1][0]
last = [kb for s, kb in rows if s >= last_t - 60]
a, b = sum(second) / len(second), sum(last) / len(last)
print(f"RSS: second minute {a/1024:.1f} MB, last minute {b/1024:.1f} MB, peak {max(kb for _, kb in rows)/1024:.1f} MB ({len(rows)} samples in {sys.argv[1]})")
ok = int(sys.argv[2]) == 0 and int(sys.argv[3]) == 0 and b <= a * 1.10
print("soak:", "PASSED" if ok else "FAILED")
sys.exit(0 if ok else 1)
PY
