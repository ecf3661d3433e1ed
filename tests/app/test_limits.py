"""Saturation, join rate, an unavailable or full database: clear answers, nothing half-stored."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, select

from app import db as app_db
from app.limits import LimitsMiddleware, TokenBuckets
from app.main import create_app
from app.models import Participant, QSortRecord, SortEntry
from app.settings import Settings, SettingsError

from .conftest import full_sort, joined


def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    buckets = TokenBuckets(burst=3, per_minute=60)
    assert [buckets.take("a", now=0.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert buckets.take("a", now=0.0) == pytest.approx(1.0)
    assert buckets.take("b", now=0.0) == 0.0  # another address has its own bucket
    assert buckets.take("a", now=1.5) == 0.0  # one token came back after a second


def test_joining_too_often_from_one_address_gets_429(settings: Settings) -> None:
    limited = replace(settings, join_burst=3, join_per_minute=1)
    with TestClient(create_app(limited), follow_redirects=False) as client:
        for _ in range(3):
            assert client.post("/j/DEMO/consent", data={"choice": "accept"}).status_code == 303
        refused = client.post("/j/DEMO/consent", data={"choice": "accept"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= 60
        assert "Too many people have joined" in refused.text
        assert client.post("/join", data={"code": "DEMO"}).status_code == 429
        assert client.get("/j/DEMO").status_code == 200  # reading the consent page is not limited
        with Session(client.app.state.engine) as db:  # type: ignore[attr-defined]
            assert len(db.exec(select(Participant)).all()) == 3


def _scope(path: str, accept: bytes = b"application/json") -> dict[str, Any]:
    return {
        "type": "http",
        "method": "PUT",
        "path": path,
        "headers": [(b"content-length", b"2"), (b"accept", accept)],
        "client": ("127.0.0.1", 5000),
        "query_string": b"",
        "app": FastAPI(),
    }


def test_a_saturated_process_answers_503_with_retry_after(tmp_path: Any) -> None:
    settings = replace(Settings.for_data_dir(tmp_path), max_concurrent=1, queue_wait=0.2)
    release = asyncio.Event()

    async def slow_app(scope: Any, receive: Any, send: Any) -> None:
        if (b"accept", b"text/event-stream") not in scope["headers"]:
            await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    async def run() -> list[tuple[int, dict[str, str]]]:
        middleware = LimitsMiddleware(slow_app, settings)
        answers: list[tuple[int, dict[str, str]]] = []

        async def request(accept: bytes = b"application/json") -> None:
            sent: dict[str, Any] = {}

            async def send(message: Any) -> None:
                if message["type"] == "http.response.start":
                    sent["status"] = message["status"]
                    sent["headers"] = {k.decode(): v.decode() for k, v in message["headers"]}

            async def receive() -> Any:
                return {"type": "http.request", "body": b"{}", "more_body": False}

            await middleware(_scope("/api/draft", accept), receive, send)
            answers.append((sent["status"], sent["headers"]))

        first = asyncio.create_task(request())
        await asyncio.sleep(0.05)
        await request()  # finds the only place taken for longer than queue_wait
        # an event stream is served while the only place is still taken
        await asyncio.wait_for(request(b"text/event-stream"), timeout=0.1)
        release.set()
        await first
        return answers

    answers = asyncio.run(run())
    assert [status for status, _ in answers] == [503, 200, 200]  # shed, stream, the slow one
    assert answers[0][1]["retry-after"] == "2"
    assert answers[0][1]["content-type"].startswith("application/json")


@contextmanager
def failing_statement(engine: Engine, prefix: str, message: str) -> Iterator[None]:
    """Make every statement starting with ``prefix`` fail as the database would (DBAPI error)."""
    dbapi_error = engine.dialect.loaded_dbapi.OperationalError

    def fail(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().upper().startswith(prefix):
            raise dbapi_error(message)

    event.listen(engine, "before_cursor_execute", fail)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", fail)


def _sort(config: dict[str, object], key: str) -> dict[str, object]:
    return {
        "key": key,
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": full_sort(config),
    }


def test_a_full_disk_in_the_middle_of_a_submit_stores_nothing(
    client: TestClient, db: Session
) -> None:
    config = joined(client)
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    with failing_statement(engine, "INSERT INTO SORT_ENTRY", "database or disk is full"):
        response = client.post("/api/sort", json=_sort(config, "disk-full-1"))
    assert response.status_code == 503
    assert response.json()["error"] == "unavailable"
    assert "kept on this device" in response.json()["message"]
    assert int(response.headers["retry-after"]) > 0
    assert db.exec(select(QSortRecord)).all() == []  # the sort row was written, then undone
    assert db.exec(select(SortEntry)).all() == []
    retried = client.post("/api/sort", json=_sort(config, "disk-full-1"))
    assert retried.status_code == 200 and retried.json()["status"] == "recorded"
    assert len(db.exec(select(SortEntry)).all()) == len(full_sort(config))


def test_an_unreachable_database_gives_503_then_recovers(
    client: TestClient, settings: Settings
) -> None:
    joined(client)
    app = client.app
    working = app.state.engine  # type: ignore[attr-defined]
    if settings.is_sqlite:
        down_url = "sqlite:////nonexistent-folder-qsort/none/qsort.sqlite3"
    else:
        down_url = "postgresql+psycopg://postgres@/postgres?host=/nonexistent-qsort-socket"
    down = Settings(settings.data_dir, down_url, "k", db_wait=1)
    app.state.engine = app_db.make_engine(down)  # type: ignore[attr-defined]
    try:
        response = client.put("/api/draft", json={"revision": 0, "state": {"a": 1}})
        page = client.get("/p")
    finally:
        app.state.engine.dispose()  # type: ignore[attr-defined]
        app.state.engine = working  # type: ignore[attr-defined]
    assert response.status_code == 503 and response.json()["error"] == "unavailable"
    assert page.status_code == 503 and "cannot save right now" in page.text
    assert client.put("/api/draft", json={"revision": 0, "state": {"a": 1}}).status_code == 200


def test_capacity_settings_are_read_and_checked() -> None:
    env = {"QSORT_DATA_DIR": "/tmp/qsort-settings", "QSORT_SECRET_KEY": "k"}
    settings = Settings.from_env({**env, "QSORT_MAX_CONCURRENT": "8", "QSORT_QUEUE_WAIT": "0.5"})
    assert (settings.max_concurrent, settings.queue_wait) == (8, 0.5)
    with pytest.raises(SettingsError, match="QSORT_JOIN_BURST: expected a whole number above 0"):
        Settings.from_env({**env, "QSORT_JOIN_BURST": "lots"})
    with pytest.raises(SettingsError, match="QSORT_DB_WAIT"):
        Settings.from_env({**env, "QSORT_DB_WAIT": "-1"})


def test_the_pool_holds_one_connection_per_place(settings: Settings) -> None:
    engine = app_db.make_engine(replace(settings, max_concurrent=7, db_wait=2))
    try:
        assert engine.pool.size() == 7  # type: ignore[attr-defined]
        assert engine.pool.timeout() == 2  # type: ignore[attr-defined]
    finally:
        engine.dispose()


def _sync_level(engine: Engine, dialect_sqlite: bool) -> object:
    with engine.connect() as connection:
        if dialect_sqlite:
            return connection.exec_driver_sql("PRAGMA synchronous").scalar()
        return connection.exec_driver_sql("SHOW synchronous_commit").scalar()


def test_commits_are_durable_whatever_the_server_default(settings: Settings) -> None:
    url = settings.database_url
    if not settings.is_sqlite:  # a URL (or server) asking for asynchronous commits is overruled
        parsed = make_url(url)
        options = f"{parsed.query.get('options', '')} -csynchronous_commit=off".strip()
        url = parsed.update_query_dict({"options": options}).render_as_string(hide_password=False)
    engine = app_db.make_engine(replace(settings, database_url=url))
    try:
        expected = 2 if settings.is_sqlite else "on"  # SQLite 2 = FULL: the log synced per commit
        assert _sync_level(engine, settings.is_sqlite) == expected
    finally:
        engine.dispose()


def test_an_autosave_relaxes_only_its_own_commit(client: TestClient, settings: Settings) -> None:
    joined(client)
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    relaxed = 1 if settings.is_sqlite else "off"  # SQLite 1 = NORMAL: no sync at this commit
    with Session(engine) as db:
        app_db.relax_durability(db)
        if settings.is_sqlite:
            level = db.connection().exec_driver_sql("PRAGMA synchronous").scalar()
        else:
            level = db.connection().exec_driver_sql("SHOW synchronous_commit").scalar()
        assert level == relaxed  # for this transaction only
        db.commit()
    assert client.put("/api/draft", json={"revision": 0, "state": {"a": 1}}).status_code == 200
    for _ in range(3):  # every connection the pool hands out again syncs its commits
        assert _sync_level(engine, settings.is_sqlite) == (2 if settings.is_sqlite else "on")
