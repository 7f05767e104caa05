#!/usr/bin/env python3
"""XLSX decompression bombs and a legitimate worst case, read through
`crates/tabular/examples/read_table.rs`, with wall time and peak RSS.

Python 3 standard library only. The workbooks are written part by part as
streams (`ZipFile.open(name, "w")`), so a file that unpacks to many gigabytes
is generated without ever being held in memory.

    CARGO_TARGET_DIR=/work/target-tabular cargo build --release \\
        -p castellan-tabular --example read_table
    python3 bench/xlsx_bombs.py --bin new=/work/target-tabular/release/examples/read_table

Several `--bin label=path` compare builds (e.g. the reader before the fix).
`--server target/release/castellan` instead uploads each file to the import page of a
fresh server (as a security administrator) and reports the server's time to answer and
its peak and final RSS.
Each run is capped by `prlimit --as` (address space) and `timeout`, so a
reader that would exhaust the machine is stopped and reported as such.
"""

import argparse
import os
import re
import subprocess
import sys
import time
import zipfile

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
MiB = 1024 * 1024
GiB = 1024 * MiB


def col_name(col):
    """0 -> A, 26 -> AA."""
    name = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        name = chr(65 + rem) + name
    return name


def write_package(path, sheet_writer, shared_writer=None, styles=None):
    """Writes a minimal workbook; the sheet and shared strings are produced
    by callables that write chunks to a stream."""
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        overrides = [
            ("/xl/workbook.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"),
            ("/xl/worksheets/sheet1.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"),
        ]
        rels = [("rId1", "worksheet", "worksheets/sheet1.xml")]
        if shared_writer:
            overrides.append(("/xl/sharedStrings.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"))
            rels.append(("rId2", "sharedStrings", "sharedStrings.xml"))
        if styles:
            overrides.append(("/xl/styles.xml", "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"))
            rels.append(("rId3", "styles", "styles.xml"))
        zf.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
            + "</Types>",
        )
        zf.writestr(
            "_rels/.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL_NS}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        zf.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">'
            '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        zf.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="{PKG_REL_NS}">'
            + "".join(f'<Relationship Id="{i}" Type="{REL_NS}/{t}" Target="{target}"/>' for i, t, target in rels)
            + "</Relationships>",
        )
        if styles:
            zf.writestr("xl/styles.xml", styles)
        if shared_writer:
            with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
                shared_writer(out)
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as out:
            sheet_writer(out)
    os.replace(tmp, path)


def sheet_start(out):
    out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheetData>'.encode())


def sheet_end(out):
    out.write(b"</sheetData></worksheet>")


def repeat(out, chunk, total, unit=1):
    """Writes `chunk` until `total` bytes are written; the last one is cut
    to a whole number of `unit` bytes (an XML element), so that the result
    stays well-formed."""
    written = 0
    while written + unit <= total:
        piece = chunk[: (total - written) // unit * unit]
        out.write(piece)
        written += len(piece)


def shared_table(texts):
    def write(out):
        out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="{len(texts)}" uniqueCount="{len(texts)}">'.encode())
        for text in texts:
            out.write(f"<si><t>{text}</t></si>".encode())
        out.write(b"</sst>")

    return write


# --- The shapes --------------------------------------------------------------


def cell_bomb(path):
    """The finding's first file: one inline-string cell of 1 GiB of 'A'."""

    def sheet(out):
        sheet_start(out)
        out.write(b'<row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c></row>')
        out.write(b'<row r="2"><c r="A2" t="inlineStr"><is><t>')
        repeat(out, b"A" * MiB, GiB)
        out.write(b"</t></is></c></row>")
        sheet_end(out)

    write_package(path, sheet)


def shared_bomb(path):
    """The finding's second file: 1,000,000 rows x 256 cells, each the shared
    text 0, without cell references (~5.4 GB of XML)."""
    cells = b'<c t="s"><v>0</v></c>' * 256

    def sheet(out):
        sheet_start(out)
        for row in range(1, 1_000_001):
            out.write(b'<row r="%d">' % row + cells + b"</row>")
        sheet_end(out)

    write_package(path, sheet, shared_table(["x"]))


def empty_cells_bomb(path):
    """4 GiB of empty cells `<c/>` in rows of 1,000: nothing but events."""
    row = b"<row>" + b"<c/>" * 1000 + b"</row>"

    def sheet(out):
        sheet_start(out)
        repeat(out, row * 64, 4 * GiB, len(row))
        sheet_end(out)

    write_package(path, sheet)


def empty_cells_under(limit):
    """Empty cells `<c/>` just under `limit` bytes of sheet XML: the most
    events a sheet within the part limit can hold (read in full)."""

    def build(path):
        row = b"<row>" + b"<c/>" * 1000 + b"</row>"

        def sheet(out):
            sheet_start(out)
            repeat(out, row * 64, limit - 4096, len(row))
            sheet_end(out)

        write_package(path, sheet)

    return build


def slowest_under(limit):
    """The slowest workbook the part limit lets through: a shared-text part
    of empty rich-text runs and a sheet of empty cells, each just under
    `limit` bytes of XML, both read in full."""

    def build(path):
        def shared(out):
            out.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}"><si>'.encode())
            run = b"<r><rPr><b/></rPr><t></t></r>"
            repeat(out, run * 1024, limit - 4096, len(run))
            out.write(b"<t>x</t></si></sst>")

        row = b"<row>" + b"<c/>" * 1000 + b"</row>"

        def sheet(out):
            sheet_start(out)
            repeat(out, row * 64, limit - 4096, len(row))
            sheet_end(out)

        write_package(path, sheet, shared)

    return build


