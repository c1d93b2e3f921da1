#!/usr/bin/env bash
# Browser test of the consoles (issue 13): headless Chromium (Debian's chromium and
# chromium-driver, installed with apt-get when missing) driven by selenium (pinned in
# requirements.txt), against a demo gateway in sandbox mode on SQLite with one admin key.
#
#   bash tests/browser/run.sh                  # from anywhere; CARGO_TARGET_DIR is honoured
#   bash tests/browser/run.sh --screenshots docs   # also writes docs/console-*.png
#
# consoles.py: /docs (Swagger UI) authorizes once, runs the guide's sample request through
# "Try it out" and compares the answer with the documented one; /admin/console moves the
# clock, a one-time password is generated through the API and its message is seen at the
# top of the outbox list.
set -euo pipefail
cd "$(dirname "$0")/../.."
source tests/lib.sh

target_dir="${CARGO_TARGET_DIR:-target}"
venv="$target_dir/browser-venv"
requirements="tests/browser/requirements.txt"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "browser: installing chromium and chromium-driver (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
fi

ensure_venv browser "$venv" "$requirements"

build_gateway browser "$target_dir"

work="$(mktemp -d "${TMPDIR:-/tmp}/cmp-browser.XXXXXX")"
log="$work/gateway.log"
server_pid=""
cleanup() {
    local status=$?
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ $status -ne 0 ]]; then
        echo "browser: FAILED (exit $status); gateway log tail ($log):" >&2
        tail -n 40 "$log" >&2 2>/dev/null || true
        echo "browser: work directory kept: $work" >&2
    else
        rm -rf "$work"
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

db="sqlite://$work/browser.db"
"$gateway" migrate --database-url "$db" >/dev/null
key="$("$gateway" keys add browser --role admin --database-url "$db" | grep -o 'cmp_[A-Za-z0-9_]*' | head -n 1)"
[[ -n "$key" ]] || { echo "browser: no key printed by keys add" >&2; exit 1; }

port="$(free_port "$venv/bin/python")"
base="http://127.0.0.1:$port"
echo "browser: starting the gateway on $base (sandbox, demo data, SQLite)"
"$gateway" serve --demo --sandbox --bind "127.0.0.1:$port" --database-url "$db" \
    --demo-path fixtures/demo >"$log" 2>&1 &
server_pid=$!
wait_ready browser "$venv/bin/python" "$server_pid" "$base"

CMP_BROWSER_KEY="$key" "$venv/bin/python" tests/browser/consoles.py "$base" "$@"
