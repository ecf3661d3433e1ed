"""Fixtures for the facilitator's services: the demo study, a group session, extra devices."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.demo import DEMO_SLUG
from app.models import SortSession, Study
from app.services.group_sessions import open_group_session

from ..conftest import full_sort

Device = Callable[[], TestClient]


@pytest.fixture()
def study_id(db: Session) -> int:
    """The demo study (34 statements on a -4..+4 grid)."""
    study = db.exec(select(Study).where(Study.slug == DEMO_SLUG)).one()
    assert study.id is not None
    return study.id


@pytest.fixture()
def group(db: Session, study_id: int) -> SortSession:
    """An open session for a group of service users on three named tablets."""
    return open_group_session(
        db, study_id, group_label="Service users", seat_names=["Tablet 1", "Tablet 2", "Tablet 3"]
    )


@pytest.fixture()
def device(client: TestClient) -> Iterator[Device]:
    """Makes a fresh browser (its own cookies) on the same app and database."""
    made: list[TestClient] = []

    def make() -> TestClient:
        other = TestClient(client.app, follow_redirects=False)
        made.append(other)
        return other

    yield make
    for other in made:
        other.close()


def sort_config(browser: TestClient) -> dict[str, Any]:
    """The sort page's embedded configuration for the browser's participant."""
    import json
    import re

    page = browser.get("/p")
    assert page.status_code == 200, page.text
    found = re.search(
        r'<script type="application/json" id="qsort-config">(.*?)</script>', page.text, re.S
    )
    assert found is not None
    return dict(json.loads(found.group(1)))


def join_session(browser: TestClient, code: str) -> dict[str, Any]:
    """Accept the consent on ``browser``; return its sort page configuration."""
    response = browser.post(f"/j/{code}/consent", data={"choice": "accept"})
    assert response.status_code == 303, response.text
    return sort_config(browser)


def save_draft(browser: TestClient, revision: int, state: dict[str, Any]) -> int:
    """Autosave ``state`` on top of ``revision``; return the new revision."""
    response = browser.put("/api/draft", json={"revision": revision, "state": state})
    assert response.status_code == 200, response.text
    return int(response.json()["revision"])


def submit_sort(browser: TestClient, config: dict[str, Any], key: str = "k" * 16) -> None:
    """Send a valid sort (statements in number order across the grid)."""
    response = browser.post(
        "/api/sort",
        json={
            "key": key,
            "qset_id": config["qsetId"],
            "grid_id": config["gridId"],
            "placements": full_sort(config),
        },
    )
    assert response.status_code == 200, response.text


def finish(
    browser: TestClient, key: str = "f" * 16, comments: dict[str, str] | None = None
) -> None:
    """Finish: the demo study asks one required question (the group)."""
    body = {"key": key, "comments": comments or {}, "answers": {"group": "service_user"}}
    response = browser.post("/api/finish", json=body)
    assert response.status_code == 200, response.text