def shared_texts_max(path):
    """The most shared text the default limits hold in memory: 3,999,000
    texts of 32 characters (122 MiB), all read; one row uses the first."""

    def shared(out):
        out.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}">'.encode())
        item = b"<si><t>" + b"a" * 32 + b"</t></si>"
        repeat(out, item * 1000, len(item) * 3_999_000)
        out.write(b"</sst>")

    def sheet(out):
        sheet_start(out)
        out.write(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
        sheet_end(out)

    write_package(path, sheet, shared)


def rich_runs_bomb(path):
    """One shared text made of empty rich-text runs, 4 GiB of them."""

    def shared(out):
        out.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN_NS}"><si>'.encode())
        run = b"<r><rPr><b/></rPr><t></t></r>"
        repeat(out, run * 1024, 4 * GiB, len(run))
        out.write(b"<t>x</t></si></sst>")

    def sheet(out):
        sheet_start(out)
        out.write(b'<row r="1"><c r="A1" t="s"><v>0</v></c></row>')
        sheet_end(out)

    write_package(path, sheet, shared)


def many_entries(path):
    """A ZIP with 600,000 empty entries besides the workbook (directory bomb)."""
    write_package(path, lambda out: (sheet_start(out), sheet_end(out)))
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_STORED) as zf:
        for i in range(600_000):
            zf.writestr(f"z/{i}", b"")


def legit(rows, columns):
    """A sheet as Excel writes it: `rows` rows (header included) of
    `columns` columns: two unique texts per row (code, name), texts from
    small lists, whole and decimal numbers, dates, date-times, booleans."""
    lists = {
        "category": ["server", "network_device", "storage", "terminal", "software"],
        "department": [f"部门{i}" for i in range(40)],
        "owner": [f"user{i}" for i in range(300)],
        "location": [f"机房 {i % 9}, 机柜 {i}" for i in range(200)],
        "zone": ["intranet", "dmz", "office", "cloud"],
        "status": ["in_use", "idle", "retired"],
    }
    kinds = ["code", "name", "category", "department", "owner", "location", "zone", "status",
             "count", "price", "bought", "seen", "ok"]
    schema = [kinds[i] if i < len(kinds) else ("text" if i % 2 else "number") for i in range(columns)]

    def build(path):
        names = sorted({*sum(lists.values(), [])})
        index = {text: i for i, text in enumerate(names)}
        headers = [f"{kind}_{i}" for i, kind in enumerate(schema)]
        fixed = names + headers
        header_base = len(names)
        data_rows = rows - 1
        # Unique texts come after the fixed ones: 2 per row.
        unique_base = len(fixed)

        def shared(out):
            total = len(fixed) + 2 * data_rows
            out.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN_NS}" count="{total}" uniqueCount="{total}">'.encode())
            for text in fixed:
                out.write(f"<si><t>{text}</t></si>".encode())
            for r in range(data_rows):
                out.write(f"<si><t>A-{r:07d}</t></si><si><t>核心交换机 {r}</t></si>".encode())
            out.write(b"</sst>")

        letters = [col_name(c) for c in range(columns)]

        def sheet(out):
            sheet_start(out)
            parts = [f'<row r="1" spans="1:{columns}">']
            for c, letter in enumerate(letters):
                parts.append(f'<c r="{letter}1" t="s"><v>{header_base + c}</v></c>')
            parts.append("</row>")
            out.write("".join(parts).encode())
            batch = []
            for r in range(data_rows):
                n = r + 2
                cells = [f'<row r="{n}" spans="1:{columns}">']
                for c, kind in enumerate(schema):
                    ref = f"{letters[c]}{n}"
                    if kind == "code":
                        cells.append(f'<c r="{ref}" t="s"><v>{unique_base + 2 * r}</v></c>')
                    elif kind == "name":
                        cells.append(f'<c r="{ref}" t="s"><v>{unique_base + 2 * r + 1}</v></c>')
                    elif kind in lists:
                        choices = lists[kind]
                        cells.append(f'<c r="{ref}" t="s"><v>{index[choices[(r * 7 + c) % len(choices)]]}</v></c>')
                    elif kind == "count":
                        cells.append(f'<c r="{ref}"><v>{r % 1000}</v></c>')
                    elif kind == "price":
                        cells.append(f'<c r="{ref}"><v>{(r % 100000) / 100}</v></c>')
                    elif kind == "bought":
                        cells.append(f'<c r="{ref}" s="1"><v>{40000 + r % 5000}</v></c>')
                    elif kind == "seen":
                        cells.append(f'<c r="{ref}" s="2"><v>{40000 + r % 5000}.{r % 86400:05d}</v></c>')
                    elif kind == "ok":
                        cells.append(f'<c r="{ref}" t="b"><v>{r % 2}</v></c>')
                    elif kind == "text":
                        cells.append(f'<c r="{ref}" t="s"><v>{index[lists["owner"][(r + c) % 300]]}</v></c>')
                    else:
                        cells.append(f'<c r="{ref}"><v>{(r * c) % 100000}</v></c>')
                cells.append("</row>")
                batch.append("".join(cells))
                if len(batch) == 1000:
                    out.write("".join(batch).encode())
                    batch.clear()
            out.write("".join(batch).encode())
            sheet_end(out)

        styles = (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{MAIN_NS}">'
            '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\\-mm\\-dd\\ hh:mm:ss"/></numFmts>'
            '<cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/>'
            '<xf numFmtId="164" applyNumberFormat="1"/></cellXfs></styleSheet>'
        )
        write_package(path, sheet, shared, styles)

    return build


