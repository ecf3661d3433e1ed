"""Benchmark the participant side: the sort page's weight and autosave latency under load.

Run: ``.venv/bin/python bench/bench_participant.py [--participants 50] [--saves 20]``.
Starts the app on a free loopback port with a temporary SQLite store (loopback only), then

1. joins once and weighs the sort page: the HTML plus every stylesheet and script module it
   loads (following ``import ... from "./x.js"``), in bytes and number of requests;
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


def page_weight(base: str) -> tuple[int, int, int]:
    """Bytes (as files, and on the wire) and requests for the sort page and what it loads.

    The client asks for gzip as browsers do; the wire figure is what it downloaded.
    """
    client = joined_client(base)
    page = client.get("/p")
    html = page.text
    total, wire, requests = len(html.encode()), page.num_bytes_downloaded, 1
    queue = re.findall(r'(?:href|src)="(/static/[^"]+)"', html)
    seen: set[str] = set()
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        body = response.content
        total, requests = total + len(body), requests + 1
        wire += response.num_bytes_downloaded
        if path.endswith(".js"):
            folder = path.rsplit("/", 1)[0]
            queue += [f"{folder}/{m}" for m in re.findall(r'from "\./([^"]+)"', body.decode())]
    client.close()
    return total, wire, requests


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
            size, wire, requests = page_weight(base)
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
    print(f"sort page weight: {size} bytes in {requests} requests, {wire} bytes on the wire (gzip)")
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
