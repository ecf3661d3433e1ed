"""API and service fixtures: a fresh app on an empty database for every test.

Every test that uses ``settings`` (and so ``client`` and ``db``) runs twice: on the embedded
SQLite and on PostgreSQL (a schema of its own on the server ``scripts/test.sh`` starts; skipped
when that server is not there). Select one with ``-k sqlite`` or ``-k postgresql``.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

# Starlette 1.x warns, on importing its TestClient, that it would rather use `httpx2`; httpx is
# what the project pins, so this one warning (and only it) is silenced for the import.
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from fastapi.testclient import TestClient
from sqlmodel import Session

from app.main import create_app
from app.settings import Settings
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


def joined(client: TestClient, code: str = "DEMO") -> dict[str, object]:
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
