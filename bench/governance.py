#!/usr/bin/env python3
"""Inspections, goals and password custody (issue 15), on data from `castellan demo`.

On `castellan demo --scale 20000` (10x the volumes of the scale-2,000 demo: 20,000 assets,
400 users, a year of inspections with findings and their rectification tasks, this year's
goal breakdown, the demo's custody records), the script adds password-custody records
through the API until there are 10,000 (one per asset and account, holders and backups
drawn from the users, a share without a backup and a share changed long ago), then makes
40 sequential calls per line (p50/p95 ms): every list of the issue, the custody warnings,
the register filtered by a warning, the security officer's "waiting for me", the
continuity lists (4,948 backup plans with the uncovered high-value assets) and the pages.

Usage: bench/governance.py [--scale N] [--records N] [--work DIR] [--postgres URL]
Needs a release build (cargo build --release).
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from incidents import BIN, call, free_port, login, timings, ui_session  # noqa: E402


def post(url, token, body):
    return json.loads(call(url, token, json.dumps(body).encode(),
                           {"content-type": "application/json"}, "POST"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=20_000)
    ap.add_argument("--records", type=int, default=10_000)
    ap.add_argument("--work", help="keep files in this directory and reuse its demo database")
    ap.add_argument("--postgres", help="a PostgreSQL URL of an empty database to use")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="castellan-governance-")
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, f"governance-{args.scale}.db")
    url = args.postgres or f"sqlite://{db}"
    port = free_port()
    env = dict(os.environ, CASTELLAN_ADMIN_PASSWORD="benchmark-passphrase",
               CASTELLAN_LOG="warn", CASTELLAN_DATABASE_URL=url,
               CASTELLAN_LISTEN=f"127.0.0.1:{port}", CASTELLAN_DATA_DIR=os.path.join(work, "data"))
    env.pop("CASTELLAN_CONFIG", None)
    server = None
    try:
        fresh = args.postgres or not os.path.exists(db)
        if fresh:
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
        admin = login(base, "lin.xiaodong")
        have = json.loads(call(base + "/api/v1/custody?state=all&limit=1", officer))["total"]
        if have < args.records:
            users, cursor = [], None
            while True:
                u = f"{base}/api/v1/users?limit=200" + (f"&cursor={cursor}" if cursor else "")
                page = json.loads(call(u, admin))
                users += [x["id"] for x in page["items"] if x["status"] == "active"]
                cursor = page.get("next_cursor")
                if not cursor:
                    break
            assets, cursor = [], None
            while len(assets) < args.records:
                u = f"{base}/api/v1/assets?limit=200" + (f"&cursor={cursor}" if cursor else "")
                page = json.loads(call(u, officer))
                assets += [x["id"] for x in page["items"]]
                cursor = page.get("next_cursor")
                if not cursor:
                    break
            keeper = login(base, "li.qiang")
            t0 = time.perf_counter()
            made = 0
            for i in range(args.records - have):
                holder = users[i % len(users)]
                backup = users[(i * 7 + 3) % len(users)]
                body = {"asset_id": assets[i % len(assets)], "account": f"bench-{i // len(assets)}-{i}",
                        "holder_id": holder, "change_interval_days": 90}
                if i % 5 and backup != holder:
                    body["backup_holder_id"] = backup
                if i % 3:
                    body["last_changed_at"] = time.strftime(
                        "%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86400 * (i % 150)))
                try:
                    post(base + "/api/v1/custody", keeper, body)
                    made += 1
                except urllib.error.HTTPError as e:
                    print("refused:", e.read()[:200])
                    break
            print(f"added {made} custody records through the API in {time.perf_counter() - t0:.1f} s")
        total = json.loads(call(base + "/api/v1/custody?state=all&limit=1", officer))["total"]
        print(f"custody records: {total}")
        n = 40
        rows = []

        def line(label, path, token=officer):
            p50, p95 = timings(lambda: call(base + path, token), n)
            rows.append((label, p50, p95))

        line("GET /api/v1/custody?limit=50", "/api/v1/custody?limit=50")
        line("GET /api/v1/custody?warning=any&limit=50", "/api/v1/custody?warning=any&limit=50")
        line("GET /api/v1/custody?warning=handover_unchanged", "/api/v1/custody?warning=handover_unchanged")
        line("GET /api/v1/custody?sort=-warnings&limit=50", "/api/v1/custody?sort=-warnings&limit=50")
        line("GET /api/v1/custody/warnings", "/api/v1/custody/warnings")
        line("GET /api/v1/me/approvals (security officer)", "/api/v1/me/approvals")
        line("GET /api/v1/inspection-plans", "/api/v1/inspection-plans")
        line("GET /api/v1/inspections?limit=50", "/api/v1/inspections?limit=50")
        line("GET /api/v1/checklists", "/api/v1/checklists")
        line("GET /api/v1/rectifications?limit=50", "/api/v1/rectifications?limit=50")
        line("GET /api/v1/rectifications?source=inspection", "/api/v1/rectifications?source=inspection")
        line("GET /api/v1/goals?limit=50", "/api/v1/goals?limit=50")
        line("GET /api/v1/backup-plans?limit=50", "/api/v1/backup-plans?limit=50")
        line("GET /api/v1/backup-plans/uncovered", "/api/v1/backup-plans/uncovered")
        line("GET /api/v1/dr-plans", "/api/v1/dr-plans")
        line("GET /api/v1/drills", "/api/v1/drills")
        year = time.gmtime().tm_year
        line(f"GET /api/v1/goals/tree?year={year}", f"/api/v1/goals/tree?year={year}")
        ui = ui_session(base, "chen.jing")
        for label, path in [("page /custody", "/custody"), ("page /custody?warning=any", "/custody?warning=any"),
                            ("page /inspection-plans", "/inspection-plans"),
                            ("page /inspections", "/inspections"), ("page /backup-plans", "/backup-plans"),
                            ("page /drills", "/drills"), (f"page /goals?year={year}", f"/goals?year={year}")]:
            p50, p95 = timings(lambda: ui.open(base + path).read(), n)
            rows.append((label, p50, p95))
        print(f"\n{n} sequential calls per line:\n")
        print("| call | p50 / p95 ms |\n|---|---|")
        for label, p50, p95 in rows:
            print(f"| `{label}` | {p50:.1f} / {p95:.1f} |")
    finally:
        if server:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    main()
