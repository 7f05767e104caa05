#!/usr/bin/env python3
"""Asset register benchmark (issue 3), measured side by side in one run:

1. Import of N assets from one CSV file: `castellan import assets` against the sqlite3
   shell's `.import` of the same file into a plain table (and, with --postgres, against
   `psql \\copy`), with the importer's peak RSS.
2. At N assets (from `castellan demo --scale N`): wrk on `/healthz` against an authenticated
   filtered `GET /api/v1/assets?limit=50&category=server`, and p50/p95 of list and search
   requests.

Usage: bench/assets.py [--rows N] [--duration S] [--postgres URL] [--skip-import] [--work DIR]
Needs a release build (cargo build --release), wrk and the sqlite3 shell.
"""

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

BIN = os.path.abspath("target/release/castellan")
HEADER = ["code", "name", "category", "department", "owner", "custodian", "location", "zone",
          "classification", "confidentiality", "integrity", "availability", "status", "tags",
          "notes"]
CATEGORIES = ["network_device", "security_device", "server", "terminal", "database", "software",
              "data", "service", "facility", "personnel", "document", "other"]
NAMES = ["核心交换机", "下一代防火墙", "应用服务器", "办公台式机", "客户数据库", "ERP 系统",
         "客户个人信息", "门户网站", "UPS 不间断电源", "运维岗位", "应急响应预案", "数字证书"]
SITES = ["北京总部", "上海数据中心", "深圳研发中心", "成都灾备中心"]


def write_csv(path, rows):
    rnd = random.Random(20261122)
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(HEADER) + "\r\n")
        for i in range(rows):
            k = rnd.randrange(12)
            site = SITES[rnd.randrange(4)]
            f.write(",".join([
                f"IMP-{i:08d}", f"{site}{NAMES[k]} {i % 97:02d}", CATEGORIES[k], "GROUP", "admin",
                "运维值班组", f"{site} A 座 3 层机房", "intranet", "internal",
                str(rnd.randint(1, 5)), str(rnd.randint(1, 5)), str(rnd.randint(1, 5)), "in_use",
                "生产;等保三级" if i % 3 == 0 else "", "\"华为, S6730\"",
            ]) + "\r\n")


def timed(cmd, env=None, stdin=None):
    t0 = time.perf_counter()
    out = subprocess.run(["/usr/bin/time", "-v"] + cmd, env=env, capture_output=True, text=True,
                         input=stdin)
    elapsed = time.perf_counter() - t0
    if out.returncode != 0:
        raise SystemExit(f"{cmd} failed:\n{out.stdout}\n{out.stderr}")
    rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", out.stderr).group(1))
    return elapsed, rss / 1024


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wrk(url, duration, token=None):
    cmd = ["wrk", "-t2", "-c32", f"-d{duration}s", "--latency"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd + [url], capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in out:
        raise SystemExit(out)
    return float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))


