"""The 报送平台 under load, on a warm server (uvicorn in this process, as `chuangwen portal` runs it):

    .venv/bin/python benchmarks/portal.py [--checks 30] [--burst 50]

1. One county uploads its sample file `--checks` times one after another: seconds per upload (the whole
   request: receipt, the `check` of the file, archive, placement, the page), median and p95.
2. `--burst` uploads at once from the eight counties (threads, one HTTP client per county): every answer's
   status, the wall time, and whether every upload is in the ledger and every county has its one file.
State (accounts, archive, raw folder) lives in a temporary folder. Figures: benchmarks/README.md."""

from __future__ import annotations

import argparse
import re
import socket
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _csrf(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--checks", type=int, default=30)
    parser.add_argument("--burst", type=int, default=50)
    args = parser.parse_args()

    from core.runtime import configure

    configure()
    import httpx
    import uvicorn

    from adapters.accounts import AccountStore
    from adapters.submissions import Submissions
    from expectations.catalog import load_catalog
    from web.app import Portal, create_app

    sample = ROOT / "data" / "raw" / "2022Q4"
    catalog = load_catalog()
    names = [c.name for c in catalog.counties]
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        store = AccountStore(tmp / "portal.sqlite3")
        once = {name: store.add(name) for name in names}
        portal = Portal(store, catalog, "2022Q4", Submissions(tmp / "raw", tmp / "received"), tmp / "out")
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = uvicorn.Server(uvicorn.Config(create_app(portal), host="127.0.0.1", port=port, log_level="warning"))
        threading.Thread(target=server.run, daemon=True).start()
        while not server.started:
            time.sleep(0.05)
        url = f"http://127.0.0.1:{port}"

        clients, tokens = {}, {}
        for name in names:
            client = httpx.Client(base_url=url, timeout=900, follow_redirects=True)
            r = client.post("/login", data={"name": name, "password": once[name], "csrf": _login(client)})
            new = "wenshan-2023!"
            r = client.post("/password", data={"old": once[name], "new": new, "again": new, "csrf": _csrf(r.text)})
            clients[name], tokens[name] = client, _csrf(client.get("/").text)
        files = {name: (sample / f"{name}.xlsx").read_bytes() for name in names if (sample / f"{name}.xlsx").exists()}

        first = next(iter(files))
        seconds = []
        for _ in range(args.checks + 1):
            t = time.perf_counter()
            r = clients[first].post("/upload", data={"csrf": tokens[first]}, files={"file": ("a.xlsx", files[first])})
            seconds.append(time.perf_counter() - t)
            assert r.status_code == 200, r.status_code
        seconds = seconds[1:]  # the first warms the catalog's caches
        p95 = statistics.quantiles(seconds, n=20)[18]
        print(
            f"upload + check of {first}.xlsx ({len(files[first]) // 1024} KB), {args.checks} in a row on a warm server:"
        )
        print(f"  median {statistics.median(seconds):.3f} s, p95 {p95:.3f} s, max {max(seconds):.3f} s")

        before = len(portal.submissions.uploads("2022Q4"))
        codes: list[int] = []
        senders = [list(files)[k % len(files)] for k in range(args.burst)]

        def send(name: str) -> None:
            r = clients[name].post("/upload", data={"csrf": tokens[name]}, files={"file": ("b.xlsx", files[name])})
            codes.append(r.status_code)

        threads = [threading.Thread(target=send, args=(name,)) for name in senders]
        t = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - t
        kept = len(portal.submissions.uploads("2022Q4")) - before
        placed = sorted(p.name for p in (tmp / "raw" / "2022Q4").iterdir())
        print(
            f"{args.burst} uploads at once from {len(files)} counties: {wall:.1f} s wall, answers {sorted(set(codes))}"
        )
        print(f"  answered {len(codes)}/{args.burst}, in the ledger {kept}/{args.burst}, placed files {len(placed)}")
        server.should_exit = True


def _login(client) -> str:
    return _csrf(client.get("/login").text)


if __name__ == "__main__":
    main()
