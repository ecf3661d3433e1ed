"""Load benchmark: many participants join, autosave and submit at once; then the store is checked.

Run: ``.venv/bin/python bench/bench_load.py [--participants 300] [--saves 10] [--workers 1]
[--database-url postgresql+psycopg://...]``.

Starts ``qsort serve`` on a free loopback port (a temporary SQLite store unless
``--database-url`` names another, e.g. a PostgreSQL database that must be empty), then runs one
asynchronous client per participant, all in this process, each on one keep-alive connection of a
minimal HTTP/1.1 client (:class:`Connection`), so the clients cost the shared CPUs little:

1. the participants join (accept the demo study's consent and load the sort page) at moments
   spread evenly over ``--join-window`` seconds;
2. each makes ``--saves`` autosaves, one every ``--think`` seconds on average (uniformly between
   half and one and a half times it: a quick sorter moving a card), each on the revision the
   previous one returned, as the page does;
3. each submits a valid sort.

A client treats 503 and 429 as the page does (waits ``Retry-After`` and sends again, counted as
"retried"), and a broken connection likewise (counted as "interrupted"); a request that still
fails, or any other status, is a failure. It prints the machine, the load average before and
after, the command, throughput and p50/p90/p99 per request kind (each the device's whole wait for
its answer, retries included), then checks that the database holds exactly the acknowledged
drafts (revision and state) and sorts (every placement), and no sort that was not acknowledged.

A report, not a test: it never fails on a time. Every loop is bounded by count and by
``--deadline``. ``tests/app/test_processes.py`` runs the same code with a few participants and
asserts only the correctness check.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

REPO = Path(__file__).resolve().parents[1]
CONFIG = re.compile(r'<script type="application/json" id="qsort-config">(.*?)</script>', re.S)
RETRY_STATUSES = (429, 503)
#: Seconds a device waits for an answer before it counts the connection as broken and retries.
REQUEST_TIMEOUT = 30.0


@dataclass(frozen=True)
class Plan:
    """What the clients do: how many, how fast, for how long at most."""

    participants: int = 300
    saves: int = 10
    think: float = 2.0
    join_window: float = 2.0
    deadline: float = 300.0
    code: str = "DEMO"


@dataclass
class Outcome:
    """What one participant's device was told (the acknowledged state of its work)."""

    token: str = ""
    joined_after: float = -1.0
    revision: int = 0
    state: dict[str, Any] = field(default_factory=dict)
    sort_key: str = ""
    placements: list[tuple[int, int, int]] = field(default_factory=list)
    submitted: bool = False
    failed: str = ""


@dataclass
class Stats:
    """Latency per request kind and counts of retries, interruptions and failures."""

    latency_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    retried: Counter[str] = field(default_factory=Counter)
    interrupted: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    acknowledged: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    server_cpu: float = 0.0
    client_cpu: float = 0.0


class FailedError(Exception):
    """A request failed for good (wrong status, or no answer before the deadline)."""


class BrokenConnectionError(Exception):
    """The connection broke or the answer could not be read (the page would retry)."""


