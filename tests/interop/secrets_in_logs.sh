#!/usr/bin/env bash
# Secrets never reach the logs: starts the gateway (--demo --sandbox, RUST_LOG=debug) on a
# free port, drives a one-time password (generate, a wrong and the right password; the
# code is read from GET /admin/outbox, the only place it exists in clear), a direct debit
# with a bank account number, a card request carrying a full card number (skipped when
# those routes answer 404) and a subscription password (UpdateSubscription), then greps
# the whole server log for the code, the passwords, the bank account number and any run
# of 13-19 digits.
#
#   bash tests/interop/secrets_in_logs.sh      # CARGO_TARGET_DIR is honoured
set -euo pipefail
cd "$(dirname "$0")/../.."

target_dir="${CARGO_TARGET_DIR:-target}"
CARGO_TARGET_DIR="$target_dir" cargo build --quiet -p cmp-gateway
gateway="$target_dir/debug/cmp-gateway"

port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')"
base="http://127.0.0.1:$port"
work="$(mktemp -d "${TMPDIR:-/tmp}/cmp-secrets.XXXXXX")"
log="$work/gateway.log"
server_pid=""
cleanup() {
    local status=$?
    if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
        kill "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [[ $status -eq 0 ]]; then rm -rf "$work"; else echo "secrets: log kept in $log" >&2; fi
    exit "$status"
}
trap cleanup EXIT

RUST_LOG=debug "$gateway" serve --demo --sandbox --bind "127.0.0.1:$port" \
    --database-url "sqlite://$work/secrets.db" --demo-path fixtures/demo >"$log" 2>&1 &
server_pid=$!
for _ in $(seq 1 60); do
    curl -fs "$base/health/ready" >/dev/null 2>&1 && break
    kill -0 "$server_pid" 2>/dev/null || { echo "secrets: the gateway exited" >&2; exit 1; }
    sleep 0.5
done

passed=0
failed=0
check() { # name, command...
    local name="$1"; shift
    if "$@"; then passed=$((passed + 1)); echo "ok   $name"; else failed=$((failed + 1)); echo "FAIL $name"; fi
}
post() { curl -s -o "$work/body" -w '%{http_code}' -X "$1" -H 'content-type: application/json' -d "$3" "$base$2"; }
json() { python3 -c "import json,sys; d=json.load(open('$work/body')); print(eval(sys.argv[1]))" "$1"; }

# --- one-time password ---------------------------------------------------------------
status="$(post POST /oneTimePasswords '{"accountNumber":10000001,"deliveryChannel":"SMS","purpose":"login"}')"
check "OTP generated (201)" test "$status" = 201
reference="$(json 'd["otpReference"]')"
curl -s -H 'accept: application/json' "$base/admin/outbox" >"$work/body"
code="$(json '[w.strip(".") for w in d["message"][-1]["text"].split() if w.strip(".").isdigit() and len(w.strip("."))==6][0]')"
check "OTP code read from the outbox" test "${#code}" = 6
wrong="$( [[ "$code" == "482913" ]] && echo 739164 || echo 482913 )"
status="$(post POST "/oneTimePasswords/$reference/verification" "{\"password\":\"$wrong\"}")"
check "wrong password refused" test "$status-$(json 'd["verified"]')" = "200-False"
status="$(post POST "/oneTimePasswords/$reference/verification" "{\"password\":\"$code\"}")"
check "right password verified" test "$status-$(json 'd["verified"]')" = "200-True"

# --- direct debit and card (if the routes exist) -------------------------------------
bank_account="55779911"
card="4111111111111111"
status="$(post POST /accounts/10000001/directDebit "{\"nameOfPayer\":\"Jane Smith\",\"bankSortCode\":\"200000\",\"bankAccountNumber\":\"$bank_account\",\"directDebitSetupMethodCode\":\"Online\"}")"
if [[ "$status" == 404 ]] && grep -q NO_SUCH_ROUTE "$work/body"; then
    echo "skip direct debit (no route)"
else
    check "direct debit request answered ($status)" test -n "$status"
fi
status="$(post POST /accounts/10000001/registeredCards "{\"cardToken\":\"$card\",\"cardType\":\"Visa\",\"lastFourDigits\":\"1111\",\"expiryMonth\":12,\"expiryYear\":2030,\"cardholderName\":\"J SMITH\"}")"
if [[ "$status" == 404 ]] && grep -q NO_SUCH_ROUTE "$work/body"; then
    echo "skip registered card (no route)"
else
    check "full card number refused ($status)" test "$status" -ge 400
fi

# --- subscription password (UpdateSubscription) -----------------------------------------
subscription_password="Zq7-Secret-Pw-91"
status="$(post PATCH /subscriptions/60272 "{\"userName\":\"Tom Smith\",\"password\":\"$subscription_password\"}")"
check "subscription password updated (200)" test "$status" = 200
curl -s -H 'accept: application/json' "$base/subscriptions/60272" >"$work/body"
check "the password is not answered" bash -c "! grep -q -- '$subscription_password' '$work/body'"

# --- the log -----------------------------------------------------------------------------
kill "$server_pid" 2>/dev/null || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
check "the log is not empty" test -s "$log"
absent() { ! grep -q -- "$1" "$log"; }
check "no OTP code in the log" absent "$code"
check "no wrong password in the log" absent "$wrong"
check "no bank account number in the log" absent "$bank_account"
check "no card number in the log" absent "$card"
check "no subscription password in the log" absent "$subscription_password"
# (migration versions, 14 digits, are the one known long number a log line carries)
check "no run of 13-19 digits in the log" bash -c "! grep -v 'applied migration' '$log' | grep -Eq '(^|[^0-9])[0-9]{13,19}([^0-9]|$)'"

echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
