"""The participant flow through the HTTP API: join, autosave, submit, finish."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import Comment, Draft, Participant, QSortRecord, SortEntry, SurveyAnswer

from .conftest import full_sort, joined


class _Finder(HTMLParser):
    """Collects tag names and attributes (the tests parse HTML rather than grep it)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    finder = _Finder()
    finder.feed(html)
    return finder.tags


def test_join_page_has_a_labelled_code_field(client: TestClient) -> None:
    found = tags(client.get("/").text)
    assert any(t == "input" and a.get("id") == "code" for t, a in found)
    assert any(t == "label" and a.get("for") == "code" for t, a in found)


def test_unknown_code_says_so(client: TestClient) -> None:
    response = client.post("/join", data={"code": "NOPE"})
    assert response.status_code == 404
    assert "could not find that code" in response.text


def test_code_is_case_and_space_insensitive(client: TestClient) -> None:
    response = client.post("/join", data={"code": " de mo "})
    assert response.headers["location"] == "/j/DEMO"


def test_declining_consent_stores_nothing(client: TestClient, db: Session) -> None:
    response = client.post("/j/DEMO/consent", data={"choice": "decline"})
    assert response.status_code == 200
    assert "Nothing has been saved" in response.text
    assert db.exec(select(Participant)).all() == []
    assert "qsort_token" not in response.cookies


def test_accepting_sets_an_httponly_lax_cookie_and_a_label(client: TestClient, db: Session) -> None:
    response = client.post("/j/DEMO/consent", data={"choice": "accept"})
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    participant = db.exec(select(Participant)).one()
    assert re.fullmatch(r"P\d\d", participant.label)
    assert len(participant.token_hash) == 64


def test_demo_study_has_34_statements_on_a_minus4_plus4_grid(client: TestClient) -> None:
    config = joined(client)
    assert len(config["statements"]) == 34
    assert config["grid"] == {
        "values": list(range(-4, 5)),
        "capacities": [2, 3, 4, 5, 6, 5, 4, 3, 2],
        "forced": True,
    }


def test_sort_page_needs_a_token(client: TestClient) -> None:
    response = client.get("/p")
    assert response.status_code == 303 and response.headers["location"] == "/"


def test_autosave_bumps_the_revision_and_refuses_a_stale_one(client: TestClient) -> None:
    joined(client)
    first = client.put("/api/draft", json={"revision": 0, "state": {"v": 1, "stage": "presort"}})
    assert first.json() == {"revision": 1}
    stale = client.put("/api/draft", json={"revision": 0, "state": {"v": 1, "stage": "sort"}})
    assert stale.status_code == 409
    assert stale.json()["revision"] == 1
    assert stale.json()["state"]["stage"] == "presort"
    assert client.get("/api/draft").json()["revision"] == 1


def test_submit_records_one_sort_exactly_as_placed(client: TestClient, db: Session) -> None:
    config = joined(client)
    placements = full_sort(config)
    body = {
        "key": "k" * 16,
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": placements,
    }
    first = client.post("/api/sort", json=body)
    again = client.post("/api/sort", json=body)
    assert first.json()["status"] == "recorded"
    assert again.json()["status"] == "already_recorded"
    other_key = client.post("/api/sort", json={**body, "key": "x" * 16})
    assert other_key.status_code == 200
    assert len(db.exec(select(QSortRecord)).all()) == 1
    stored = {(e.value, e.row) for e in db.exec(select(SortEntry))}
    assert stored == {(p["value"], p["row"]) for p in placements}


def test_a_different_second_sort_is_refused(client: TestClient) -> None:
    config = joined(client)
    placements = full_sort(config)
    body = {
        "key": "k" * 16,
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": placements,
    }
    client.post("/api/sort", json=body)
    swapped = [dict(p) for p in placements]
    swapped[0]["statement"], swapped[-1]["statement"] = (
        swapped[-1]["statement"],
        swapped[0]["statement"],
    )
    response = client.post("/api/sort", json={**body, "key": "y" * 16, "placements": swapped})
    assert response.status_code == 409


def test_invalid_sort_says_exactly_what_is_wrong(client: TestClient) -> None:
    config = joined(client)
    placements = full_sort(config)[:-1]
    placements[0] = {**placements[0], "value": 4, "row": 5}
    body = {
        "key": "k" * 16,
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": placements,
    }
    response = client.post("/api/sort", json=body)
    assert response.status_code == 422
    codes = {p["code"] for p in response.json()["problems"]}
    assert {"missing_statement", "row_off_grid", "column_count"} <= codes
    messages = [p["message"] for p in response.json()["problems"]]
    assert any(m == "Card 34 is not on the board yet." for m in messages)


def test_wrong_qset_version_is_refused(client: TestClient) -> None:
    config = joined(client)
    body = {
        "key": "k" * 16,
        "qset_id": 999,
        "grid_id": config["gridId"],
        "placements": full_sort(config),
    }
    response = client.post("/api/sort", json=body)
    assert response.status_code == 422
    assert response.json()["problems"][0]["code"] == "qset_version"