@dataclass(frozen=True)
class Reply:
    """An HTTP answer: status, headers (lower-case names; the last of repeated ones), body."""

    status_code: int
    headers: dict[str, str]
    content: bytes

    @property
    def text(self) -> str:
        """The body as text."""
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON."""
        return json.loads(self.content)


class Connection:
    """One keep-alive HTTP/1.1 connection to the server on loopback, with a cookie jar.

    A few lines on asyncio streams instead of a full HTTP client: 300 simulated devices share
    the server's two cores, and a general client costs several times the work of a request.
    It speaks only what the app answers (``Content-Length`` or chunked bodies).
    """

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.streams: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None

    async def request(self, method: str, path: str, body: bytes, content_type: str) -> Reply:
        """Send one request and read its answer; raise BrokenConnectionError if either fails."""
        try:
            if self.streams is None:
                self.streams = await asyncio.open_connection(self.host, self.port)
            reader, writer = self.streams
            writer.write(self._head(method, path, body, content_type) + body)
            reply = await self._read(reader)
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as e:
            await self.close()
            raise BrokenConnectionError(str(e)) from e
        if reply.headers.get("connection", "").lower() == "close":
            await self.close()
        return reply

    def _head(self, method: str, path: str, body: bytes, content_type: str) -> bytes:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if body or method in ("POST", "PUT"):
            lines += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
        if self.cookies:
            lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()))
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")

    async def _read(self, reader: asyncio.StreamReader) -> Reply:
        head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        status = int(head[0].split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in head[1:]:
            if not line:
                continue
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
            if name.strip().lower() == "set-cookie":
                self._keep_cookie(value.strip())
        if "content-length" in headers:
            return Reply(status, headers, await reader.readexactly(int(headers["content-length"])))
        if "chunked" in headers.get("transfer-encoding", ""):
            return Reply(status, headers, await self._chunks(reader))
        return Reply(status, headers, b"")

    @staticmethod
    async def _chunks(reader: asyncio.StreamReader) -> bytes:
        body = b""
        while size := int((await reader.readuntil(b"\r\n")).split(b";")[0], 16):
            body += (await reader.readexactly(size + 2))[:-2]
        await reader.readuntil(b"\r\n")
        return body

    def _keep_cookie(self, header: str) -> None:
        pair, *attributes = header.split(";")
        name, _, value = pair.strip().partition("=")
        expired = any(
            a.strip().lower().startswith(("max-age=0", "expires=thu, 01 jan 1970"))
            for a in attributes
        )
        if expired or not value.strip('"'):
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    async def close(self) -> None:
        """Close the connection (the next request opens a new one)."""
        if self.streams is not None:
            writer = self.streams[1]
            self.streams = None
            writer.close()
            with contextlib.suppress(OSError):
                await writer.wait_closed()


class Client:
    """One participant's device: a connection, its cookies and the page's retry rules."""

    def __init__(self, base: str, stats: Stats, stop_at: float) -> None:
        address = urlsplit(base)
        self.http = Connection(address.hostname or "127.0.0.1", address.port or 80)
        self.stats = stats
        self.stop_at = stop_at

    async def call(
        self,
        kind: str,
        method: str,
        url: str,
        json_body: Any = None,
        form: dict[str, str] | None = None,
    ) -> Reply:
        """Send until answered with neither 503/429 nor a broken connection, or the deadline.

        The latency recorded is the device's whole wait for that answer, retries included.
        """
        body, content_type = b"", ""
        if json_body is not None:
            body, content_type = json.dumps(json_body).encode(), "application/json"
        elif form is not None:
            body, content_type = urlencode(form).encode(), "application/x-www-form-urlencoded"
        started = time.perf_counter()
        while time.monotonic() < self.stop_at:
            try:
                response = await asyncio.wait_for(
                    self.http.request(method, url, body, content_type), REQUEST_TIMEOUT
                )
            except (BrokenConnectionError, TimeoutError):
                await self.http.close()
                self.stats.interrupted[kind] += 1
                await asyncio.sleep(0.25)
                continue
            if response.status_code not in RETRY_STATUSES:
                self.stats.latency_ms[kind].append((time.perf_counter() - started) * 1000)
                return response
            self.stats.retried[kind] += 1
            await asyncio.sleep(min(5.0, float(response.headers.get("retry-after", "1"))))
        raise FailedError(f"{kind}: no answer before the deadline")

    async def close(self) -> None:
        """Release the connection."""
        await self.http.close()


def valid_sort(config: dict[str, Any]) -> list[tuple[int, int, int]]:
    """A valid sort for the page's grid: statements in a shuffled order, column by column."""
    grid = config["grid"]
    slots = [
        (v, r)
        for v, cap in zip(grid["values"], grid["capacities"], strict=True)
        for r in range(cap)
    ]
    numbers = [int(s["n"]) for s in config["statements"]]
    random.shuffle(numbers)
    return [(n, v, r) for n, (v, r) in zip(numbers, slots, strict=True)]


async def join(client: Client, plan: Plan, outcome: Outcome, began: float) -> dict[str, Any]:
    """Accept the consent, load the sort page; return the page's configuration."""
    response = await client.call(
        "join", "POST", f"/j/{plan.code}/consent", form={"choice": "accept"}
    )
    if response.status_code != 303 or "qsort_token" not in client.http.cookies:
        raise FailedError(f"join: HTTP {response.status_code}")
    outcome.token = str(client.http.cookies["qsort_token"])
    page = await client.call("page", "GET", "/p")
    found = CONFIG.search(page.text)
    if page.status_code != 200 or found is None:
        raise FailedError(f"page: HTTP {page.status_code}")
    outcome.joined_after = time.monotonic() - began
    return dict(json.loads(found.group(1)))


