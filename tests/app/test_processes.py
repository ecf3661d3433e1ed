"""Real servers on loopback: the load check, several processes on one store, and a SIGKILL.

Each test starts ``python -m app serve`` in its own process group (``bench/bench_load.py``
helpers) on the test's database: a temporary SQLite file, or a schema of its own on the test
PostgreSQL server.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlmodel import Session, create_engine, select

from app.models import Participant, QSortRecord
from app.settings import Settings
from bench.bench_load import (
    Plan,
    check_store,
    free_port,
    load_with_kill,
    measured_load,
    start_server,
    stop_server,
)
from tests.databases import BACKENDS, database_url

from .conftest import full_sort


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """(database URL, data folder) of an empty store."""
    with database_url(str(request.param), tmp_path) as url:
        yield url, tmp_path


#: A new connection per request, so the two workers behind one port take turns at random.
NO_KEEPALIVE = httpx.Limits(max_keepalive_connections=0)  # a new connection for every request
SMALL = Plan(participants=12, saves=4, think=0.05, join_window=0.5, deadline=90)


def test_load_leaves_exactly_the_acknowledged_drafts_and_sorts(store: tuple[str, Path]) -> None:
    url, data_dir = store
    outcomes, stats, _ = measured_load(url, data_dir, SMALL, workers=1)
    assert sum(stats.failed.values()) == 0, stats.failed
    assert all(o.submitted for o in outcomes)
    assert check_store(url, outcomes) == []


def test_sigkill_in_the_middle_of_a_load_loses_nothing(store: tuple[str, Path]) -> None:
    url, data_dir = store
    plan = Plan(participants=16, saves=12, think=0.15, join_window=0.5, deadline=120)
    outcomes, stats, kill = load_with_kill(url, data_dir, plan, kill_after_saves=60)
    assert kill.saves_acknowledged_before >= 60  # the kill came in the middle of the work
    assert kill.saves_acknowledged_before < plan.participants * plan.saves
    assert sum(stats.interrupted.values()) > 0
    assert sum(stats.failed.values()) == 0, stats.failed  # every client resumed
    assert all(o.submitted for o in outcomes)
    assert check_store(url, outcomes) == []


def _config(client: httpx.Client) -> dict[str, object]:
    import json
    import re

    page = client.get("/p").text
    found = re.search(r'id="qsort-config">(.*?)</script>', page, re.S)
    assert found is not None
    return dict(json.loads(found.group(1)))


def test_consecutive_requests_on_different_processes(store: tuple[str, Path]) -> None:
    url, data_dir = store
    ports = free_port(), free_port()
    two_workers = start_server(url, data_dir, ports[0], workers=2)
    single = None
    try:
        single = start_server(url, data_dir, ports[1], workers=1)
        with (
            httpx.Client(
                base_url=f"http://127.0.0.1:{ports[0]}", follow_redirects=False, limits=NO_KEEPALIVE
            ) as a,
            httpx.Client(base_url=f"http://127.0.0.1:{ports[1]}", follow_redirects=False) as b,
        ):
            _alternate(a, b)
    finally:
        stop_server(two_workers)
        if single is not None:
            stop_server(single)
    engine = create_engine(url)
    with Session(engine) as db:
        assert len(db.exec(select(Participant)).all()) == 1
        assert len(db.exec(select(QSortRecord)).all()) == 1
    engine.dispose()


def _alternate(a: httpx.Client, b: httpx.Client) -> None:
    """One device whose requests reach process A or B in turn."""
    assert a.post("/j/DEMO/consent", data={"choice": "accept"}).status_code == 303
    b.cookies = a.cookies  # one device, its requests reaching either process
    config = _config(b)
    assert a.put("/api/draft", json={"revision": 0, "state": {"n": 1}}).json()["revision"] == 1
    assert b.put("/api/draft", json={"revision": 1, "state": {"n": 2}}).json()["revision"] == 2
    stale = a.put("/api/draft", json={"revision": 1, "state": {"n": 3}})
    assert stale.status_code == 409 and stale.json()["state"] == {"n": 2}
    sort = {"key": "across-processes", "qset_id": config["qsetId"]}
    sort |= {"grid_id": config["gridId"], "placements": full_sort(config)}
    assert b.post("/api/sort", json=sort).json()["status"] == "recorded"
    assert a.post("/api/sort", json=sort).json()["status"] == "already_recorded"
    for _ in range(4):  # whichever worker answers, the same sort
        assert a.post("/api/sort", json=sort).json()["status"] == "already_recorded"
    assert b.get("/api/draft").json() == {"revision": 2, "state": {"n": 2}}


def test_serve_with_workers_prepares_the_store_once(tmp_path: Path) -> None:
    port = free_port()
    settings = Settings.for_data_dir(tmp_path)
    proc = start_server(settings.database_url, tmp_path, port, workers=2)
    try:
        workers = _group_members(proc.pid)
        assert len(workers) >= 3  # the manager and two workers
        assert httpx.get(f"http://127.0.0.1:{port}/j/DEMO").status_code == 200
    finally:
        stop_server(proc)


def _group_members(group: int) -> list[int]:
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group:
            members.append(int(stat.parent.name))
    return members
