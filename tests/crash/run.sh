#!/usr/bin/env bash
# Crash safety: a concurrent write load, kill -9 of the gateway mid-load, a restart on
# the same database, every acknowledged write checked through the API (crash.py).
#
#   bash tests/crash/run.sh sqlite      # a fresh SQLite file in a temporary directory
#   bash tests/crash/run.sh postgres    # a fresh database on the local PostgreSQL, dropped after
#
# Environment: CMP_CRASH_PG (default postgres://postgres@127.0.0.1:5432) names the server;
# CMP_CRASH_ROUNDS (5), CMP_CRASH_THREADS (8), CMP_CRASH_SEED (random) tune the run;
# CMP_CRASH_PROFILE=debug uses the debug build (CI has it already) instead of release;
# CARGO_TARGET_DIR is respected; CARGO_BUILD_JOBS limits the build.
# Loopback only; bounded in rounds, writes and time; stops by itself.
set -euo pipefail

backend=${1:-sqlite}
root=$(cd "$(dirname "$0")/../.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}

profile=${CMP_CRASH_PROFILE:-release}
if [ "$profile" = release ]; then
    cargo build --release -q -p cmp-gateway --manifest-path "$root/Cargo.toml"
else
    cargo build -q -p cmp-gateway --manifest-path "$root/Cargo.toml"
fi
bin=$target/$profile/cmp-gateway

work=$(mktemp -d /tmp/cmp-crash.XXXXXX)
pg=${CMP_CRASH_PG:-postgres://postgres@127.0.0.1:5432}
db=
cleanup() {
    if [ -n "$db" ]; then
        psql "$pg/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

case $backend in
    sqlite)
        url="sqlite://$work/crash.db"
        ;;
    postgres)
        db="cmp_crash_$$_$RANDOM"
        psql "$pg/postgres" -qc "CREATE DATABASE $db" >/dev/null
        url="$pg/$db"
        ;;
    *)
        echo "usage: $0 sqlite|postgres" >&2
        exit 2
        ;;
esac

args=(--bin "$bin" --url "$url" --work "$work"
      --rounds "${CMP_CRASH_ROUNDS:-5}" --threads "${CMP_CRASH_THREADS:-8}")
if [ -n "${CMP_CRASH_SEED:-}" ]; then
    args+=(--seed "$CMP_CRASH_SEED")
fi
status=0
timeout 600 python3 "$root/tests/crash/crash.py" "${args[@]}" || status=$?
if [ "$status" -ne 0 ]; then
    echo "--- gateway logs (last lines) ---"
    tail -n 20 "$work"/gateway-*.log || true
fi
exit "$status"