def _submit(client: TestClient, config: dict[str, object]) -> list[dict[str, int]]:
    placements = full_sort(config)
    client.post(
        "/api/sort",
        json={
            "key": "k" * 16,
            "qset_id": config["qsetId"],
            "grid_id": config["gridId"],
            "placements": placements,
        },
    )
    return placements


def test_finish_needs_required_answers_then_spends_the_token(
    client: TestClient, db: Session
) -> None:
    config = joined(client)
    placements = _submit(client, config)
    top = next(p["statement"] for p in placements if p["value"] == 4)
    missing = client.post("/api/finish", json={"key": "f" * 16, "comments": {}, "answers": {}})
    assert missing.status_code == 422
    assert missing.json()["problems"][0]["code"] == "answer_required"
    body = {"key": "f" * 16, "comments": {str(top): "because"}, "answers": {"group": "worker"}}
    done = client.post("/api/finish", json=body)
    assert done.status_code == 200 and done.json()["next"] == "/thanks/DEMO"
    assert db.exec(select(Comment)).one().text == "because"
    assert db.exec(select(SurveyAnswer)).one().value == "worker"
    assert client.get("/api/draft").status_code == 401
    assert client.get("/p").headers["location"] == "/"


def test_finish_retry_with_same_key_is_ok(client: TestClient) -> None:
    config = joined(client)
    _submit(client, config)
    body = {"key": "f" * 16, "comments": {}, "answers": {"group": "worker"}}
    token = client.cookies.get("qsort_token")
    assert client.post("/api/finish", json=body).status_code == 200
    assert token is not None
    client.cookies.set("qsort_token", token)
    assert client.post("/api/finish", json=body).status_code == 200


def test_comment_on_a_middle_card_is_refused(client: TestClient) -> None:
    config = joined(client)
    placements = _submit(client, config)
    middle = next(p["statement"] for p in placements if p["value"] == 0)
    body = {"key": "f" * 16, "comments": {str(middle): "x"}, "answers": {"group": "worker"}}
    response = client.post("/api/finish", json=body)
    assert response.status_code == 422
    assert response.json()["problems"][0]["code"] == "comment_not_extreme"


def test_draft_survives_a_new_app_on_the_same_database(settings: object) -> None:
    from app.main import create_app
    from app.settings import Settings

    assert isinstance(settings, Settings)
    with TestClient(create_app(settings), follow_redirects=False) as first:
        joined(first)
        first.put("/api/draft", json={"revision": 0, "state": {"v": 1, "stage": "sort"}})
        token = first.cookies.get("qsort_token")
    assert token is not None
    with TestClient(create_app(settings), follow_redirects=False) as second:
        second.cookies.set("qsort_token", token)
        assert second.get("/api/draft").json() == {
            "revision": 1,
            "state": {"v": 1, "stage": "sort"},
        }
    _ = Draft


def test_offline_shell_holds_the_study_but_no_participant(client: TestClient) -> None:
    config = joined(client)
    assert config["participant"] is not None
    client.put("/api/draft", json={"revision": 0, "state": {"v": 1, "secret": "my words"}})
    shell = client.get("/p/shell")
    assert shell.status_code == 200
    assert shell.headers["cache-control"] == "no-store"
    import json
    import re

    found = re.search(r'id="qsort-config">(.*?)</script>', shell.text, re.S)
    assert found is not None
    shell_config = json.loads(found.group(1))
    assert shell_config["participant"] is None and shell_config["draft"] is None
    assert shell_config["statements"] == config["statements"]
    assert "my words" not in shell.text
    participant = config["participant"]
    assert isinstance(participant, dict)
    assert participant["storageKey"] not in shell.text


def test_offline_shell_is_refused_without_a_participant(client: TestClient) -> None:
    assert client.get("/p/shell").status_code == 401


def test_service_worker_is_served_from_the_root(client: TestClient) -> None:
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cache-control"] == "no-cache"
    assert "/api/" in response.text and "qsort-shell" in response.text


def test_there_is_no_resume_link(client: TestClient) -> None:
    joined(client)
    token = client.cookies.get("qsort_token")
    assert token
    client.cookies.clear()
    response = client.get(f"/r/{token}")
    assert response.status_code == 404
    assert "qsort_token" not in response.cookies


def test_labels_are_random_and_unique_within_a_session() -> None:
    from app.services.join import random_label

    taken: set[str] = set()
    for _ in range(150):
        label = random_label(taken)
        assert label not in taken and re.fullmatch(r"P\d{2,3}", label)
        taken.add(label)
    drawn = {random_label(set()) for _ in range(40)}
    assert len(drawn) > 20  # not handed out in order


def test_a_room_joining_at_once_gets_distinct_labels(client: TestClient, db: Session) -> None:
    """Thirty tablets accepting the consent at the same moment: everyone gets in."""
    from concurrent.futures import ThreadPoolExecutor

    from app.services.join import accept_consent

    engine = client.app.state.engine  # type: ignore[attr-defined]

    def join(_: int) -> str:
        with Session(engine) as session:
            return accept_consent(session, "DEMO").participant.label

    with ThreadPoolExecutor(max_workers=10) as pool:
        labels = list(pool.map(join, range(30)))
    assert len(set(labels)) == 30
    assert len(db.exec(select(Participant)).all()) == 30