async def autosave(client: Client, outcome: Outcome, state: dict[str, Any]) -> None:
    """One autosave on the acknowledged revision; a conflict with our own state is our write."""
    body = {"revision": outcome.revision, "state": state}
    response = await client.call("autosave", "PUT", "/api/draft", json_body=body)
    if response.status_code == 409 and response.json().get("state") == state:
        response_revision = int(response.json()["revision"])  # applied, the answer was lost
    elif response.status_code == 200:
        response_revision = int(response.json()["revision"])
    else:
        raise FailedError(f"autosave: HTTP {response.status_code}")
    outcome.revision, outcome.state = response_revision, json.loads(json.dumps(state))
    client.stats.acknowledged["autosave"].append(time.monotonic())


async def submit(client: Client, outcome: Outcome, config: dict[str, Any]) -> None:
    """Send the sort (retries reuse the key, so it is recorded once)."""
    outcome.sort_key = f"bench-{random.getrandbits(64):016x}"
    outcome.placements = valid_sort(config)
    body = {
        "key": outcome.sort_key,
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": [{"statement": n, "value": v, "row": r} for n, v, r in outcome.placements],
    }
    response = await client.call("submit", "POST", "/api/sort", json_body=body)
    if response.status_code != 200:
        raise FailedError(f"submit: HTTP {response.status_code}")
    outcome.submitted = True
    client.stats.acknowledged["submit"].append(time.monotonic())


async def participant(base: str, plan: Plan, stats: Stats, began: float, delay: float) -> Outcome:
    """One participant's whole visit; the outcome records what was acknowledged."""
    outcome = Outcome()
    await asyncio.sleep(delay)
    client = Client(base, stats, began + plan.deadline)
    try:
        config = await join(client, plan, outcome, began)
        state: dict[str, Any] = {"v": 1, "stage": "sort", "grid": {}}
        for i, (number, value, row) in enumerate(valid_sort(config)[: plan.saves]):
            await asyncio.sleep(plan.think * random.uniform(0.5, 1.5))
            state["grid"][str(number)] = [value, row]
            state["changedAt"] = i + 1
            await autosave(client, outcome, state)
        await submit(client, outcome, config)
    except FailedError as exc:
        outcome.failed = str(exc)
        stats.failed[str(exc).split(":")[0]] += 1
    finally:
        await client.close()
    return outcome


async def run_load(
    base: str, plan: Plan, stats: Stats | None = None
) -> tuple[list[Outcome], Stats, float]:
    """All participants at once; returns their outcomes, the stats and the elapsed seconds."""
    stats = stats or Stats()
    began = time.monotonic()
    step = plan.join_window / max(1, plan.participants)
    tasks = [participant(base, plan, stats, began, i * step) for i in range(plan.participants)]
    outcomes = await asyncio.gather(*tasks)
    return list(outcomes), stats, time.monotonic() - began


def check_store(database_url: str, outcomes: list[Outcome]) -> list[str]:
    """Compare the database with what the clients were told; return every difference found."""
    from sqlalchemy import create_engine
    from sqlmodel import Session, select

    from app.models import Draft, Participant, QSortRecord, SortEntry, Statement
    from app.services.tokens import hash_token

    problems: list[str] = []
    engine = create_engine(database_url)
    with Session(engine) as db:
        by_hash = {p.token_hash: p for p in db.exec(select(Participant))}
        drafts = {d.participant_id: d for d in db.exec(select(Draft))}
        sorts = {s.participant_id: s for s in db.exec(select(QSortRecord))}
        number_of = {s.id: s.number for s in db.exec(select(Statement))}
        entries: dict[int, set[tuple[int, int, int]]] = defaultdict(set)
        for e in db.exec(select(SortEntry)):
            entries[e.qsort_id].add((number_of[e.statement_id], e.value, e.row))
    engine.dispose()
    acknowledged = 0
    for i, outcome in enumerate(o for o in outcomes if o.token):
        person = by_hash.get(hash_token(outcome.token))
        if person is None or person.id is None:
            problems.append(f"participant {i}: joined but not stored")
            continue
        draft = drafts.get(person.id)
        if draft is None or (draft.revision, draft.state) != (outcome.revision, outcome.state):
            found = None if draft is None else draft.revision
            problems.append(f"participant {i}: draft {found}, acknowledged {outcome.revision}")
        record = sorts.pop(person.id, None)
        if outcome.submitted:
            acknowledged += 1
            if record is None or record.id is None:
                problems.append(f"participant {i}: acknowledged sort missing")
            elif entries[record.id] != set(outcome.placements):
                problems.append(f"participant {i}: stored sort differs from the one sent")
            elif record.submit_key != outcome.sort_key:
                problems.append(f"participant {i}: stored sort has another key")
    problems += [f"a sort nobody was told about (participant id {pid})" for pid in sorts]
    return problems


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0..100) by nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def server_env(database_url: str, data_dir: Path) -> dict[str, str]:
    """The environment of a benchmark server: its store, and joins unlimited from loopback.

    Every simulated participant comes from 127.0.0.1, as a whole school would come from one
    address through its router, so the join limit is raised for the benchmark.
    """
    env = dict(os.environ)
    env.update(
        QSORT_DATABASE_URL=database_url,
        QSORT_DATA_DIR=str(data_dir),
        QSORT_JOIN_BURST="100000",
        QSORT_JOIN_PER_MINUTE="100000",
    )
    return env


