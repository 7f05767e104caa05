#!/usr/bin/env python3
"""Risk assessment benchmark (issue 4), on data from `castellan demo`:

1. The register at R risks (`castellan demo --scale R` puts one risk per asset, up to
   100,000, into "2026 年度信息安全风险评估"): p50/p95 of the register page and the API list,
   unfiltered, by level, by heat-map cell, by treatment.
2. Re-rating after a table change: PUT /api/v1/settings/risk-tables with a stricter risk
   table, end to end (HTTP, validation, re-rating every open assessment, audit entry,
   commit); risks re-rated per second.
3. The XLSX (and DOCX, HTML) report of that assessment.

Usage: bench/risk.py [--risks N] [--work DIR]
Needs a release build (cargo build --release). The domain-only evaluation rate is
`cargo run --release -p castellan-domain --example risk_bench`.
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

BIN = os.path.abspath("target/release/castellan")
PASSWORD = "castellan-demo-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(method, url, token, body=None, headers=None):
    h = {"authorization": f"Bearer {token}"}
    h.update(headers or {})
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        h["content-type"] = "application/json"
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    with urllib.request.urlopen(req) as r:
        return r.read(), dict(r.headers)


def timings(fn, n):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def ui_session(base, username):
    import http.cookiejar
    import re
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    html = opener.open(base + "/login").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "username": username, "password": PASSWORD,
                                   "next": "/"}).encode()
    opener.open(urllib.request.Request(base + "/login", data=form)).read()
    return opener


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--risks", type=int, default=100_000)
    ap.add_argument("--work", help="keep files in this directory and reuse its demo database")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="castellan-risk-")
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, f"risk-{args.risks}.db")
    port = free_port()
    env = dict(os.environ, CASTELLAN_ADMIN_PASSWORD="benchmark-passphrase",
               CASTELLAN_LOG="warn", CASTELLAN_DATABASE_URL=f"sqlite://{db}",
               CASTELLAN_LISTEN=f"127.0.0.1:{port}")
    env.pop("CASTELLAN_CONFIG", None)
    server = None
    try:
        if not os.path.exists(db):
            t0 = time.perf_counter()
            subprocess.run([BIN, "demo", "--scale", str(args.risks)], env=env, check=True,
                           capture_output=True)
            print(f"demo --scale {args.risks}: {time.perf_counter() - t0:.1f} s")
        server = subprocess.Popen([BIN, "serve"], env=env, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(500):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.02)
        req = urllib.request.Request(
            base + "/api/v1/auth/login",
            data=json.dumps({"username": "chen.jing", "password": PASSWORD}).encode(),
            headers={"content-type": "application/json"})
        token = json.load(urllib.request.urlopen(req))["token"]
        body, _ = call("GET", base + "/api/v1/assessments?phase=treatment_planning", token)
        current = json.loads(body)["items"][0]
        aid, risks = current["id"], current["risk_count"]
        print(f"assessment {aid}: {risks:,} risks")

        # --- the register -------------------------------------------------------------
        print("\n| register request (50 rows) | p50 ms | p95 ms |")
        print("|---|---|---|")
        for q in ["", "level=5", "level=3", "likelihood_level=4&loss_level=3",
                  "treatment=accept", "unrated=true"]:
            url = f"{base}/api/v1/assessments/{aid}/risks?limit=50&{q}"
            call("GET", url, token)
            p50, p95 = timings(lambda: call("GET", url, token), 40)
            print(f"| API {q or '(no filter)'} | {p50:.1f} | {p95:.1f} |")
        opener = ui_session(base, "chen.jing")
        for q in ["", "level=4", "likelihood_level=5&loss_level=5", "unrated=1"]:
            url = f"{base}/assessments/{aid}/risks?{q}"
            opener.open(url).read()
            p50, p95 = timings(lambda: opener.open(url).read(), 40)
            print(f"| page /risks?{q} | {p50:.1f} | {p95:.1f} |")
        for path in [f"/assessments/{aid}", "/assessments"]:
            url = base + path
            p50, p95 = timings(lambda: opener.open(url).read(), 20)
            print(f"| page {path} | {p50:.1f} | {p95:.1f} |")

        # --- re-rating after a table change ------------------------------------------
        body, headers = call("GET", base + "/api/v1/settings/risk-tables", token)
        tables = json.loads(body)
        version = tables.pop("version")
        tables["risk"] = [[1, 4], [5, 9], [10, 14], [15, 19], [20, 25]]
        t0 = time.perf_counter()
        body, _ = call("PUT", base + "/api/v1/settings/risk-tables", token, tables,
                       {"if-match": f'"{version}"'})
        elapsed = time.perf_counter() - t0
        changed = json.loads(body)
        print(f"\nre-rating after a table change: {elapsed * 1000:.0f} ms end to end for "
              f"{risks:,} risks in {changed['rerated_assessments']} open assessments "
              f"({changed['rerated_ratings']:,} ratings changed) = "
              f"{risks / elapsed:,.0f} risks/s (target >= 100,000/s)")

        # --- reports ------------------------------------------------------------------
        print("\n| report of the assessment | size | time ms |")
        print("|---|---|---|")
        for fmt in ["xlsx", "docx", "html"]:
            url = f"{base}/api/v1/assessments/{aid}/reports/assessment?format={fmt}&lang=zh-CN"
            t0 = time.perf_counter()
            data, _ = call("GET", url, token)
            ms = (time.perf_counter() - t0) * 1000
            print(f"| {fmt} ({risks:,} risks) | {len(data) / 1e6:.1f} MB | {ms:.0f} |")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
