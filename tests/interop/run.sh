#!/usr/bin/env bash
# Interoperability tests against a gateway serving the demo data: zeep (Python) clients
# generated from the reference CMP 7.3.8 agreement, structure, subscription and services
# WSDLs; zeep again on the WSDLs the gateway publishes; and real JSON answers validated
# against the published OpenAPI document.
#
#   bash tests/interop/run.sh                 # from anywhere; CARGO_TARGET_DIR is honoured
#
# Needs python3 (3.11) with venv, and PyPI the first time (the venv is kept under
# $CARGO_TARGET_DIR/interop-venv). The reference WSDL is read from
# /work/shared/reference/cmp-7.3.8 (CMP_REFERENCE_WSDL overrides the path).
set -euo pipefail

cd "$(dirname "$0")/../.."
source tests/lib.sh

target_dir="${CARGO_TARGET_DIR:-target}"
venv="$target_dir/interop-venv"
requirements="tests/interop/requirements.txt"

# --- Python client -------------------------------------------------------------------
# Reinstalled when requirements.txt changes (its copy in the venv is the stamp).
ensure_venv interop "$venv" "$requirements"

# --- Gateway ---------------------------------------------------------------------------
build_gateway interop "$target_dir"

work="$(mktemp -d "${TMPDIR:-/tmp}/cmp-interop.XXXXXX")"
log="$work/gateway.log"
server_pid=""
pg_db=""

stop_gateway() {
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}

cleanup() {
    local status=$?
    stop_gateway
    if [[ -n "$pg_db" ]]; then
        dropdb -h 127.0.0.1 -U postgres --if-exists "$pg_db" 2>/dev/null || true
    fi
    if [[ $status -ne 0 ]]; then
        echo "interop: FAILED (exit $status); gateway log tail ($log):" >&2
        tail -n 40 "$log" >&2 2>/dev/null || true
        echo "interop: work directory kept: $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts a demo gateway in sandbox mode (the clock the life-cycle story moves) on a free
# port over database $1; sets $base.
start_gateway() {
    local db_url="$1"
    port="$(free_port "$venv/bin/python")"
    base="http://127.0.0.1:$port"
    echo "interop: starting the gateway on $base ($db_url)"
    "$gateway" serve --demo --sandbox --bind "127.0.0.1:$port" \
        --database-url "$db_url" --demo-path fixtures/demo \
        >"$log" 2>&1 &
    server_pid=$!

    wait_ready interop "$venv/bin/python" "$server_pid" "$base"
}

# Every zeep and OpenAPI check against the gateway at $base.
checks() {
    "$venv/bin/python" tests/interop/agreement_zeep.py "$base"
    # The gateway's own published contract: zeep from the served WSDL, and openapi.json
    # validated and checked against real answers.
    "$venv/bin/python" tests/interop/published_zeep.py "$base"
    "$venv/bin/python" tests/interop/openapi_check.py "$base"
    # The 7.3.8 group, corporate, account and structure services, from the reference
    # WSDLs and from the published ones.
    "$venv/bin/python" tests/interop/structure_zeep.py "$base" reference
    "$venv/bin/python" tests/interop/structure_zeep.py "$base" published
    # The 7.3.8 subscription and services services (SubscriptionPort, ServicesPort).
    "$venv/bin/python" tests/interop/subscription_zeep.py "$base" reference
    "$venv/bin/python" tests/interop/subscription_zeep.py "$base" published
    # The whole life of a subscription over the 7.3.8 SubscriptionPort, on the sandbox
    # clock (--sandbox: PUT /admin/clock). It moves the clock months ahead: keep it last.
    "$venv/bin/python" tests/interop/lifecycle_zeep.py "$base" reference
}

start_gateway "sqlite://$work/interop.db"
checks
stop_gateway

# The same checks on PostgreSQL (a fresh database, dropped at the end), when a server
# answers on 127.0.0.1:5432 (CMP_INTEROP_PG=0 skips this pass).
if [[ "${CMP_INTEROP_PG:-1}" != 0 ]] && psql -h 127.0.0.1 -U postgres -d postgres -qAtc 'SELECT 1' >/dev/null 2>&1; then
    pg_db="cmp_interop_$$"
    createdb -h 127.0.0.1 -U postgres "$pg_db"
    start_gateway "postgres://postgres@127.0.0.1:5432/$pg_db"
    checks
    stop_gateway
else
    echo "interop: no PostgreSQL on 127.0.0.1:5432: the PostgreSQL pass is skipped"
fi
