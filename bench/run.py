#!/usr/bin/env python3
"""The benchmark suite (bench/run.sh): starts everything itself on loopback, measures each
case with wrk and writes bench/results/<stamp>.{json,md}.

Servers under test are pinned to one core (SERVER_CPU), wrk to another (LOAD_CPU). Each case
is warmed up, then run RUNS times for DURATION seconds; the figures are the median of the
runs: req/s, p50, p99 (wrk --latency), non-2xx answers, socket errors, and the server's peak
RSS (VmHWM from /proc, reset before each run through clear_refs).

Environment (defaults in brackets): SIZES [10000,1000000], BACKENDS [sqlite,postgres],
RUNS [3], DURATION [10], WARMUP [5], WIREMOCK_WARMUP [20], CONNECTIONS [64], THREADS [2],
SERVER_CPU [1], LOAD_CPU [0], PROFILE [release], CASES [all, or a comma list of names],
PG_URL [postgres://postgres@127.0.0.1:5432], WORK [/tmp/cmp-bench].
"""

import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
ENV = os.environ.get


def env_list(name, default):
    return [x for x in ENV(name, default).split(",") if x]


SIZES = [int(x) for x in env_list("SIZES", "10000,1000000")]
BACKENDS = env_list("BACKENDS", "sqlite,postgres")
RUNS = int(ENV("RUNS", "3"))
DURATION = int(ENV("DURATION", "10"))
WARMUP = int(ENV("WARMUP", "5"))
WIREMOCK_WARMUP = int(ENV("WIREMOCK_WARMUP", "20"))
CONNECTIONS = int(ENV("CONNECTIONS", "64"))
THREADS = int(ENV("THREADS", "2"))
SERVER_CPU = ENV("SERVER_CPU", "1")
LOAD_CPU = ENV("LOAD_CPU", "0")
PROFILE = ENV("PROFILE", "release")
ONLY = env_list("CASES", "")
PG_URL = ENV("PG_URL", "postgres://postgres@127.0.0.1:5432")
WORK = ENV("WORK", "/tmp/cmp-bench")
TARGET = ENV("CARGO_TARGET_DIR", os.path.join(ROOT, "target"))

SAMPLE = os.path.join(ROOT, "fixtures/requests/QueryCompatiblePackages/sample.xml")
# The demo's subscriptions are 60270..60279 and its accounts 10000001..10000005; the
# synthetic copy k adds 10 (k + 1) and 5 (k + 1). Random numbers are drawn among the
# copies of one demo row, so every request of a case has an answer of the same shape.
SUB_60272 = (60272, 10)  # SIMO12, active, bolt-ons, usage
ACCOUNT_10000002 = (10000002, 5)  # a corporate account (own, corporate and group agreements)
ACCOUNT_10000004 = (10000004, 5)

XML = "content-type: application/xml"
JSON = "content-type: application/json"
ACCEPT_JSON = "accept: application/json"
ACCEPT_XML = "accept: application/xml"


def log(msg):
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ensure_wrk():
    if shutil.which("wrk"):
        return
    log("wrk missing: apt-get install -y wrk")
    sh(["apt-get", "install", "-y", "wrk"], stdout=subprocess.DEVNULL)


def cargo_build():
    """Builds the gateway and the ceiling, returns their paths."""
    flags = ["--release"] if PROFILE == "release" else []
    out = subprocess.run(
        ["cargo", "build", "-p", "cmp-gateway", "--bin", "cmp-gateway", "--bench", "ceiling",
         "--message-format=json"] + flags,
        cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True).stdout
    exes = {}
    for line in out.splitlines():
        m = json.loads(line)
        if m.get("reason") == "compiler-artifact" and m.get("executable"):
            exes[m["target"]["name"]] = m["executable"]
    return exes["cmp-gateway"], exes["ceiling"]


def ensure_wiremock():
    jar_dir = os.path.join(BENCH, "node_modules/wiremock/build")
    if not os.path.isdir(jar_dir):
        sh(["npm", "ci", "--no-audit", "--no-fund"], cwd=BENCH, stdout=subprocess.DEVNULL)
    jars = [f for f in os.listdir(jar_dir) if f.startswith("wiremock-standalone") and f.endswith(".jar")]
    return os.path.join(jar_dir, jars[0])


def wait_ready(url, proc, timeout=120):
    start = time.time()
    while time.time() - start < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited ({proc.returncode}) before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status < 500:
                    return time.time() - start
        except Exception:
            time.sleep(0.02)
    raise RuntimeError(f"{url} not ready after {timeout} s")


