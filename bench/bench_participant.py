"""Benchmark the participant side: the sort page's weight and autosave latency under load.

Run: ``.venv/bin/python bench/bench_participant.py [--participants 50] [--saves 20]``.
Starts the app on a free loopback port with a temporary SQLite store (loopback only), then

1. weighs the join, consent and sort pages on a first visit (empty cache): the HTML plus every
   stylesheet and script module each loads (following ``import ... from "./x.js"``), per
   request in bytes as files and on the wire (gzip), and for the sort page also what it
   fetches once shown (service worker, offline copies), the modules it loads on demand, and
   the sort page as reached from the consent page (what that page loaded is in the cache);
2. has N participants join and autosave ``--saves`` times each, all at once (one thread each),
   and prints p50/p90/p99 of the autosave round trip.

A report, not a test: it never fails on a time. Loops are bounded by count and by a deadline.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parents[1]
DEADLINE_S = 300.0


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    """``python -m app serve`` on loopback; wait until it answers."""
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "app",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
        ],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(200):
        try:
            httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not start")


def joined_client(base: str) -> httpx.Client:
    """A client that has accepted the demo study's consent (holds a token cookie)."""
    client = httpx.Client(base_url=base, timeout=30)
    client.post("/j/DEMO/consent", data={"choice": "accept"})
    return client


@dataclass
class Fetched:
    """One request of a page visit: its path, bytes as a file, and bytes on the wire."""

    path: str
    raw: int
    wire: int


STATIC_REF = re.compile(r'(?:href|src)="(/static/[^"]+)"')
STATIC_IMPORT = re.compile(r'(?:from|import) "\./([^"]+)"')
DYNAMIC_IMPORT = re.compile(r'import\("\./([^"]+)"\)')
WORKER_ASSET = re.compile(r'"(/static/[^"]+)"')


def fetch(client: httpx.Client, url: str) -> tuple[Fetched, str]:
    """GET ``url``; its weight and its text."""
    response = client.get(url)
    return Fetched(url, len(response.content), response.num_bytes_downloaded), response.text


def visit(client: httpx.Client, path: str, cache: set[str]) -> tuple[list[Fetched], list[str]]:
    """Load ``path`` as a browser does: the page, then every stylesheet and script module it
    loads at once (following static ``import ... from "./x.js"``).

    Static files already in ``cache`` (versioned URLs the browser keeps) are not fetched again.
    The client asks for gzip as browsers do; ``wire`` is what it downloaded. Also returns the
    modules the loaded scripts name in ``import("./x.js")`` (loaded only when a feature is used).
    """
    first, text = fetch(client, path)
    rows, later = [first], []
    queue = STATIC_REF.findall(text)
    while queue:
        url = queue.pop(0)
        if url in cache:
            continue
        cache.add(url)
        row, body = fetch(client, url)
        rows.append(row)
        if url.endswith(".js"):
            folder = url.rsplit("/", 1)[0]
            queue += [f"{folder}/{m}" for m in STATIC_IMPORT.findall(body)]
            later += [f"{folder}/{m}" for m in DYNAMIC_IMPORT.findall(body)]
    return rows, sorted(set(later) - cache)


def after_load(client: httpx.Client, cache: set[str]) -> list[Fetched]:
    """What the sort page fetches once shown: the service worker, the static files it keeps
    for an offline reload (those not in the browser's cache yet) and the offline shell."""
    worker, text = fetch(client, "/sw.js")
    rows = [worker]
    for url in WORKER_ASSET.findall(text):
        if url not in cache:
            cache.add(url)
            rows.append(fetch(client, url)[0])
    rows.append(fetch(client, "/p/shell")[0])
    return rows


def page_weights(base: str) -> dict[str, list[Fetched]]:
    """The join, consent and sort pages, each from an empty cache (a first visit), what the
    sort page fetches after it is shown, the modules it loads only on demand, and the sort
    page right after the consent page (the static files that page loaded are kept)."""
    weights: dict[str, list[Fetched]] = {}
    for name, path in (("join", "/"), ("consent", "/j/DEMO")):
        with httpx.Client(base_url=base, timeout=30) as client:
            weights[name] = visit(client, path, set())[0]
    client = joined_client(base)
    cache: set[str] = set()
    weights["sort"], later = visit(client, "/p", cache)
    weights["sort, after load"] = after_load(client, cache)
    weights["sort, on demand"] = [fetch(client, url)[0] for url in later]
    client.close()
    # the way a participant comes: the consent page, then the sort page (one browser cache)
    with httpx.Client(base_url=base, timeout=30) as client:
        cache = set()
        visit(client, "/j/DEMO", cache)
        client.post("/j/DEMO/consent", data={"choice": "accept"})
        weights["sort after consent"] = visit(client, "/p", cache)[0]
    return weights


def print_weights(weights: dict[str, list[Fetched]]) -> None:
    """Each page's requests (raw and gzip bytes), then a table of totals per page."""
    for name, rows in weights.items():
        print(f"{name}:")
        for row in rows:
            print(f"  {row.path:<48} {row.raw:>7} raw {row.wire:>7} wire")
    print(f"{'page':<18} {'raw bytes':>10} {'wire bytes':>11} {'requests':>9}")
    for name, rows in weights.items():
        raw, wire = sum(r.raw for r in rows), sum(r.wire for r in rows)
        print(f"{name:<18} {raw:>10} {wire:>11} {len(rows):>9}")


def participant(
    base: str, saves: int, out: list[float], failures: list[str], stop_at: float
) -> None:
    """Join, then autosave ``saves`` times with growing state, recording each round trip.

    A failed join or save is recorded in ``failures`` and ends this participant's run.
    """
    client = joined_client(base)
    if "qsort_token" not in client.cookies:
        failures.append("join")
        client.close()
        return
    revision = 0
    state: dict[str, object] = {"v": 1, "stage": "sort", "grid": {}}
    for i in range(saves):
        if time.monotonic() > stop_at:
            break
        grid = state["grid"]
        assert isinstance(grid, dict)
        grid[str(i + 1)] = [i % 9 - 4, i // 9]
        state["changedAt"] = i
        started = time.perf_counter()
        response = client.put("/api/draft", json={"revision": revision, "state": state})
        out.append((time.perf_counter() - started) * 1000)
        if response.status_code != 200:
            failures.append(f"save {response.status_code}")
            break
        revision = int(response.json()["revision"])
    client.close()


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def main() -> int:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--participants", type=int, default=50)
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as tmp:
        proc = start_server(Path(tmp), port)
        try:
            weights = page_weights(base)
            latencies: list[float] = []
            failures: list[str] = []
            stop_at = time.monotonic() + DEADLINE_S
            threads = [
                threading.Thread(
                    target=participant, args=(base, args.saves, latencies, failures, stop_at)
                )
                for _ in range(args.participants)
            ]
            began = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.perf_counter() - began
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print("store: SQLite (WAL), one uvicorn process")
    print_weights(weights)
    print(
        f"autosave: {len(latencies)} saves by {args.participants} concurrent participants "
        f"in {elapsed:.1f} s ({len(latencies) / elapsed:.0f}/s)"
    )
    print(
        f"autosave latency ms: p50 {percentile(latencies, 50):.1f}  "
        f"p90 {percentile(latencies, 90):.1f}  p99 {percentile(latencies, 99):.1f}  "
        f"max {max(latencies):.1f}  mean {statistics.fmean(latencies):.1f}"
    )
    print(
        f"failed requests: {len(failures)}" + (f" ({', '.join(failures[:5])})" if failures else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
