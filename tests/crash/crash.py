#!/usr/bin/env python3
"""Crash safety of the gateway: a concurrent write load, `kill -9` mid-load, a restart on
the same database, and a check through the API that every acknowledged write is there,
complete, with its audit entry, and that nothing is half-written.

Run by tests/crash/run.sh (which builds the gateway and makes the database); by hand:

    python3 tests/crash/crash.py --bin target/release/cmp-gateway --url sqlite:///tmp/x.db

Each round: start the gateway (the first with --demo), drive `--threads` writers for a
random 0.5-2.5 s (seeded), SIGKILL it, restart it and check every acknowledgement of every
round so far. Loopback only; bounded in rounds, requests and time; stops by itself.

Writes:
  - CreateAgreement, JSON `POST /agreements`, a unique externalReference each;
  - CreateCustomer, JSON `POST /customers`: a customer and its account in one transaction;
  - UpdateAgreement, JSON `PATCH /agreements/{n}` of an agreement this run created
    (optimistic on lastAmendedDate; STALE_DATA 409 is a refusal, not an acknowledgement).
Checks after each restart:
  - every acknowledged agreement answers GET /agreements/{n} with what was sent (and, if
    an acknowledged update touched it, the billing media of the latest acknowledged one
    or of a later update in doubt);
  - every acknowledged customer's account answers GET /accounts/{n} with its name and
    customer number;
  - the audit trail (GET /admin/audit) has an entry for each acknowledged write with its
    externalReference; every audit entry of this run names an entity that exists and one
    of the references this run sent; no reference was written twice;
  - no agreement or account exists that the audit trail does not name (no write without
    its audit entry), found by listing the accounts' agreements.
"""

import argparse
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time

