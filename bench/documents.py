#!/usr/bin/env python3
"""Documents and acknowledgements (issue 14), on data from `castellan demo`.

`castellan demo --scale 1000000` makes 20,000 documents with about 100,000 versions and
20,000 users; its overall information security policy (ISMS-POL-00) is addressed to the
whole organization and confirmed by about three in four. The script serves that database
with the release binary and measures from a client on the same machine, 40 sequential calls
per line (p50/p95):

- `GET /api/v1/documents` (the register) with each filter, as the security officer (the
  whole register) and as a member of staff (documents in force and their own);
- one document with its change history;
- the acknowledgement coverage of the policy addressed to everyone, and the list of who has
  not confirmed;
- "waiting for me" of a member of staff (documents to read among the rest);
- the register, document and coverage pages.

Usage: bench/documents.py [--scale N] [--work DIR] [--postgres URL]
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
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from incidents import BIN, call, free_port, login, timings, ui_session  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=1_000_000)
    ap.add_argument("--work", help="keep files in this directory and reuse its demo database")
    ap.add_argument("--postgres", help="a PostgreSQL URL of an empty database to use")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="castellan-documents-")
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
        reg = json.loads(call(base + "/api/v1/documents?limit=1", officer))
        policy = json.loads(call(base + "/api/v1/documents?q=isms-pol-00&limit=1", officer))["items"][0]
        cov = json.loads(call(f"{base}/api/v1/documents/{policy['id']}/acknowledgements", officer))
        print(f"{reg['total']:,} documents; {policy['code']} addressed to {cov['total']:,} people, "
              f"{cov['acknowledged']:,} confirmed\n")
        # A member of staff with something to read, and a document with a long history.
        pending = json.loads(call(f"{base}/api/v1/documents/{policy['id']}/acknowledgements/pending", officer))
        admin = login(base, "lin.xiaodong")
        staff_id = pending["items"][0]["user_id"]
        staff = json.loads(call(f"{base}/api/v1/users/{staff_id}", admin))["username"]
        owner = policy["owner_id"]
        filters = ["", "status=effective", "status=in_review", "kind=policy", "family=network",
                   "q=访问控制", "review=due", "review=overdue", f"owner_id={owner}",
                   "kind=specification&family=system", "sort=-code"]
        print("| `GET /api/v1/documents?…&limit=50` as | filter | total | p50 ms | p95 ms |")
        print("|---|---|---|---|---|")
        for label, username, fs in [("security officer (whole register)", "chen.jing", filters),
                                    ("member of staff (in force and own)", staff, ["", "family=data", "q=制度"])]:
            token = login(base, username)
            for f in fs:
                q = urllib.parse.quote(f, safe="=&-")
                u = f"{base}/api/v1/documents?{q}{'&' if q else ''}limit=50"
                n = json.loads(call(u, token))["total"]
                p50, p95 = timings(lambda: call(u, token), 40)
                print(f"| {label} | `{f or '(none)'}` | {n:,} | {p50:.1f} | {p95:.1f} |")
        staff_token = login(base, staff)
        print("\n| call | p50 ms | p95 ms |\n|---|---|---|")
        lines = [
            (f"GET /api/v1/documents/{{id}} ({policy['code']}, with its history)", f"/api/v1/documents/{policy['id']}", officer),
            (f"GET …/acknowledgements (coverage of {cov['total']:,} people)", f"/api/v1/documents/{policy['id']}/acknowledgements", officer),
            ("GET …/acknowledgements/pending (who has not, first 1,000)", f"/api/v1/documents/{policy['id']}/acknowledgements/pending", officer),
            ("GET /api/v1/me/approvals (member of staff)", "/api/v1/me/approvals", staff_token),
        ]
        for label, path, token in lines:
            u = base + path
            call(u, token)
            p50, p95 = timings(lambda: call(u, token), 40)
            print(f"| {label} | {p50:.1f} | {p95:.1f} |")
        opener = ui_session(base, "chen.jing")
        print("\n| page | p50 ms | p95 ms |\n|---|---|---|")
        for path in ["/documents", "/documents?view=review", f"/documents/{policy['id']}",
                     f"/documents/{policy['id']}/acknowledgements"]:
            u = base + path
            opener.open(u).read()
            p50, p95 = timings(lambda: opener.open(u).read(), 20)
            print(f"| {path} | {p50:.1f} | {p95:.1f} |")
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
