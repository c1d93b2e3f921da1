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

target_dir="${CARGO_TARGET_DIR:-target}"
venv="$target_dir/browser-venv"
requirements="tests/browser/requirements.txt"

if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
    echo "browser: installing chromium and chromium-driver (apt-get)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq chromium chromium-driver >/dev/null
fi

if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$requirements" "$venv/requirements.txt"; then
    echo "browser: installing $requirements into $venv"
    python3 -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/requirements.txt"
fi

echo "browser: building cmp-gateway (target dir $target_dir)"
CARGO_TARGET_DIR="$target_dir" cargo build --quiet -p cmp-gateway
gateway="$target_dir/debug/cmp-gateway"

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

port="$("$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
echo "browser: starting the gateway on $base (sandbox, demo data, SQLite)"
"$gateway" serve --demo --sandbox --bind "127.0.0.1:$port" --database-url "$db" \
    --demo-path fixtures/demo >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
    kill -0 "$server_pid" 2>/dev/null || { echo "browser: the gateway exited" >&2; exit 1; }
    if "$venv/bin/python" -c 'import sys, urllib.request; sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)' "$base/health/ready" 2>/dev/null; then
        break
    fi
    sleep 0.5
done

CMP_BROWSER_KEY="$key" "$venv/bin/python" tests/browser/consoles.py "$base" "$@"
