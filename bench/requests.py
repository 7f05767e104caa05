#!/usr/bin/env python3
"""Approval requests and "waiting for me" (issue 12), on data from `castellan demo`.

`castellan demo --scale 250000` makes 5,000 users and 100,000 approval requests (a year of
them, in every status, decided along the shipped chains; access changes met and breached).
The script serves that database with the release binary and measures, from a client on
the same machine, 60 sequential requests per line (p50/p95):

- `GET /api/v1/me/approvals` for callers with different work: a department head, the
  security administrator (every second step, and approved requests to carry out), the
  committee, the data administrator, the security officer, a member of staff with nothing;
- the "waiting for me" page and the home page that shows it;
- the request list with the breach filter, and one request.

Usage: bench/requests.py [--scale N] [--work DIR] [--postgres URL]
Needs a release build (cargo build --release). The domain-only move check rate is
`cargo run --release -p castellan-domain --example workflow_bench`.
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


def call(url, token):
    req = urllib.request.Request(url, headers={"authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req) as r:
        return r.read()


def timings(fn, n):
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[max(0, int(len(times) * 0.95) - 1)]


def login(base, username):
    req = urllib.request.Request(
        base + "/api/v1/auth/login",
        data=json.dumps({"username": username, "password": PASSWORD}).encode(),
        headers={"content-type": "application/json"})
    return json.load(urllib.request.urlopen(req))["token"]


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
    ap.add_argument("--scale", type=int, default=250_000)
    ap.add_argument("--work", help="keep files in this directory and reuse its demo database")
    ap.add_argument("--postgres", help="a PostgreSQL URL of an empty database to use")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="castellan-requests-")
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, f"requests-{args.scale}.db")
    url = args.postgres or f"sqlite://{db}"
    port = free_port()
    env = dict(os.environ, CASTELLAN_ADMIN_PASSWORD="benchmark-passphrase",
               CASTELLAN_LOG="warn", CASTELLAN_DATABASE_URL=url,
               CASTELLAN_LISTEN=f"127.0.0.1:{port}")
    env.pop("CASTELLAN_CONFIG", None)
    server = None
    try:
        if args.postgres or not os.path.exists(db):
            t0 = time.perf_counter()
            out = subprocess.run([BIN, "demo", "--scale", str(args.scale)], env=env, check=True,
                                 capture_output=True, text=True)
            print(f"demo --scale {args.scale}: {time.perf_counter() - t0:.1f} s")
            print(out.stdout.splitlines()[0])
        server = subprocess.Popen([BIN, "serve"], env=env, stderr=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        for _ in range(500):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.02)
        officer = login(base, "chen.jing")
        # A department head with work: the requester department's head of a submitted
        # request waiting at its first step.
        body = json.loads(call(base + "/api/v1/requests?status=submitted&limit=200", officer))
        head_id = None
        for item in body["items"]:
            if item["current_step"] == 0:
                dept = json.loads(call(f"{base}/api/v1/departments/{item['department_id']}", officer))
                parent = json.loads(call(f"{base}/api/v1/departments/{dept['parent_id']}", officer))
                head_id = parent["head_id"]
                break
        admin = login(base, "lin.xiaodong")
        head = json.loads(call(f"{base}/api/v1/users/{head_id}", admin))["username"] if head_id else None
        total = json.loads(call(base + "/api/v1/requests?limit=1", officer))["total"]
        print(f"{total:,} requests\n")
        print("| `GET /api/v1/me/approvals` as | items | p50 ms | p95 ms |")
        print("|---|---|---|---|")
        callers = [("department head", head), ("security administrator", "li.qiang"),
                   ("committee member", "zhou.min"), ("data administrator", "huang.fang"),
                   ("security officer", "chen.jing"), ("auditor", "ma.chao")]
        for label, username in callers:
            if username is None:
                continue
            token = login(base, username)
            u = base + "/api/v1/me/approvals"
            n = json.loads(call(u, token))["total"]
            p50, p95 = timings(lambda: call(u, token), 60)
            print(f"| {label} ({username}) | {n} | {p50:.1f} | {p95:.1f} |")
        print("\n| page or list | p50 ms | p95 ms |")
        print("|---|---|---|")
        opener = ui_session(base, "li.qiang")
        for path in ["/approvals", "/", "/requests", "/requests?deadline=breached",
                     "/requests?status=submitted&kind=change"]:
            u = base + path
            opener.open(u).read()
            p50, p95 = timings(lambda: opener.open(u).read(), 40)
            print(f"| page {path} (li.qiang) | {p50:.1f} | {p95:.1f} |")
        for q in ["limit=50", "breached=true&limit=50", "origin=job_change&limit=50"]:
            u = f"{base}/api/v1/requests?{q}"
            p50, p95 = timings(lambda: call(u, officer), 40)
            print(f"| API /requests?{q} | {p50:.1f} | {p95:.1f} |")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
