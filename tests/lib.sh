# Shared by the scripts under tests/ that drive a running gateway (interop, browser,
# schemathesis): `source "$(dirname "$0")/../lib.sh"` after `cd` to the project root.
# Each function takes the caller's name first, for its messages.

# ensure_venv NAME VENV REQUIREMENTS: a Python venv holding REQUIREMENTS, reinstalled when
# the file changes (its copy in the venv is the stamp).
ensure_venv() {
    local name="$1" venv="$2" requirements="$3"
    if [[ ! -x "$venv/bin/python" ]] || ! cmp -s "$requirements" "$venv/requirements.txt"; then
        echo "$name: installing $requirements into $venv"
        python3 -m venv "$venv"
        "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
        cp "$requirements" "$venv/requirements.txt"
    fi
}

# build_gateway NAME TARGET_DIR: builds the debug gateway; sets $gateway to its path.
build_gateway() {
    local name="$1" target_dir="$2"
    echo "$name: building cmp-gateway (target dir $target_dir)"
    CARGO_TARGET_DIR="$target_dir" cargo build --quiet -p cmp-gateway
    gateway="$target_dir/debug/cmp-gateway"
}

# free_port PYTHON: prints a free TCP port on 127.0.0.1.
free_port() {
    "$1" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# wait_ready NAME PYTHON PID BASE: waits up to 30 s for BASE/health/ready to answer 200;
# exits when the gateway PID dies first or the time runs out.
wait_ready() {
    local name="$1" python="$2" pid="$3" base="$4"
    for _ in $(seq 1 60); do
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "$name: the gateway exited before becoming ready" >&2
            exit 1
        fi
        if "$python" -c 'import sys, urllib.request; sys.exit(0 if urllib.request.urlopen(sys.argv[1], timeout=2).status == 200 else 1)' "$base/health/ready" 2>/dev/null; then
            return 0
        fi
        sleep 0.5
    done
    echo "$name: $base/health/ready did not answer 200 within 30 s" >&2
    exit 1
}