def start_server(
    database_url: str,
    data_dir: Path,
    port: int,
    workers: int = 1,
    extra: Sequence[str] = (),
    env: dict[str, str] | None = None,
) -> subprocess.Popen[bytes]:
    """``python -m app serve`` on loopback in its own process group; wait until it answers.

    ``extra`` adds options to ``serve`` and ``env`` variables to its environment.
    """
    command = [sys.executable, "-m", "app", "serve", "--host", "127.0.0.1", "--port", str(port)]
    proc = subprocess.Popen(
        [*command, "--workers", str(workers), *extra],
        cwd=REPO,
        env={**server_env(database_url, data_dir), **(env or {})},
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    for _ in range(300):
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    stop_server(proc, signal.SIGKILL)
    raise RuntimeError("server did not start")


def group_cpu_seconds(proc: subprocess.Popen[bytes]) -> float:
    """CPU seconds used so far by the server's process group (Linux ``/proc``; 0 elsewhere)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == proc.pid:  # fields[2] is the process group id
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def stop_server(proc: subprocess.Popen[bytes], how: signal.Signals = signal.SIGTERM) -> None:
    """Stop the server and every worker it started (its whole process group)."""
    try:
        os.killpg(proc.pid, how)
    except ProcessLookupError:
        return
    proc.wait(timeout=30)


@dataclass(frozen=True)
class KillReport:
    """What a SIGKILL in the middle of the load did: acknowledged work then, and the pause."""

    saves_acknowledged_before: int
    sorts_acknowledged_before: int
    down_seconds: float


def load_with_kill(
    database_url: str, data_dir: Path, plan: Plan, kill_after_saves: int, workers: int = 1
) -> tuple[list[Outcome], Stats, KillReport]:
    """Run the load, SIGKILL the server once ``kill_after_saves`` autosaves were acknowledged,
    and restart it on the same port.

    The clients keep going through the outage as the page does (retrying broken connections).
    """
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(database_url, data_dir, port, workers)
    result: list[tuple[list[Outcome], Stats, float]] = []
    stats = Stats()
    thread = threading.Thread(
        target=lambda: result.append(asyncio.run(run_load(base, plan, stats)))
    )
    thread.start()
    try:
        stop_at = time.monotonic() + plan.deadline
        while len(stats.acknowledged["autosave"]) < kill_after_saves and thread.is_alive():
            if time.monotonic() > stop_at:
                break
            time.sleep(0.01)
        stop_server(proc, signal.SIGKILL)
        killed_at = time.monotonic()
        proc = start_server(database_url, data_dir, port, workers)
        down = time.monotonic() - killed_at
        thread.join(plan.deadline + 30)
    finally:
        stop_server(proc)
    outcomes, _, _ = result[0]
    kill = KillReport(
        saves_acknowledged_before=sum(1 for t in stats.acknowledged["autosave"] if t < killed_at),
        sorts_acknowledged_before=sum(1 for t in stats.acknowledged["submit"] if t < killed_at),
        down_seconds=down,
    )
    return outcomes, stats, kill


def report(plan: Plan, outcomes: list[Outcome], stats: Stats, elapsed: float) -> None:
    """Print throughput and latency per request kind, and the counts."""
    print(f"CPU seconds: server {stats.server_cpu:.1f}, clients {stats.client_cpu:.1f}")
    joined = [o.joined_after for o in outcomes if o.joined_after >= 0]
    total = sum(len(v) for v in stats.latency_ms.values())
    print(
        f"{plan.participants} participants, {plan.saves} autosaves each (one per ~{plan.think} s)"
    )
    if joined:
        print(f"joined: {len(joined)}, the last {max(joined):.2f} s after the first began")
    print(f"answered requests: {total} in {elapsed:.1f} s ({total / elapsed:.0f}/s)")
    print("latency: from the first try to the answer, waits after 503/429 included")
    print(f"{'kind':<10}{'count':>7}{'p50 ms':>9}{'p90 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for kind in ("join", "page", "autosave", "submit"):
        values = stats.latency_ms.get(kind, [])
        if values:
            cells = [percentile(values, q) for q in (50, 90, 99)] + [max(values)]
            print(f"{kind:<10}{len(values):>7}" + "".join(f"{c:>9.1f}" for c in cells))
    print(f"retried after 503/429: {dict(stats.retried) or 0}")
    print(f"interrupted connections: {dict(stats.interrupted) or 0}")
    print(f"failed requests: {sum(stats.failed.values())} {dict(stats.failed) or ''}")


def measured_load(
    url: str, data_dir: Path, plan: Plan, workers: int
) -> tuple[list[Outcome], Stats, float]:
    """Run the load on a fresh server, recording the CPU time of the server and the clients."""
    port = free_port()
    proc = start_server(url, data_dir, port, workers)
    try:
        cpu_before = time.process_time(), group_cpu_seconds(proc)
        outcomes, stats, elapsed = asyncio.run(run_load(f"http://127.0.0.1:{port}", plan))
        stats.client_cpu = time.process_time() - cpu_before[0]
        stats.server_cpu = group_cpu_seconds(proc) - cpu_before[1]
    finally:
        stop_server(proc)
    return outcomes, stats, elapsed


def main() -> int:
    """Run the benchmark and print the report; exit 1 when the store disagrees with the clients."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument("--saves", type=int, default=10)
    parser.add_argument("--think", type=float, default=2.0, help="seconds between autosaves")
    parser.add_argument("--join-window", type=float, default=2.0)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--deadline", type=float, default=300.0)
    parser.add_argument("--database-url", default="", help="an empty database (default SQLite)")
    parser.add_argument(
        "--kill-after-saves",
        type=int,
        default=0,
        help="SIGKILL the server once this many autosaves were acknowledged, then restart it",
    )
    args = parser.parse_args()
    plan = Plan(args.participants, args.saves, args.think, args.join_window, args.deadline)
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'qsort.sqlite3'}"
        kill: KillReport | None = None
        if args.kill_after_saves > 0:
            began = time.monotonic()
            outcomes, stats, kill = load_with_kill(
                url, Path(tmp), plan, args.kill_after_saves, args.workers
            )
            elapsed = time.monotonic() - began
        else:
            outcomes, stats, elapsed = measured_load(url, Path(tmp), plan, args.workers)
        problems = check_store(url, outcomes)
    print(
        f"machine: {platform.platform()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    load_after = os.getloadavg()
    print(f"command: {' '.join([os.path.relpath(sys.executable, REPO), *sys.argv])}")
    print(
        "load average (1, 5, 15 min) before the run: "
        + ", ".join(f"{v:.1f}" for v in load_before)
        + "; after: "
        + ", ".join(f"{v:.1f}" for v in load_after)
        + " (other work on the same CPUs)"
    )
    kind = (
        "SQLite (WAL; synchronous=FULL, NORMAL for autosaves and joins)"
        if url.startswith("sqlite")
        else "PostgreSQL"
    )
    print(f"store: {kind}, {args.workers} app process(es), clients in one process on loopback")
    report(plan, outcomes, stats, elapsed)
    if kill is not None:
        print(
            f"SIGKILL after {kill.saves_acknowledged_before} acknowledged "
            f"autosaves and {kill.sorts_acknowledged_before} sorts; restarted and answering "
            f"{kill.down_seconds:.1f} s later; participants who finished: "
            f"{sum(o.submitted for o in outcomes)} of {plan.participants}"
        )
    print(f"store check: {'exactly the acknowledged drafts and sorts' if not problems else ''}")
    for problem in problems[:20]:
        print(f"  {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