SHAPES = {
    "cell_bomb": cell_bomb,
    "shared_bomb": shared_bomb,
    "legit_1m_x20": legit(1_048_576, 20),
    "legit_1m_x30": legit(1_048_576, 30),
    "empty_cells_bomb": empty_cells_bomb,
    "empty_cells_1g": empty_cells_under(GiB),
    "slowest_1g": slowest_under(GiB),
    "rich_runs_bomb": rich_runs_bomb,
    "many_entries": many_entries,
    "shared_texts_max": shared_texts_max,
}


# --- Measuring ---------------------------------------------------------------


def measure(binary, path, mem_limit, timeout):
    """Runs the reader; returns (seconds, peak RSS in MB, outcome)."""
    command = ["timeout", str(timeout), binary, path]
    if mem_limit:
        command = ["prlimit", f"--as={mem_limit}", "--"] + command
    started = time.monotonic()
    if os.path.exists("/usr/bin/time"):
        stats = path + ".time"
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", stats] + command, capture_output=True, text=True)
        seconds = time.monotonic() - started
        with open(stats) as f:
            report = f.read()
        os.remove(stats)
        rss_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", report).group(1))
    else:
        import resource

        proc = subprocess.run(command, capture_output=True, text=True)
        seconds = time.monotonic() - started
        rss_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # max over all children so far
    outcome = (proc.stdout.strip() or proc.stderr.strip().splitlines()[-1:] and proc.stderr.strip().splitlines()[-1] or "")
    if proc.returncode == 124:
        outcome = f"killed by timeout after {timeout} s"
    elif proc.returncode not in (0, 1):
        tail = proc.stderr.strip().splitlines()[-1:] or [""]
        outcome = f"crashed (exit {proc.returncode}): {tail[0][:80]}"
    return seconds, rss_kb / 1024, outcome


