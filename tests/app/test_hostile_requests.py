"""Hostile and oversized requests get a clear 4xx, never a 500, and change nothing stored."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Draft, QSortRecord
from app.services.autosave import MAX_DEPTH, MAX_REVISION

from .conftest import full_sort, joined

JSON = {"content-type": "application/json"}


def stored_draft(db: Session) -> Draft:
    db.expire_all()
    return db.exec(select(Draft)).one()


def test_revision_of_two_to_the_63_is_refused_with_422(client: TestClient, db: Session) -> None:
    joined(client)
    for revision in (2**63, 2**64 + 5, MAX_REVISION + 1):
        response = client.put("/api/draft", json={"revision": revision, "state": {"a": 1}})
        assert response.status_code == 422, (revision, response.text)
        assert response.json()["problems"][0]["where"] == "body.revision"
    assert stored_draft(db).revision == 0


def test_highest_allowed_revision_is_a_plain_conflict(client: TestClient) -> None:
    joined(client)
    response = client.put("/api/draft", json={"revision": MAX_REVISION, "state": {}})
    assert response.status_code == 409
    assert response.json()["revision"] == 0


def test_nan_and_infinity_in_a_draft_are_refused(client: TestClient, db: Session) -> None:
    joined(client)
    for literal in ("NaN", "Infinity", "-Infinity"):
        body = '{"revision": 0, "state": {"grid": {"1": [' + literal + ", 0]}}}"
        response = client.put("/api/draft", content=body, headers=JSON)
        assert response.status_code == 422, literal
        assert response.json()["problems"][0]["code"] == "draft_not_finite"
    assert stored_draft(db).state == {}
    assert client.get("/api/draft").status_code == 200


def test_a_draft_nested_500_deep_is_refused(client: TestClient, db: Session) -> None:
    joined(client)
    nested = "[" * 500 + "]" * 500
    body = '{"revision": 0, "state": {"a": ' + nested + "}}"
    response = client.put("/api/draft", content=body, headers=JSON)
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["code"] == "draft_too_deep" and problem["limit"] == MAX_DEPTH
    assert str(MAX_DEPTH) in problem["message"]
    assert stored_draft(db).revision == 0


def test_a_draft_nested_within_the_limit_is_kept(client: TestClient) -> None:
    joined(client)
    value: object = 1
    for _ in range(MAX_DEPTH - 1):
        value = [value]
    response = client.put("/api/draft", json={"revision": 0, "state": {"a": value}})
    assert response.status_code == 200
    assert client.get("/api/draft").json()["state"] == {"a": value}


def test_a_draft_nested_100000_deep_is_a_client_error(client: TestClient) -> None:
    joined(client)
    body = '{"revision": 0, "state": {"a": %s}}' % ("[" * 100_000 + "]" * 100_000)
    response = client.put("/api/draft", content=body, headers=JSON)
    assert 400 <= response.status_code < 500


def test_a_submit_key_of_another_participant_is_refused_with_409(
    client: TestClient, settings: object, db: Session
) -> None:
    config = joined(client)
    sort = {
        "key": "shared-key-1",
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": full_sort(config),
    }
    assert client.post("/api/sort", json=sort).status_code == 200
    client.cookies.clear()
    joined(client)
    for _ in range(2):  # a retry is told the same, clearly
        response = client.post("/api/sort", json=sort)
        assert response.status_code == 409
        assert response.json()["error"] == "key_in_use"
    response = client.post("/api/sort", json={**sort, "key": "fresh-key-2"})
    assert response.status_code == 200 and response.json()["status"] == "recorded"
    assert len(db.exec(select(QSortRecord)).all()) == 2


def test_a_body_over_the_limit_is_refused_unread(client: TestClient) -> None:
    joined(client)
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    big = json.dumps({"revision": 0, "state": {"pad": "x" * limit}})
    response = client.put("/api/draft", content=big, headers=JSON)
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"
    assert str(limit) in response.json()["message"]
    assert client.get("/api/draft").json()["revision"] == 0


def test_a_body_without_a_length_is_cut_at_the_limit(client: TestClient) -> None:
    joined(client)
    limit = client.app.state.settings.max_body_bytes  # type: ignore[attr-defined]
    chunks = [b'{"revision": 0, "state": {"pad": "'] + [b"x" * 65536] * (limit // 65536 + 2)

    response = client.put("/api/draft", content=iter(chunks), headers=JSON)
    assert response.status_code == 413
    small = [b'{"revision": 0, ', b'"state": {"a": 1}}']
    response = client.put("/api/draft", content=iter(small), headers=JSON)
    assert response.status_code == 200, response.text


def test_a_body_with_a_false_length_is_refused(client: TestClient) -> None:
    response = client.post("/join", content=b"code=DEMO", headers={"content-length": "-1"})
    assert response.status_code in (400, 413)
