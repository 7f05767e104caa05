#!/usr/bin/env python3
"""Security incidents (issue 13), on data from `castellan demo`.

`castellan demo --scale 800000` makes a year of 100,000 incidents (next to 800,000 assets and
the rest of the demo organization). The script serves that database with the release binary
and measures from a client on the same machine, 40 sequential calls per line (p50/p95):

- `GET /api/v1/incidents` with each filter (and none), as the security officer (every
  incident), a member of staff (their own reports) and the data administrator (incidents on
  databases and data);
- `GET /api/v1/incidents/counts?year=` (months × class × level) for the two years the demo
  spans;
- the incident list page;
- a 50 MiB attachment uploaded and downloaded through the API, sampling the server's
  anonymous resident memory (RssAnon: heap and stacks) every 10 ms: the increase over the idle server is reported.

Usage: bench/incidents.py [--scale N] [--work DIR] [--postgres URL]
Needs a release build (cargo build --release).
"""

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request

BIN = os.path.abspath("target/release/castellan")
PASSWORD = "castellan-demo-2026"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url, token, data=None, headers=None, method=None):
    h = {"authorization": f"Bearer {token}"}
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=h, method=method)
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


def rss_kib(pid):
    """The process's own (anonymous) resident memory: its heap and stacks. File pages the
    SQLite readers map (`mmap_size`) are the operating system's file cache, shared and
    reclaimable, and are left out."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1])
    return 0


class Sampler:
    """Samples a process's resident memory every 10 ms while running."""

    def __init__(self, pid):
        self.pid, self.peak, self.stop = pid, 0, False
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop:
            self.peak = max(self.peak, rss_kib(self.pid))
            time.sleep(0.01)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop = True
        self.thread.join()


class Chunked:
    """A file-like multipart body generated on the fly (the client holds no 50 MiB buffer)."""

    def __init__(self, head, size, tail):
        self.parts = [head, None, tail]
        self.size, self.sent = size, 0
        self.block = bytes(range(256)) * 4096  # 1 MiB

    def read(self, n=-1):
        if self.parts[0]:
            out, self.parts[0] = self.parts[0], b""
            return out
        if self.sent < self.size:
            k = min(len(self.block), self.size - self.sent)
            self.sent += k
            return self.block[:k]
        out, self.parts[2] = self.parts[2], b""
        return out


def attachment_bench(base, server, officer):
    """A 50 MiB attachment, up and down, with the server's memory sampled (first, on a
    server that has served nothing else yet)."""
    open_one = json.loads(call(base + "/api/v1/incidents?status=investigating&limit=1", officer))["items"][0]
    sa = login(base, "li.qiang")
    size = 50 * 1024 * 1024
    boundary = "castellan-bench-boundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"evidence.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    length = len(head) + size + len(tail)
    time.sleep(0.5)
    idle = rss_kib(server.pid)
    with Sampler(server.pid) as s:
        t0 = time.perf_counter()
        req = urllib.request.Request(
            f"{base}/api/v1/incidents/{open_one['id']}/attachments",
            data=Chunked(head, size, tail), method="POST",
            headers={"authorization": f"Bearer {sa}",
                     "content-type": f"multipart/form-data; boundary={boundary}",
                     "content-length": str(length)})
        saved = json.load(urllib.request.urlopen(req))
        up = time.perf_counter() - t0
    up_peak = s.peak
    time.sleep(0.5)
    idle2 = rss_kib(server.pid)
    with Sampler(server.pid) as s:
        t0 = time.perf_counter()
        req = urllib.request.Request(
            f"{base}/api/v1/incidents/{open_one['id']}/attachments/{saved['id']}",
            headers={"authorization": f"Bearer {sa}"})
        got = 0
        with urllib.request.urlopen(req) as r:
            while True:
                chunk = r.read(1 << 20)
                if not chunk:
                    break
                got += len(chunk)
        down = time.perf_counter() - t0
    assert got == size, got
    print("\n| 50 MiB attachment | seconds | server memory (RssAnon) before | peak | increase |")
    print("|---|---|---|---|---|")
    print(f"| upload | {up:.2f} | {idle / 1024:.1f} MiB | {up_peak / 1024:.1f} MiB | "
          f"{(up_peak - idle) / 1024:.1f} MiB |")
    print(f"| download | {down:.2f} | {idle2 / 1024:.1f} MiB | {s.peak / 1024:.1f} MiB | "
          f"{(s.peak - idle2) / 1024:.1f} MiB |")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--scale", type=int, default=800_000)
    ap.add_argument("--work", help="keep files in this directory and reuse its demo database")
    ap.add_argument("--postgres", help="a PostgreSQL URL of an empty database to use")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="castellan-incidents-")
    os.makedirs(work, exist_ok=True)
    db = os.path.join(work, f"incidents-{args.scale}.db")
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
        attachment_bench(base, server, officer)
        total = json.loads(call(base + "/api/v1/incidents?limit=1", officer))["total"]
        print(f"{total:,} incidents\n")
        # Filter values that exist in the demo.
        sample = json.loads(call(base + "/api/v1/incidents?status=closed&limit=200", officer))["items"]
        dept = next(i["department_id"] for i in sample if i["department_id"])
        asset = next(i["affected_asset_ids"][0] for i in sample if i["affected_asset_ids"])
        reporter_id = sample[0]["reporter_id"]
        admin = login(base, "lin.xiaodong")
        reporter = json.loads(call(f"{base}/api/v1/users/{reporter_id}", admin))["username"]
        year = time.gmtime().tm_year
        month = f"{year}-{time.gmtime().tm_mon:02d}"
        filters = ["", "status=closed", "status=reported", "level=critical", "class=special",
                   "category=data_security", f"department_id={dept}", f"asset_id={asset}",
                   f"from={month}-01&to={month}-28", "overdue=true", "q=勒索",
                   "level=major&class=serious&category=malware", "sort=reported_at"]
        print("| `GET /api/v1/incidents?…&limit=50` as | filter | total | p50 ms | p95 ms |")
        print("|---|---|---|---|---|")
        callers = [("security officer", "chen.jing", filters),
                   ("member of staff (own reports)", reporter, ["", "status=closed"]),
                   ("data administrator (databases and data)", "huang.fang", ["", "level=major"])]
        for label, username, fs in callers:
            token = login(base, username)
            for f in fs:
                q = urllib.parse.quote(f, safe="=&")
                u = f"{base}/api/v1/incidents?{q}{'&' if q else ''}limit=50"
                n = json.loads(call(u, token))["total"]
                p50, p95 = timings(lambda: call(u, token), 40)
                print(f"| {label} | `{f or '(none)'}` | {n:,} | {p50:.1f} | {p95:.1f} |")
        print("\n| counts by month × class × level | total | p50 ms | p95 ms |")
        print("|---|---|---|---|")
        for y in [year - 1, year]:
            u = f"{base}/api/v1/incidents/counts?year={y}"
            n = json.loads(call(u, officer))["total"]
            p50, p95 = timings(lambda: call(u, officer), 40)
            print(f"| {y} | {n:,} | {p50:.1f} | {p95:.1f} |")
        opener = ui_session(base, "chen.jing")
        print("\n| page | p50 ms | p95 ms |\n|---|---|---|")
        for path in ["/incidents", "/incidents?overdue=1", "/incidents/counts"]:
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