def start(cmd, ready_url, log_name, **kw):
    logf = open(os.path.join(WORK, log_name), "w")
    proc = subprocess.Popen(["taskset", "-c", SERVER_CPU] + cmd, stdout=logf, stderr=logf,
                            start_new_session=True, **kw)
    ready = wait_ready(ready_url, proc)
    return proc, ready


def stop(proc):
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def reset_peak(pid):
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
    except OSError:
        pass


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def parse_wrk(text):
    lat = {}
    for m in re.finditer(r"^\s+(50|99)(?:\.0+)?%\s+([\d.]+)(us|ms|s)\s*$", text, re.M):
        lat[m.group(1)] = float(m.group(2)) * UNITS[m.group(3)]
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text)
    return {
        "rps": rps,
        "p50_ms": lat.get("50"),
        "p99_ms": lat.get("99"),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": sum(int(x) for x in errors.groups()) if errors else 0,
    }


def wrk(base, case, seconds):
    env = dict(os.environ)
    first, step, count = case.get("draw", (0, 1, 1))
    env.update({
        "CASE_METHOD": case["method"], "CASE_PATH": case["path"], "CASE_BODY": case.get("body", ""),
        "CASE_HEADERS": "|".join(case.get("headers", [])), "CASE_FIRST": str(first),
        "CASE_STEP": str(step), "CASE_COUNT": str(count),
    })
    out = subprocess.run(
        ["taskset", "-c", LOAD_CPU, "wrk", "-t", str(THREADS), "-c", str(CONNECTIONS),
         "-d", f"{seconds}s", "--latency", "-s", os.path.join(BENCH, "wrk/case.lua"), base],
        env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    return parse_wrk(out)


def measure(name, base, pid, case, warmup):
    if warmup:
        wrk(base, case, warmup)
    runs = []
    for _ in range(RUNS):
        reset_peak(pid)
        r = wrk(base, case, DURATION)
        r["rss_mb"] = peak_rss_mb(pid)
        runs.append(r)
    med = {k: statistics.median([r[k] for r in runs if r[k] is not None] or [0])
           for k in ("rps", "p50_ms", "p99_ms", "rss_mb")}
    med["non2xx"] = sum(r["non2xx"] for r in runs)
    med["socket_errors"] = sum(r["socket_errors"] for r in runs)
    log(f"{name}: {med['rps']:.0f} req/s, p50 {med['p50_ms']:.2f} ms, p99 {med['p99_ms']:.2f} ms, "
        f"RSS {med['rss_mb']:.0f} MB, non-2xx {med['non2xx']}")
    return {"case": name, "runs": runs, **med}


def gateway_cases(size):
    copies = size // 10
    sample = open(SAMPLE).read()
    subs = (SUB_60272[0], SUB_60272[1], copies)
    acc2 = (ACCOUNT_10000002[0], ACCOUNT_10000002[1], copies)
    acc4 = (ACCOUNT_10000004[0], ACCOUNT_10000004[1], copies)
    soap_qabcl = (
        '<?xml version="1.0" encoding="utf-8"?><soap-env:Envelope '
        'xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body>'
        '<ns0:QueryAgreementsByCustomerLevel xmlns:ns0="http://mdsuk.com/ws/dise3g/agreement/definition">'
        '<ns0:Request><ExternalReference>BENCH</ExternalReference><AccountIdentifier>{n}</AccountIdentifier>'
        '</ns0:Request></ns0:QueryAgreementsByCustomerLevel></soap-env:Body></soap-env:Envelope>')
    return [
        {"name": "QueryCompatiblePackages XML", "method": "POST", "path": "/ws/QueryCompatiblePackages",
         "body": sample.replace("60272", "{n}"), "headers": [XML], "draw": subs},
        {"name": "QueryCompatiblePackages JSON", "method": "POST", "path": "/ws/QueryCompatiblePackages",
         "body": json.dumps({"externalReference": "MYACC-04405500-88888", "subscriptionNumber": 0,
                             "eligibilityRules": {"salesChannel": "MYACCOUNT"}}).replace("0,", "{n},", 1),
         "headers": [JSON, ACCEPT_JSON], "draw": subs},
        {"name": "QueryAgreementByCustomerLevel XML", "method": "GET", "path": "/accounts/{n}/agreements",
         "headers": [ACCEPT_XML], "draw": acc2},
        {"name": "QueryAgreementByCustomerLevel JSON", "method": "GET", "path": "/accounts/{n}/agreements",
         "headers": [ACCEPT_JSON], "draw": acc2},
        {"name": "QueryAgreementByCustomerLevel SOAP", "method": "POST",
         "path": "/ws/dise3g/services/AgreementPort", "body": soap_qabcl,
         "headers": ["content-type: text/xml; charset=utf-8", 'SOAPAction: ""'], "draw": acc2},
        {"name": "GetSubscriptions by non-managed serial", "method": "GET",
         "path": "/subscriptions?nonManagedSerialNumber={msisdn}", "headers": [ACCEPT_XML], "draw": subs},
        {"name": "GetSubscription", "method": "GET", "path": "/subscriptions/{n}",
         "headers": [ACCEPT_XML], "draw": subs},
        {"name": "CreateAgreement (write)", "method": "POST", "path": "/agreements",
         "body": json.dumps({"agreementData": {"billingCycle": 10, "invoiceConsolidationLevel": "Account",
                                               "invoiceReceiptAddress": "Account", "accountCode": 0,
                                               "billingMedia": "PAPER"}}).replace('"accountCode": 0', '"accountCode": {n}'),
         "headers": [JSON, ACCEPT_JSON], "draw": acc4, "write": True},
        {"name": "AddSubscriptionPackage (write)", "method": "POST", "path": "/subscriptions/{n}/packages",
         "body": json.dumps({"packageCode": ENV("BENCH_BOLT_ON", "ETV"),
                             "eligibilityRules": {"salesChannel": "MYACCOUNT"}}),
         "headers": [JSON, ACCEPT_JSON], "draw": subs, "write": True},
        {"name": "RecordUsage (write)", "method": "POST", "path": "/subscriptions/{n}/usage",
         "body": json.dumps({"usage": [{"type": "SMS", "quantity": 1}]}),
         "headers": [JSON, ACCEPT_JSON], "draw": subs, "write": True},
    ]


def wanted(name):
    return not ONLY or any(o.lower() in name.lower() for o in ONLY)


def database(gateway, backend, size):
    """A database holding `size` synthetic subscriptions, made once and kept in WORK."""
    if backend == "sqlite":
        path = os.path.join(WORK, f"sqlite-{size}.db")
        url = f"sqlite://{path}"
        if os.path.exists(path):
            return url
        tmp = path + ".tmp"
        for f in (tmp, tmp + "-wal", tmp + "-shm"):
            if os.path.exists(f):
                os.remove(f)
        log(f"generating {size} subscriptions on SQLite")
        sh([gateway, "load", "--synthetic", str(size), "--database-url", f"sqlite://{tmp}"], cwd=ROOT,
           stdout=subprocess.DEVNULL)
        sh(["sqlite3", tmp, "PRAGMA wal_checkpoint(TRUNCATE);"], stdout=subprocess.DEVNULL)
        os.rename(tmp, path)
        return url
    name = f"cmp_bench_{size}"
    url = f"{PG_URL}/{name}"
    have = subprocess.run(["psql", f"{PG_URL}/postgres", "-tAc",
                           f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                          stdout=subprocess.PIPE, text=True, check=True).stdout.strip()
    if have == "1":
        done = subprocess.run(["psql", url, "-tAc", "SELECT COUNT(*) FROM subscriptions"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.strip()
        if done.isdigit() and int(done) >= size:
            return url
        sh(["psql", f"{PG_URL}/postgres", "-qc", f"DROP DATABASE {name}"])
    sh(["psql", f"{PG_URL}/postgres", "-qc", f"CREATE DATABASE {name}"])
    log(f"generating {size} subscriptions on PostgreSQL")
    sh([gateway, "load", "--synthetic", str(size), "--database-url", url], cwd=ROOT, stdout=subprocess.DEVNULL)
    return url


def prewarm(backend, url):
    """Reads the database into memory before its cases, so that the first case does not
    measure the disk (the first run at 1 000 000 did: 31 GetSubscription/s on PostgreSQL)."""
    log(f"reading the {backend} database into memory")
    if backend == "sqlite":
        with open(url[len("sqlite://"):], "rb") as f:
            while f.read(1 << 24):
                pass
        return
    sh(["psql", "-qtA", url, "-c", "CREATE EXTENSION IF NOT EXISTS pg_prewarm",
        "-c", "SELECT sum(pg_prewarm(c.oid, 'read')) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
              "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"], stdout=subprocess.DEVNULL)


def sample_answer(base):
    req = urllib.request.Request(base + "/ws/QueryCompatiblePackages", data=open(SAMPLE, "rb").read(),
                                 headers={"content-type": "application/xml"})
    with urllib.request.urlopen(req) as r:
        return r.read()


def main():
    os.makedirs(WORK, exist_ok=True)
    ensure_wrk()
    gateway, ceiling = cargo_build()
    jar = ensure_wiremock()
    results = {"started": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
               "machine": machine(), "settings": settings(), "cases": []}

    # The gateway's own answer to the sample request (demo data): the body of the ceiling
    # and of the WireMock stub.
    demo_db = os.path.join(WORK, "demo.db")
    for f in (demo_db, demo_db + "-wal", demo_db + "-shm"):
        if os.path.exists(f):
            os.remove(f)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc, _ = start([gateway, "serve", "--demo", "--bind", f"127.0.0.1:{port}",
                     "--database-url", f"sqlite://{demo_db}"], base + "/health/ready", "demo.log", cwd=ROOT)
    answer = sample_answer(base)
    stop(proc)
    answer_file = os.path.join(WORK, "sample.response.xml")
    open(answer_file, "wb").write(answer)
    log(f"sample answer: {len(answer)} bytes")

    def record(r, **extra):
        r.update(extra)
        results["cases"].append(r)
        save(results)

    if wanted("ceiling"):
        port = free_port()
        proc, _ = start([ceiling, f"127.0.0.1:{port}", answer_file, "1"], f"http://127.0.0.1:{port}/",
                        "ceiling.log")
        case = {"method": "POST", "path": "/ws/QueryCompatiblePackages", "body": open(SAMPLE).read(),
                "headers": [XML]}
        record(measure("ceiling (bare actix-web)", f"http://127.0.0.1:{port}", proc.pid, case, WARMUP),
               server="ceiling", backend="-", size=0)
        stop(proc)

    if wanted("wiremock"):
        root = os.path.join(WORK, "wiremock")
        os.makedirs(os.path.join(root, "mappings"), exist_ok=True)
        os.makedirs(os.path.join(root, "__files"), exist_ok=True)
        shutil.copy(answer_file, os.path.join(root, "__files/sample.response.xml"))
        json.dump({"request": {"method": "POST", "url": "/ws/QueryCompatiblePackages"},
                   "response": {"status": 200, "bodyFileName": "sample.response.xml",
                                "headers": {"Content-Type": "application/xml; charset=utf-8"}}},
                  open(os.path.join(root, "mappings/sample.json"), "w"))
        port = free_port()
        proc, _ = start(["java", "-jar", jar, "--port", str(port), "--bind-address", "127.0.0.1",
                         "--root-dir", root, "--disable-banner", "--no-request-journal",
                         "--disable-request-logging"],
                        f"http://127.0.0.1:{port}/__admin/health", "wiremock.log")
        case = {"method": "POST", "path": "/ws/QueryCompatiblePackages", "body": open(SAMPLE).read(),
                "headers": [XML]}
        record(measure("WireMock static stub", f"http://127.0.0.1:{port}", proc.pid, case, WIREMOCK_WARMUP),
               server="wiremock", backend="-", size=0)
        stop(proc)

    for backend in BACKENDS:
        for size in SIZES:
            cases = [c for c in gateway_cases(size) if wanted(c["name"])]
            if not cases:
                continue
            url = database(gateway, backend, size)
            prewarm(backend, url)
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            proc, ready_s = start([gateway, "serve", "--bind", f"127.0.0.1:{port}", "--database-url", url,
                                   "--workers", ENV("CMP_WORKERS", "1")],
                                  base + "/health/ready", f"gateway-{backend}-{size}.log", cwd=ROOT,
                                  env={**os.environ, "RUST_LOG": "warn"})
            log(f"gateway on {backend} with {size} subscriptions ready in {ready_s:.2f} s")
            for case in cases:
                record(measure(f"{case['name']} [{backend}, {size}]", base, proc.pid, case, WARMUP),
                       server="gateway", backend=backend, size=size, operation=case["name"],
                       ready_s=ready_s)
            stop(proc)
    path = save(results, final=True)
    log(f"results: {path}")


def machine():
    def out(cmd):
        try:
            return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.strip()
        except OSError:
            return "?"
    cpu = "?"
    for line in open("/proc/cpuinfo"):
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(),
            "load_before": os.getloadavg()[0], "rustc": out(["rustc", "--version"]),
            "wrk": out(["wrk", "-v"]).splitlines()[0] if shutil.which("wrk") else "?",
            "java": out(["java", "-version"]).splitlines()[0],
            "sqlite": out(["sqlite3", "--version"]).split(" ")[0],
            "postgres": out(["psql", "--version"])}


def settings():
    return {"runs": RUNS, "duration_s": DURATION, "warmup_s": WARMUP, "connections": CONNECTIONS,
            "wrk_threads": THREADS, "server_cpu": SERVER_CPU, "load_cpu": LOAD_CPU, "profile": PROFILE,
            "workers": ENV("CMP_WORKERS", "1")}


STAMP = time.strftime("%Y%m%d-%H%M%S")


def save(results, final=False):
    out = os.path.join(BENCH, "results")
    os.makedirs(out, exist_ok=True)
    path = os.path.join(out, f"{STAMP}.json")
    json.dump(results, open(path, "w"), indent=1)
    open(os.path.join(out, f"{STAMP}.md"), "w").write(table(results))
    open(os.path.join(out, f"{STAMP}.svg"), "w").write(svg(results))
    return path


def svg(results):
    """Throughput and p99 of each gateway operation against data size, one line per
    operation and database, the ceiling and WireMock as horizontal references."""
    cases = [c for c in results["cases"] if c.get("server") == "gateway"]
    sizes = sorted({c["size"] for c in cases}) or [1]
    series = {}
    for c in cases:
        series.setdefault(f"{c['operation']} ({c['backend']})", {})[c["size"]] = c
    refs = [c for c in results["cases"] if c.get("server") in ("ceiling", "wiremock")]
    w, h, pad, gap = 520, 300, 60, 40
    colours = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2",
               "#7f7f7f", "#bcbd22", "#17becf"]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * w + gap + 330}" height="{h + 2 * pad}" '
           'font-family="sans-serif" font-size="11">']

    def panel(x0, key, title, with_refs):
        values = [c[key] for s in series.values() for c in s.values()]
        if with_refs:
            values += [r[key] for r in refs]
        top = max(values + [1]) * 1.1
        out.append(f'<text x="{x0 + w / 2}" y="{pad - 25}" text-anchor="middle" font-size="13">{title}</text>')
        out.append(f'<rect x="{x0}" y="{pad}" width="{w}" height="{h}" fill="none" stroke="#999"/>')
        for i in range(5):
            v = top * i / 4
            y = pad + h - h * i / 4
            out.append(f'<text x="{x0 - 5}" y="{y + 4}" text-anchor="end">{v:.0f}</text>')
        def xpos(size):
            return x0 + (w * (sizes.index(size) + 0.5) / len(sizes))
        for size in sizes:
            out.append(f'<text x="{xpos(size)}" y="{pad + h + 15}" text-anchor="middle">{size:,} subscriptions</text>')
        if with_refs:
            for r in refs:
                y = pad + h - h * r[key] / top
                out.append(f'<line x1="{x0}" x2="{x0 + w}" y1="{y}" y2="{y}" stroke="#000" stroke-dasharray="4 3"/>')
                out.append(f'<text x="{x0 + 4}" y="{y - 3}">{r["server"]} {r[key]:.0f}</text>')
        for i, (name, pts) in enumerate(sorted(series.items())):
            col = colours[i % len(colours)]
            dash = "" if "(sqlite)" in name else ' stroke-dasharray="6 2"'
            xy = [(xpos(sz), pad + h - h * pts[sz][key] / top) for sz in sizes if sz in pts]
            out.append(f'<polyline fill="none" stroke="{col}" stroke-width="2"{dash} points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y in xy) + '"/>')
            for x, y in xy:
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{col}"/>')

    panel(pad, "rps", "throughput (req/s, median)", True)
    panel(pad + w + gap, "p99_ms", "p99 latency (ms, median)", False)
    lx = 2 * w + gap + pad + 10
    for i, name in enumerate(sorted(series)):
        col = colours[i % len(colours)]
        y = pad + 14 * i
        dash = "" if "(sqlite)" in name else ' stroke-dasharray="6 2"'
        out.append(f'<line x1="{lx}" x2="{lx + 20}" y1="{y}" y2="{y}" stroke="{col}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 25}" y="{y + 4}">{name}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def table(results):
    m, s = results["machine"], results["settings"]
    lines = [f"Run {results['started']} on {m['cpu']} ({m['cores']} cores, load {m['load_before']:.1f} "
             f"before), {m['rustc']}, {m['wrk']}, {m['java']}, SQLite {m['sqlite']}, {m['postgres']}; "
             f"{s['profile']} build, {s['runs']} runs of {s['duration_s']} s (median), "
             f"{s['connections']} connections, server on CPU {s['server_cpu']}, wrk on CPU {s['load_cpu']}.",
             "", "| case | req/s | p50 ms | p99 ms | peak RSS MB | non-2xx |", "|---|---|---|---|---|---|"]
    for c in results["cases"]:
        lines.append(f"| {c['case']} | {c['rps']:.0f} | {c['p50_ms']:.2f} | {c['p99_ms']:.2f} | "
                     f"{c['rss_mb']:.0f} | {c['non2xx']} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