def server_upload(binary, path, timeout):
    """Uploads `path` to the import page of a fresh `castellan serve` (SQLite, release
    build) as a security administrator; returns (seconds, server peak RSS in MB, server RSS
    afterwards in MB, outcome)."""
    import http.cookiejar
    import shutil
    import socket
    import tempfile
    import urllib.error
    import urllib.parse
    import urllib.request
    import uuid

    work = tempfile.mkdtemp(prefix="castellan-bomb-")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, CASTELLAN_DATABASE_URL=f"sqlite://{work}/c.db", CASTELLAN_LISTEN=f"127.0.0.1:{port}",
               CASTELLAN_DATA_DIR=f"{work}/data", CASTELLAN_ADMIN_PASSWORD="bench-admin-password-1", CASTELLAN_LOG="error")
    env.pop("CASTELLAN_CONFIG", None)
    password = "bench-upload-passphrase-1"
    subprocess.run([binary, "migrate"], env=env, cwd=work, check=True, capture_output=True)
    subprocess.run([binary, "user", "add", "keeper", "--role", "security_admin", "--password-stdin"],
                   env=env, cwd=work, input=password, text=True, check=True, capture_output=True)
    server = subprocess.Popen([binary, "serve"], env=env, cwd=work)

    def status(field):
        with open(f"/proc/{server.pid}/status") as f:
            return int(re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M).group(1)) / 1024

    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.05)
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        csrf = lambda html: re.search(r'name="csrf" value="([^"]+)"', html).group(1)
        page = opener.open(base + "/login").read().decode()
        form = urllib.parse.urlencode({"csrf": csrf(page), "username": "keeper", "password": password, "next": "/"})
        opener.open(base + "/login", data=form.encode())
        token = csrf(opener.open(base + "/assets/import").read().decode())
        boundary = uuid.uuid4().hex
        with open(path, "rb") as f:
            content = f.read()
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
                f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{os.path.basename(path)}\"\r\n"
                "Content-Type: application/vnd.openxmlformats-officedocument.spreadsheetml.sheet\r\n\r\n").encode()
        body += content + f"\r\n--{boundary}--\r\n".encode()
        content = None
        request = urllib.request.Request(base + "/assets/import", data=body,
                                         headers={"content-type": f"multipart/form-data; boundary={boundary}"})
        started = time.monotonic()
        try:
            answer = opener.open(request, timeout=timeout)
            code, html = answer.status, answer.read().decode()
        except urllib.error.HTTPError as e:
            code, html = e.code, e.read().decode()
        seconds = time.monotonic() - started
        # The first problem the page lists (its line, column and message).
        table = html.split('class="table problems"', 1)[-1]
        first_row = re.search(r"<tbody>\s*<tr>(.*?)</tr>", table, re.S)
        found = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", first_row.group(1))).strip() if first_row else ""
        outcome = f"{code}: {found}"
        peak = status("VmHWM")
        time.sleep(3)  # what the server keeps once the answer is out
        return seconds, peak, status("VmRSS"), outcome
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="/tmp/xlsx-bombs", help="where the workbooks are written (kept between runs)")
    parser.add_argument("--bin", action="append", default=[], metavar="LABEL=PATH", help="a read_table build to measure")
    parser.add_argument("--only", default="", help="comma-separated shapes (default: all): " + ", ".join(SHAPES))
    parser.add_argument("--mem-limit", type=int, default=8_000_000_000, help="address-space cap per run in bytes (0: none)")
    parser.add_argument("--timeout", type=int, default=300, help="seconds per run")
    parser.add_argument("--server", metavar="CASTELLAN", help="instead: upload each file to the import page of this castellan binary (release) and measure the server")
    args = parser.parse_args()

    names = [n for n in args.only.split(",") if n] or list(SHAPES)
    os.makedirs(args.out, exist_ok=True)
    files = {}
    for name in names:
        path = os.path.join(args.out, name + ".xlsx")
        if not os.path.exists(path):
            print(f"generating {name} …", file=sys.stderr, flush=True)
            started = time.monotonic()
            SHAPES[name](path)
            print(f"  {os.path.getsize(path) / MiB:.1f} MiB in {time.monotonic() - started:.0f} s", file=sys.stderr)
        files[name] = path

    if args.server:
        print("| file | size | time to answer | server peak RSS | server RSS 3 s later | answer |")
        print("|---|---|---|---|---|---|")
        for name, path in files.items():
            seconds, peak, after, outcome = server_upload(os.path.abspath(args.server), path, args.timeout)
            size = os.path.getsize(path) / MiB
            print(f"| {name} | {size:.1f} MiB | {seconds:.1f} s | {peak:.0f} MB | {after:.0f} MB | {outcome[:110]} |", flush=True)
        return

    print("| file | size | build | time | peak RSS | outcome |")
    print("|---|---|---|---|---|---|")
    for name, path in files.items():
        for spec in args.bin:
            label, _, binary = spec.partition("=")
            seconds, rss, outcome = measure(binary, path, args.mem_limit, args.timeout)
            size = os.path.getsize(path) / MiB
            print(f"| {name} | {size:.1f} MiB | {label} | {seconds:.1f} s | {rss:.0f} MB | {outcome[:110]} |", flush=True)


if __name__ == "__main__":
    main()