ACCOUNTS = [10000001, 10000002, 10000003, 10000004, 10000005]
MEDIA = ["PAPER", "EMAIL", "PORTAL"]


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Gateway:
    def __init__(self, binary, url, work):
        self.binary, self.url, self.work = binary, url, work
        self.proc = None
        self.port = None
        self.starts = 0
        self.local = threading.local()

    def start(self, demo):
        self.port = free_port()
        self.starts += 1
        log = open(os.path.join(self.work, f"gateway-{self.starts}.log"), "wb")
        args = [self.binary, "serve", "--bind", f"127.0.0.1:{self.port}", "--database-url", self.url]
        if demo:
            args.append("--demo")
        self.proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT,
                                     env={**os.environ, "RUST_LOG": "warn"})
        deadline = time.time() + 90
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"the gateway exited at start ({self.proc.returncode}): see {log.name}")
            try:
                status, _ = self.call("GET", "/health/ready", timeout=2)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.1)
        raise SystemExit("the gateway did not become ready in 90 s")

    def kill9(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill9()

    def call(self, method, path, body=None, timeout=10, fresh=False):
        """One request on this thread's keep-alive connection (a new one after an error);
        `fresh`: on a connection of its own, so that a failure can only mean this request
        (the writers: a reused connection the server closed would look like a lost write)."""
        if fresh:
            self.local.conn = None
        conn = getattr(self.local, "conn", None)
        if conn is None or getattr(self.local, "port", None) != self.port:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
            self.local.conn, self.local.port = conn, self.port
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        try:
            conn.request(method, path, body=data, headers=headers)
            r = conn.getresponse()
            text = r.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            conn.close()
            self.local.conn = None
            raise
        if fresh:
            conn.close()
            self.local.conn = None
        try:
            return r.status, json.loads(text) if text else None
        except ValueError:
            return r.status, {"raw": text}


class Ledger:
    """What was sent, and what was acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.agreements = {}      # number -> sent agreementData (acknowledged)
        self.customers = {}       # ref -> (customerNumber, accountNumber, accountName)
        self.updates = {}         # number -> [(media, acknowledged)] in send order
        self.sent_refs = set()    # every externalReference sent (acknowledged or not)
        self.acked_refs = set()
        self.counts = {"sent": 0, "acked": 0, "refused": 0, "in_doubt": 0}
        self.refusals = {}        # "409 STALE_DATA" -> count


def refused(ledger, status, body):
    code = ""
    if isinstance(body, dict):
        code = (body.get("details") or {}).get("messageId", "")
    key = f"{status} {code}".strip()
    if isinstance(body, dict) and body.get("errors"):
        key += " " + ",".join(sorted({e.get("messageId", "") + ":" + e.get("extraInfo", "") for e in body["errors"]}))
    with ledger.lock:
        ledger.counts["refused"] += 1
        ledger.refusals[key] = ledger.refusals.get(key, 0) + 1


def writer(gw, ledger, stop, rng, prefix, seq, budget):
    while not stop.is_set():
        with ledger.lock:
            if ledger.counts["sent"] >= budget:
                return
            ledger.counts["sent"] += 1
            n = next(seq)
            mine = list(ledger.agreements)
        ref = f"{prefix}-{n}"
        kind = rng.random()
        try:
            if kind < 0.6 or not mine:
                data = {"billingCycle": rng.randint(1, 28), "invoiceConsolidationLevel": "Account",
                        "accountCode": rng.choice(ACCOUNTS), "billingMedia": rng.choice(MEDIA)}
                with ledger.lock:
                    ledger.sent_refs.add(ref)
                status, body = gw.call("POST", "/agreements", {"externalReference": ref, "agreementData": data}, fresh=True)
                if status == 201:
                    with ledger.lock:
                        ledger.agreements[body["agreementNumber"]] = data
                        ledger.acked_refs.add(ref)
                        ledger.counts["acked"] += 1
                else:
                    refused(ledger, status, body)
            elif kind < 0.85:
                name = f"Crash Test {n}"
                body_in = {"externalReference": ref,
                           "contactDetails": {"personalDetails": {"firstName": "Crash", "lastName": f"Test{n}"}},
                           "account": {"accountName": name, "corporateCode": "NWSALE", "currency": "GBP"}}
                with ledger.lock:
                    ledger.sent_refs.add(ref)
                status, body = gw.call("POST", "/customers", body_in, fresh=True)
                if status == 201:
                    with ledger.lock:
                        ledger.customers[ref] = (body["customerNumber"], body["accountNumber"], name)
                        ledger.acked_refs.add(ref)
                        ledger.counts["acked"] += 1
                else:
                    refused(ledger, status, body)
            else:
                number = rng.choice(mine)
                status, cur = gw.call("GET", f"/agreements/{number}", fresh=True)
                if status != 200:
                    continue
                media = rng.choice(MEDIA)
                patch = {"externalReference": ref, "billingMedia": media,
                         "lastAmendedDate": cur["agreement"]["lastAmendedDate"]}
                with ledger.lock:
                    ledger.sent_refs.add(ref)
                    ledger.updates.setdefault(number, []).append([media, False, ref])
                    entry = ledger.updates[number][-1]
                status, body = gw.call("PATCH", f"/agreements/{number}", patch, fresh=True)
                if 200 <= status < 300:
                    with ledger.lock:
                        entry[1] = True
                        ledger.acked_refs.add(ref)
                        ledger.counts["acked"] += 1
                else:
                    with ledger.lock:
                        entry[1] = None  # refused: not applied
                    refused(ledger, status, body)
        except (OSError, http.client.HTTPException, ValueError, KeyError):
            with ledger.lock:
                ledger.counts["in_doubt"] += 1
            if stop.wait(0.01):
                return


def audit_entries(gw, since):
    """Every audit entry at or after `since`, oldest first."""
    out, seen = [], set()
    cursor = since
    while True:
        status, body = gw.call("GET", f"/admin/audit?since={cursor}&limit=1000", timeout=30)
        if status != 200:
            raise SystemExit(f"GET /admin/audit answered {status}: {body}")
        entries = body.get("entry", []) if body else []
        new = 0
        for e in entries:
            key = (e["requestId"], e["entityType"], e["entityId"], e["operation"], e["at"])
            if key not in seen:
                seen.add(key)
                out.append(e)
                new += 1
        if len(entries) < 1000 or new == 0:
            return out
        cursor = entries[-1]["at"]


def verify(gw, ledger, prefix, since):
    problems = []
    with ledger.lock:
        agreements = dict(ledger.agreements)
        customers = dict(ledger.customers)
        updates = {k: [list(u) for u in v] for k, v in ledger.updates.items()}
        acked_refs = set(ledger.acked_refs)
        sent_refs = set(ledger.sent_refs)
    for number, sent in sorted(agreements.items()):
        status, body = gw.call("GET", f"/agreements/{number}")
        if status != 200:
            problems.append(f"acknowledged agreement {number} is missing: {status} {body}")
            continue
        a = body.get("agreement", {})
        for key, want in (("billingCycle", sent["billingCycle"]),
                          ("invoiceConsolidationLevel", sent["invoiceConsolidationLevel"])):
            if a.get(key) != want:
                problems.append(f"agreement {number}: {key} is {a.get(key)!r}, {want!r} was acknowledged")
        if a.get("loggedAt", {}).get("accountIdentifier") != sent["accountCode"]:
            problems.append(f"agreement {number}: loggedAt is {a.get('loggedAt')}, account {sent['accountCode']} was acknowledged")
        if not a.get("lastAmendedDate"):
            problems.append(f"agreement {number}: no lastAmendedDate (half-written?): {a}")
        # Billing media: the latest acknowledged update, or any update sent after it
        # whose answer was lost (in doubt), or the creation's when none was acknowledged.
        ups = updates.get(number, [])
        last_ack = max((i for i, u in enumerate(ups) if u[1] is True), default=None)
        allowed = {sent["billingMedia"]} if last_ack is None else {ups[last_ack][0]}
        start = 0 if last_ack is None else last_ack + 1
        allowed |= {u[0] for u in ups[start:] if u[1] is False}
        if a.get("billingMedia") not in allowed:
            problems.append(f"agreement {number}: billingMedia {a.get('billingMedia')!r}, expected one of {sorted(allowed)}")
    for ref, (customer, account, name) in sorted(customers.items()):
        status, body = gw.call("GET", f"/accounts/{account}")
        if status != 200:
            problems.append(f"acknowledged account {account} ({ref}) is missing: {status} {body}")
            continue
        acc = body.get("account", {})
        if acc.get("accountName") != name or acc.get("customerNumber") != customer:
            problems.append(f"account {account} ({ref}) is not what was acknowledged: {acc}")

    entries = [e for e in audit_entries(gw, since) if (e.get("externalReference") or "").startswith(prefix + "-")]
    by_ref = {}
    for e in entries:
        by_ref.setdefault(e["externalReference"], []).append(e)
    for ref in sorted(acked_refs):
        if ref not in by_ref:
            problems.append(f"acknowledged write {ref} has no audit entry")
    for ref, es in sorted(by_ref.items()):
        if ref not in sent_refs:
            problems.append(f"audit entry for {ref}, which this run never sent: {es}")
        ops = {}
        for e in es:
            ops.setdefault((e["operation"], e["entityType"]), set()).add(e["entityId"])
        for (op, etype), ids in ops.items():
            if op.startswith("Create") and len(ids) > 1:
                problems.append(f"{ref} created {etype} twice: {sorted(ids)}")
    audited_agreements = set()
    audited_accounts = set()
    for e in entries:
        etype, eid = e["entityType"], e["entityId"]
        if etype == "agreement":
            audited_agreements.add(int(eid))
            if int(eid) in agreements:
                continue  # checked above
            status, _ = gw.call("GET", f"/agreements/{eid}")
            if status != 200:
                problems.append(f"the audit trail names agreement {eid} ({e['externalReference']}), which does not exist")
        elif etype == "account":
            audited_accounts.add(int(eid))
            if any(c[1] == int(eid) for c in customers.values()):
                continue  # checked above
            status, _ = gw.call("GET", f"/accounts/{eid}")
            if status != 200:
                problems.append(f"the audit trail names account {eid} ({e['externalReference']}), which does not exist")
    # No write without its audit entry: every agreement on the accounts that is not the
    # demo's (numbers from 20000009) must be in the trail.
    for account in ACCOUNTS:
        status, body = gw.call("GET", f"/accounts/{account}/agreements")
        if status != 200:
            problems.append(f"GET /accounts/{account}/agreements answered {status}")
            continue
        for a in body.get("agreement", []):
            n = a["agreementNumber"]
            if n >= 20000009 and n not in audited_agreements and n not in agreements:
                problems.append(f"agreement {n} on account {account} has no audit entry of this run")
    return problems, len(entries)


def c_sent_all(ledger, before):
    return ledger.counts["sent"] - before["sent"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", required=True)
    ap.add_argument("--url", required=True)
    ap.add_argument("--work", default="/tmp")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=8)
    ap.add_argument("--budget", type=int, default=3000, help="most writes sent per round")
    ap.add_argument("--kill-after", type=int, default=250,
                    help="the kill comes after 20..N acknowledged writes of the round")
    ap.add_argument("--seed", type=int, default=int(time.time()) % 100000)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    prefix = f"CR{args.seed}"
    print(f"crash test: {args.url}, seed {args.seed}, {args.rounds} rounds of {args.threads} writers")
    gw = Gateway(args.bin, args.url, args.work)
    ledger = Ledger()
    since = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 5))
    failed = False
    counter = iter(range(1, 10**9))
    try:
        gw.start(demo=True)
        for rnd in range(1, args.rounds + 1):
            before = dict(ledger.counts)
            stop = threading.Event()
            budget = ledger.counts["sent"] + args.budget
            threads = [threading.Thread(target=writer,
                                        args=(gw, ledger, stop, random.Random(rng.random()), prefix, counter, budget))
                       for _ in range(args.threads)]
            for t in threads:
                t.start()
            # Kill mid-load: once a random number of writes of this round is acknowledged
            # (or after 20 s), while the writers are still sending.
            target = before["acked"] + rng.randint(20, args.kill_after)
            deadline = time.time() + 20
            while ledger.counts["acked"] < target and time.time() < deadline:
                time.sleep(0.005)
            gw.kill9()
            stop.set()
            for t in threads:
                t.join(timeout=30)
            if c_sent_all(ledger, before) >= args.budget:
                print("  note: the round's write budget ran out before the kill")
            c = {k: ledger.counts[k] - before[k] for k in ledger.counts}
            gw.start(demo=True)
            problems, audited = verify(gw, ledger, prefix, since)
            print(f"round {rnd}: {c['sent']} writes sent, {c['acked']} acknowledged, {c['refused']} refused, "
                  f"{c['in_doubt']} in doubt at the kill; after the restart: {len(ledger.agreements)} agreements, "
                  f"{len(ledger.customers)} customers acknowledged so far, {audited} audit entries, "
                  f"{len(problems)} problems")
            if ledger.refusals:
                print("  refusals so far:", ", ".join(f"{k} x{v}" for k, v in sorted(ledger.refusals.items())))
            for p in problems[:50]:
                print("  PROBLEM:", p)
            if problems:
                failed = True
                break
            if c["acked"] == 0:
                print("  PROBLEM: no write was acknowledged in this round: the load did not run")
                failed = True
                break
    finally:
        gw.stop()
    c = ledger.counts
    print(f"crash test: {'FAILED' if failed else 'passed'} ({gw.starts - 1} kills, {c['sent']} writes sent, "
          f"{c['acked']} acknowledged, {c['in_doubt']} in doubt, {c['refused']} refused)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
