"""API and service fixtures: a fresh app on an empty database for every test.

Every test that uses ``settings`` (and so ``client`` and ``db``) runs twice: on the embedded
SQLite and on PostgreSQL (a schema of its own on the server ``scripts/test.sh`` starts; skipped
when that server is not there). Select one with ``-k sqlite`` or ``-k postgresql``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher

# Starlette 1.x warns, on importing its TestClient, that it would rather use `httpx2`; httpx is
# what the project pins, so this one warning (and only it) is silenced for the import.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient
from sqlmodel import Session

from app import db as app_db
from app import security
from app import store as app_store
from app.main import create_app
from app.models import StaffUser
from app.services import accounts
from app.settings import Settings
from tests.app import services_fixtures as small
from tests.databases import BACKENDS, database_url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """The kind of database the test runs on."""
    return str(request.param)


@pytest.fixture()
def settings(tmp_path: Path, backend: str) -> Iterator[Settings]:
    with database_url(backend, tmp_path) as url:
        yield Settings.for_data_dir(tmp_path, database_url=url)


@pytest.fixture()
def client(settings: Settings) -> Iterator[TestClient]:
    app = create_app(settings)
    with TestClient(app, follow_redirects=False) as c:
        yield c


@pytest.fixture()
def db(client: TestClient) -> Iterator[Session]:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        yield session


def joined(client: TestClient, code: str = "DEMO") -> dict[str, Any]:
    """Accept the consent for ``code``; return the sort page's embedded configuration."""
    import json
    import re

    response = client.post(f"/j/{code}/consent", data={"choice": "accept"})
    assert response.status_code == 303, response.text
    page = client.get("/p")
    assert page.status_code == 200
    found = re.search(
        r'<script type="application/json" id="qsort-config">(.*?)</script>', page.text, re.S
    )
    assert found is not None
    return dict(json.loads(found.group(1)))


def full_sort(config: dict[str, object]) -> list[dict[str, int]]:
    """A valid placement of every statement on the grid, in statement order."""
    grid = config["grid"]
    assert isinstance(grid, dict)
    slots = [
        (v, r)
        for v, cap in zip(grid["values"], grid["capacities"], strict=True)
        for r in range(cap)
    ]
    statements = config["statements"]
    assert isinstance(statements, list)
    return [
        {"statement": s["n"], "value": v, "row": r}
        for s, (v, r) in zip(statements, slots, strict=True)
    ]


@pytest.fixture()
def small_study(settings: Settings) -> Iterator[Session]:
    """A migrated empty store (SQLite or PostgreSQL) with the small study and a session ``TINY``."""
    settings = replace(settings, seed_demo=False)
    engine = app_db.make_engine(settings)
    app_db.upgrade(engine, settings)
    with Session(engine) as db:
        study = app_store.create_study(
            db,
            slug="tiny",
            title="Tiny",
            condition="What helps?",
            statements=small.STATEMENTS,
            column_values=small.COLUMNS,
            capacities=small.CAPACITIES,
            survey=[("age", "text", "Your age group", [], True)],
        )
        assert study.id is not None
        app_store.open_session(db, study.id, small.CODE)
        db.commit()
        yield db
    engine.dispose()


@pytest.fixture()
def owner(small_study: Session, monkeypatch: pytest.MonkeyPatch) -> StaffUser:
    """A researcher who owns the small study (passwords hashed cheaply: tests sign in often)."""
    monkeypatch.setattr(security, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024))
    user = accounts.create_user(small_study, None, "r@example.org", "researcher", "a long password")
    assert user.id is not None
    app_store.grant(small_study, 1, user.id, "owner")
    small_study.commit()
    return user