def latency(url, token=None, n=40, opener=None):
    """p50 and p95 of n sequential requests, with a bearer token or a signed-in opener."""
    times = []
    for _ in range(n):
        headers = {"authorization": f"Bearer {token}"} if token else {}
        req = urllib.request.Request(url, headers=headers)
        t0 = time.perf_counter()
        with (opener.open(req) if opener else urllib.request.urlopen(req)) as r:
            r.read()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def ui_session(base, username, password):
    """An opener signed in through the sign-in form (cookies and CSRF token)."""
    import http.cookiejar
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    html = opener.open(base + "/login").read().decode()
    csrf = re.search(r'name="csrf" value="([^"]+)"', html).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "username": username, "password": password,
                                   "next": "/"}).encode()
    opener.open(urllib.request.Request(base + "/login", data=form)).read()
    return opener


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--postgres", help="URL of an empty PostgreSQL database to use")
    ap.add_argument("--skip-import", action="store_true", help="only the serving part")
    ap.add_argument("--work", help="keep files in this directory and reuse its demo database")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="castellan-assets-")
    os.makedirs(work, exist_ok=True)
    csv = os.path.join(work, "assets.csv")
    base_env = dict(os.environ, CASTELLAN_ADMIN_PASSWORD="benchmark-passphrase",
                    CASTELLAN_LOG="warn")
    base_env.pop("CASTELLAN_CONFIG", None)
    try:
        # --- import -------------------------------------------------------------------
        if not args.skip_import:
            import_part(args, work, csv, base_env)

        # --- serving at N assets ------------------------------------------------------
        if not args.postgres:
            serving_part(args, work, base_env)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def import_part(args, work, csv, base_env):
    write_csv(csv, args.rows)
    size_mb = os.path.getsize(csv) / 1e6
    print(f"file: {args.rows} rows, {size_mb:.0f} MB UTF-8 CSV, 15 columns")
    ref_db = os.path.join(work, "plain.db")
    # A kept --work directory holds the previous run's databases: start both imports afresh.
    for name in ["plain.db", "import.db", "import.db-wal", "import.db-shm"]:
        if os.path.exists(os.path.join(work, name)):
            os.remove(os.path.join(work, name))
    ref_s, _ = timed(["sqlite3", ref_db, ".mode csv", f".import {csv} plain"])
    url = args.postgres or f"sqlite://{work}/import.db"
    env = dict(base_env, CASTELLAN_DATABASE_URL=url)
    subprocess.run([BIN, "demo", "--scale", "0"], env=env, check=True, capture_output=True)
    imp_s, imp_rss = timed([BIN, "import", "assets", csv], env=env)
    print("| import of the same file | seconds | rows/s | peak RSS |")
    print("|---|---|---|---|")
    print(f"| sqlite3 shell `.import` into a plain table | {ref_s:.1f} | {args.rows / ref_s:,.0f} | |")
    if args.postgres:
        psql = ["psql", args.postgres, "-q", "-c",
                "CREATE TABLE plain (" + ", ".join(f"{h} text" for h in HEADER) + ")",
                "-c", f"\\copy plain FROM '{csv}' WITH (FORMAT csv, HEADER true)"]
        pg_s, _ = timed(psql)
        print(f"| psql `\\copy` into a plain table | {pg_s:.1f} | {args.rows / pg_s:,.0f} | |")
    backend = "PostgreSQL" if args.postgres else "SQLite"
    print(f"| castellan import assets ({backend}) | {imp_s:.1f} | {args.rows / imp_s:,.0f} | {imp_rss:.0f} MiB |")


def serving_part(args, work, base_env):
    url = f"sqlite://{work}/demo.db"
    port = free_port()
    env = dict(base_env, CASTELLAN_DATABASE_URL=url, CASTELLAN_LISTEN=f"127.0.0.1:{port}")
    if not os.path.exists(os.path.join(work, "demo.db")):
        t0 = time.perf_counter()
        subprocess.run([BIN, "demo", "--scale", str(args.rows)], env=env, check=True,
                       capture_output=True)
        print(f"\ndemo --scale {args.rows}: {time.perf_counter() - t0:.1f} s")
    server = subprocess.Popen([BIN, "serve"], env=env, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(500):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.02)
        req = urllib.request.Request(
            base + "/api/v1/auth/login",
            data=json.dumps({"username": "chen.jing", "password": "castellan-demo-2026"}).encode(),
            headers={"content-type": "application/json"})
        token = json.load(urllib.request.urlopen(req))["token"]
        listing = base + "/api/v1/assets?limit=50&category=server"
        wrk(base + "/healthz", 2)
        wrk(listing, 2, token)
        h = wrk(base + "/healthz", args.duration)
        a = wrk(listing, args.duration, token)
        print(f"wrk -t2 -c32 -d{args.duration}s: /healthz {h:,.0f} req/s; "
              f"assets?limit=50&category=server {a:,.0f} req/s; ratio {a / h:.2f} (target >= 0.30)")
        print("\n| request (limit=50) | p50 ms | p95 ms |")
        print("|---|---|---|")
        quote = urllib.parse.quote
        for q in ["", "category=server", "status=retired", "department_id=5",
                  "value_level=5&zone=dmz", "sort=-value_score", "tag=pci",
                  "q=" + quote("交换"), "q=" + quote("交换机"), "q=" + quote("防火墙 07"),
                  "q=" + quote("上海数据中心") + "&category=server", "q=" + quote("鑫"),
                  "q=" + quote("无此资产"), "q=nomatch"]:
            p50, p95 = latency(f"{base}/api/v1/assets?limit=50&{q}", token)
            print(f"| {q or '(no filter)'} | {p50:.1f} | {p95:.1f} |")
        opener = ui_session(base, "chen.jing", "castellan-demo-2026")
        print("\n| page (signed in, 50 rows) | p50 ms | p95 ms |")
        print("|---|---|---|")
        for q in ["", "category=server&status=in_use", "sort=-value_score",
                  "q=" + quote("交换机"), "q=" + quote("无此资产")]:
            p50, p95 = latency(f"{base}/assets?{q}", opener=opener)
            print(f"| /assets?{q} | {p50:.1f} | {p95:.1f} |")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
