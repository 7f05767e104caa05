#!/usr/bin/env python3
"""Foundation benchmark (issue 2): cold start to ready, idle RSS, and with wrk on loopback
`/healthz` against an authenticated `GET /api/v1/users?limit=50`, in the same run.

Usage: bench/foundation.py [--scale N] [--duration S] [--connections C] [--postgres URL]
Needs a release build (cargo build --release) and wrk.
"""

import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request

BIN = os.path.abspath("target/release/castellan")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def wrk(url, duration, connections, token=None):
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+\w+)", out).group(1)
    p50 = re.search(r"50%\s+([\d.]+\w+)", out).group(1)
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise SystemExit(f"{url}: {non2xx.group(1)} failed responses\n{out}")
    return rps, p50, p99


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=50000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--postgres", help="a PostgreSQL URL of an empty database to use")
    args = ap.parse_args()

    work = tempfile.mkdtemp(prefix="castellan-bench-")
    url = args.postgres or f"sqlite://{work}/castellan.db"
    port = free_port()
    env = dict(os.environ, CASTELLAN_DATABASE_URL=url, CASTELLAN_LISTEN=f"127.0.0.1:{port}",
               CASTELLAN_ADMIN_PASSWORD="benchmark-passphrase", CASTELLAN_LOG="warn")
    env.pop("CASTELLAN_CONFIG", None)
    t0 = time.perf_counter()
    subprocess.run([BIN, "demo", "--scale", str(args.scale)], env=env, check=True,
                   capture_output=True)
    demo_s = time.perf_counter() - t0

    start = time.perf_counter()
    server = subprocess.Popen([BIN, "serve"], env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    while True:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.002)
    ready_ms = (time.perf_counter() - start) * 1000
    try:
        time.sleep(2)
        idle_rss = rss_kib(server.pid)
        req = urllib.request.Request(
            base + "/api/v1/auth/login",
            data=json.dumps({"username": "chen.jing", "password": "castellan-demo-2026"}).encode(),
            headers={"content-type": "application/json"})
        token = json.load(urllib.request.urlopen(req))["token"]
        page = json.load(urllib.request.urlopen(urllib.request.Request(
            base + "/api/v1/users?limit=50", headers={"authorization": f"Bearer {token}"})))
        assert len(page["items"]) == 50 and page["next_cursor"], "the list is full"
        # Warm up both paths, then measure them back to back.
        wrk(base + "/healthz", 2, args.connections)
        wrk(base + "/api/v1/users?limit=50", 2, args.connections, token)
        h = wrk(base + "/healthz", args.duration, args.connections)
        u = wrk(base + "/api/v1/users?limit=50", args.duration, args.connections, token)
        loaded_rss = rss_kib(server.pid)
    finally:
        server.terminate()
        server.wait()
        shutil.rmtree(work, ignore_errors=True)

    backend = "PostgreSQL" if args.postgres else "SQLite"
    users = min(max(args.scale // 50, 30), 20000)
    print(f"backend: {backend}; demo --scale {args.scale} ({users} users) generated in {demo_s:.1f} s")
    print(f"cold start to ready: {ready_ms:.0f} ms; idle RSS: {idle_rss / 1024:.1f} MiB; RSS after load: {loaded_rss / 1024:.1f} MiB")
    print(f"wrk -t2 -c{args.connections} -d{args.duration}s")
    print(f"| endpoint | req/s | p50 | p99 |")
    print(f"|---|---|---|---|")
    print(f"| GET /healthz | {h[0]:.0f} | {h[1]} | {h[2]} |")
    print(f"| GET /api/v1/users?limit=50 (bearer) | {u[0]:.0f} | {u[1]} | {u[2]} |")
    ratio = u[0] / h[0]
    print(f"ratio authenticated list / healthz: {ratio:.2f} (target >= 0.30: {'met' if ratio >= 0.3 else 'NOT met'})")


if __name__ == "__main__":
    main()
