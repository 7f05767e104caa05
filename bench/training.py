#!/usr/bin/env python3
"""Training attendance and completion (issue 14), on data from `castellan demo`.

On `castellan demo --scale 1000000` (20,000 users; this year's plan approved, with its
sessions held and attended), the script adds a session for everyone, marks it held, and
imports its attendance from a CSV of 20,000 usernames — UTF-8 and GBK, each three times
(the later runs replace the same lines) — timing the whole upload-to-answer. Then, 40
sequential calls per line (p50/p95): completion by department of the plan, a member's
own trainings, the training page with its 5,000-line attendance form.

Usage: bench/training.py [--scale N] [--work DIR] [--postgres URL]
Needs a release build (cargo build --release).
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from incidents import BIN, call, free_port, login, timings, ui_session  # noqa: E402


def multipart(name, content):
    boundary = "bench-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            f"Content-Type: text/csv\r\n\r\n").encode() + content + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=1_000_000)
    ap.add_argument("--work", help="keep files in this directory and reuse its demo database")
    ap.add_argument("--postgres", help="a PostgreSQL URL of an empty database to use")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="castellan-training-")
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, f"documents-{args.scale}.db")
    url = args.postgres or f"sqlite://{db}"
    port = free_port()
    env = dict(os.environ, CASTELLAN_ADMIN_PASSWORD="benchmark-passphrase",
               CASTELLAN_LOG="warn", CASTELLAN_DATABASE_URL=url,
               CASTELLAN_LISTEN=f"127.0.0.1:{port}", CASTELLAN_DATA_DIR=os.path.join(work, "data"))
    env.pop("CASTELLAN_CONFIG", None)
    server = None
    try:
        if not os.path.exists(db) and not args.postgres:
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
        ca = login(base, "sun.yan")
        admin = login(base, "lin.xiaodong")
        # Every username, through the API.
        names, cursor = [], None
        while True:
            u = f"{base}/api/v1/users?limit=200" + (f"&cursor={cursor}" if cursor else "")
            page = json.loads(call(u, admin))
            names += [x["username"] for x in page["items"] if x["status"] == "active"]
            cursor = page.get("next_cursor")
            if not cursor:
                break
        names = names[:20_000]
        plans = json.loads(call(base + "/api/v1/training-plans", ca))["items"]
        plan = next(p for p in plans if p["status"] == "approved")
        year = plan["year"]
        today = time.strftime("%Y-%m-%d")
        body = json.dumps({"plan_id": plan["id"], "title": "全员安全意识考核", "planned_month": int(today[5:7])}).encode()
        t = json.loads(call(base + "/api/v1/trainings", ca, body, {"content-type": "application/json"}, "POST"))
        patch = json.dumps({"title": "全员安全意识考核", "planned_month": int(today[5:7]), "status": "held", "held_at": today}).encode()
        call(f"{base}/api/v1/trainings/{t['id']}", ca, patch, {"content-type": "application/json", "if-match": f'"{t["version"]}"'}, "PATCH")
        print(f"{len(names):,} usernames; plan {year}\n")
        print("| attendance file (20,000 lines) | run | seconds | recorded |\n|---|---|---|---|")
        csv = "用户名,成绩\r\n" + "".join(f"{n},{60 + i % 41}\r\n" for i, n in enumerate(names))
        for label, content in [("UTF-8", csv.encode("utf-8")), ("GBK", csv.encode("gbk"))]:
            data, ct = multipart("attendance.csv", content)
            for run in range(1, 4):
                t0 = time.perf_counter()
                r = json.loads(call(f"{base}/api/v1/trainings/{t['id']}/attendance/import", ca, data, {"content-type": ct}, "POST"))
                print(f"| {label} | {run} | {time.perf_counter() - t0:.2f} | {r['recorded']:,} |")
        officer = login(base, "chen.jing")
        member = login(base, names[len(names) // 2])
        print("\n| call | p50 ms | p95 ms |\n|---|---|---|")
        for label, path, token in [
            (f"GET /api/v1/training-plans/{{id}}/completion ({year})", f"/api/v1/training-plans/{plan['id']}/completion", officer),
            ("GET /api/v1/me/trainings (a member of staff)", f"/api/v1/me/trainings?year={year}", member),
            (f"GET /api/v1/trainings/{{id}} (20,000 people)", f"/api/v1/trainings/{t['id']}", officer),
        ]:
            u = base + path
            call(u, token)
            p50, p95 = timings(lambda: call(u, token), 40)
            print(f"| {label} | {p50:.1f} | {p95:.1f} |")
        opener = ui_session(base, "sun.yan")
        print("\n| page | p50 ms | p95 ms |\n|---|---|---|")
        for path in ["/trainings", f"/training-plans/{plan['id']}", f"/training-plans/{plan['id']}/completion", f"/trainings/{t['id']}"]:
            u = base + path
            opener.open(u).read()
            p50, p95 = timings(lambda: opener.open(u).read(), 10)
            print(f"| {path} | {p50:.1f} | {p95:.1f} |")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
