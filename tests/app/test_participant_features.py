"""Participant features through the HTTP API and services: read-only pages, opaque ids, the
resume code, the move trace and its export rows, picture files, catalogues, migration 0003."""

from __future__ import annotations

import json
import re
import string
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from alembic import command
from app import I18N_DIR
from app.db import alembic_config, make_engine
from app.i18n import Catalogue
from app.models import Draft, Participant, QSortRecord, Study, utcnow
from app.services import resume, trace
from app.services.pictures import store_image
from app.settings import Settings

from .conftest import full_sort, joined


def _participant(db: Session) -> Participant:
    db.expire_all()
    return db.exec(select(Participant)).one()


def _page_config(html: str) -> dict[str, Any]:
    found = re.search(r'id="qsort-config">(.*?)</script>', html, re.S)
    assert found is not None
    config: dict[str, Any] = json.loads(found.group(1))
    return config


# ---------- rendering never writes ----------


def _count_writes(client: TestClient) -> list[str]:
    writes: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().split()[0].upper() in {"INSERT", "UPDATE", "DELETE", "REPLACE"}:
            writes.append(statement)

    sa.event.listen(client.app.state.engine, "before_cursor_execute", record)  # type: ignore[attr-defined]
    return writes


def test_showing_pages_never_writes_to_the_database(client: TestClient, db: Session) -> None:
    joined(client)
    # a participant whose draft row is missing (the old code created it while rendering)
    db.exec(sa.delete(Draft))
    db.commit()
    writes = _count_writes(client)
    for url in ("/", "/p", "/p/shell", "/api/draft", "/j/DEMO"):
        assert client.get(url).status_code == 200, url
    assert client.get("/api/draft").json() == {"revision": 0, "state": {}}
    assert writes == []
    # the first save creates the draft
    assert client.put("/api/draft", json={"revision": 0, "state": {"v": 1}}).json() == {
        "revision": 1
    }
    writes.clear()
    assert client.get("/thanks/DEMO").status_code == 200
    assert writes == []


# ---------- no database id anywhere ----------


def test_pages_and_storage_keys_carry_a_random_id_not_the_database_id(
    client: TestClient, db: Session
) -> None:
    ids = []
    for _ in range(3):
        client.cookies.clear()
        config: dict[str, Any] = joined(client)
        page = client.get("/p").text
        participant = db.exec(select(Participant).order_by(Participant.id.desc())).first()  # type: ignore[union-attr]
        assert participant is not None
        key = config["participant"]["storageKey"]
        assert key == f"demo-relapse-recovery:{participant.public_id}"
        assert not key.split(":", 1)[1].isdigit()
        assert f':{participant.id}"' not in page and f":{participant.id}'" not in page
        assert "participant_id" not in page and '"id":' not in page
        ids.append(participant.public_id)
    assert len(set(ids)) == 3 and all(len(i) >= 16 for i in ids)


# ---------- the resume code ----------


def test_the_code_is_asked_after_the_idle_limit_and_not_before(
    client: TestClient, db: Session
) -> None:
    config: dict[str, Any] = joined(client)
    code = config["participant"]["resumeCode"]
    assert re.fullmatch(r"\d{6}", code)
    participant = _participant(db)
    assert participant.resume_hash is not None and code not in participant.resume_hash
    for minutes, asked in ((9.5, False), (10.5, True)):
        participant.active_at = utcnow() - timedelta(minutes=minutes)
        db.add(participant)
        db.commit()
        page = client.get("/p")
        assert ("qsort-config" not in page.text) is asked
        assert (code in page.text) is not asked
        assert (client.get("/api/draft").status_code == 423) is asked
    wrong = client.post("/p/resume", data={"code": "000000" if code != "000000" else "1"})
    assert wrong.status_code == 422 and "not the right code" in wrong.text
    assert "qsort-config" not in wrong.text
    right = client.post("/p/resume", data={"code": f"{code[:3]} {code[3:]}"})
    assert right.status_code == 303 and right.headers["location"] == "/p"
    assert "qsort-config" in client.get("/p").text


def test_a_study_sets_its_own_idle_limit(client: TestClient, db: Session) -> None:
    joined(client)
    participant = _participant(db)
    study_row = db.get(Study, participant.study_id)
    assert study_row is not None
    study_row.idle_minutes = 30
    db.add(study_row)
    participant.active_at = utcnow() - timedelta(minutes=20)
    db.add(participant)
    db.commit()
    assert "qsort-config" in client.get("/p").text
    assert not resume.needs_code(participant, study_row)
    assert resume.needs_code(participant, study_row, utcnow() + timedelta(minutes=11))


def test_repeated_wrong_codes_must_wait_longer_each_time(client: TestClient, db: Session) -> None:
    config: dict[str, Any] = joined(client)
    code = config["participant"]["resumeCode"]
    bad = "000000" if code != "000000" else "111111"
    statuses = [client.post("/api/unlock", json={"code": bad}) for _ in range(3)]
    assert [r.status_code for r in statuses] == [422, 422, 422]
    assert "retry_after" not in statuses[0].json()
    assert statuses[2].json()["retry_after"] == 5
    # while waiting, even the right code is refused and says how long
    waiting = client.post("/api/unlock", json={"code": code})
    assert waiting.status_code == 429 and 0 < waiting.json()["retry_after"] <= 5
    assert waiting.json()["message"] == "Too many tries. Please wait a little, then try again."
    participant = _participant(db)
    participant.resume_wait_until = utcnow() - timedelta(seconds=1)
    db.add(participant)
    db.commit()
    fourth = client.post("/api/unlock", json={"code": bad})
    assert fourth.json()["retry_after"] == 10
    participant = _participant(db)
    participant.resume_wait_until = utcnow() - timedelta(seconds=1)
    db.add(participant)
    db.commit()
    assert client.post("/api/unlock", json={"code": code}).status_code == 200
    assert _participant(db).resume_failures == 0


# ---------- the move trace ----------

MOVES = [
    {"n": 3, "from": "deck", "to": "pile:agree", "t": 1200, "by": "tap", "undo": False},
    {"n": 3, "from": "pile:agree", "to": "deck", "t": 2500, "by": "keyboard", "undo": True},
    {"n": 3, "from": "deck", "to": "pile:neutral", "t": 3000, "by": "tap", "undo": False},
    {"n": 3, "from": "pile:neutral", "to": "grid:-4:0", "t": 9000, "by": "drag", "undo": False},
]


def test_the_trace_is_stored_with_the_sort_and_exported_as_rows(
    client: TestClient, db: Session
) -> None:
    config: dict[str, Any] = joined(client)
    body = {
        "key": "trace-key-0001",
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": full_sort(config),
        "trace": {
            "steps": {"instructions": 4000, "presort": 61000, "sort": 200500},
            "moves": MOVES,
        },
    }
    assert client.post("/api/sort", json=body).status_code == 200
    finish = {
        "key": "f" * 16,
        "answers": {"group": "worker"},
        "steps": {"postsort": 1500, "survey": 2500},
    }
    assert client.post("/api/finish", json=finish).status_code == 200
    participant = _participant(db)
    record = db.exec(select(QSortRecord)).one()
    assert record.trace["moves"] == MOVES
    rows = trace.move_rows(db, participant.study_id)
    assert [
        (r["seq"], r["card"], r["from"], r["to"], r["seconds"], r["by"], r["undo"]) for r in rows
    ] == [
        (1, 3, "deck", "pile:agree", 1.2, "tap", False),
        (2, 3, "pile:agree", "deck", 2.5, "keyboard", True),
        (3, 3, "deck", "pile:neutral", 3.0, "tap", False),
        (4, 3, "pile:neutral", "grid:-4:0", 9.0, "drag", False),
    ]
    assert {(r["participant"], r["qset_version"]) for r in rows} == {(participant.label, 1)}
    steps = {r["step"]: r["seconds"] for r in trace.step_rows(db, participant.study_id)}
    assert steps == {
        "instructions": 4.0,
        "presort": 61.0,
        "sort": 200.5,
        "postsort": 1.5,
        "survey": 2.5,
    }


@pytest.mark.parametrize(
    "bad",
    [
        {"moves": [{**MOVES[0], "to": "grid:x"}]},
        {"moves": [{**MOVES[0], "by": "voice"}]},
        {"moves": [{**MOVES[0], "t": -1}]},
        {"steps": {"sort": -5}},
        {"steps": {"elsewhere": 5}},
    ],
)
def test_a_malformed_trace_is_refused_clearly(client: TestClient, bad: dict[str, Any]) -> None:
    config: dict[str, Any] = joined(client)
    body = {
        "key": "trace-key-0002",
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": full_sort(config),
        "trace": bad,
    }
    response = client.post("/api/sort", json=body)
    assert response.status_code == 422
    assert response.json()["problems"][0]["where"].startswith("body.trace")


def test_a_sort_without_a_trace_is_still_recorded(client: TestClient, db: Session) -> None:
    config: dict[str, Any] = joined(client)
    body = {
        "key": "trace-key-0003",
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": full_sort(config),
    }
    assert client.post("/api/sort", json=body).status_code == 200
    assert db.exec(select(QSortRecord)).one().trace == {"steps": {}, "moves": []}


# ---------- survey problems name the question ----------


def test_a_missing_answer_is_named_by_its_question_text(client: TestClient) -> None:
    config: dict[str, Any] = joined(client)
    body = {
        "key": "trace-key-0004",
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": full_sort(config),
    }
    client.post("/api/sort", json=body)
    missing = client.post("/api/finish", json={"key": "f" * 16, "answers": {}})
    message = missing.json()["problems"][0]["message"]
    assert "Which fits you best?" in message and "group" not in message


# ---------- pictures ----------


def test_pictures_are_served_by_name_only(client: TestClient, settings: Settings) -> None:
    name = store_image(Path(settings.data_dir), b"<svg xmlns='http://www.w3.org/2000/svg'/>", "svg")
    response = client.get(f"/media/{name}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert "immutable" in response.headers["cache-control"]
    assert "default-src 'none'" in response.headers["content-security-policy"]
    (Path(settings.data_dir) / "media" / "notes.txt").write_text("private")
    for bad in ("notes.txt", "secret_key", name.replace(".svg", ".png"), "..%2Fsecret_key"):
        assert client.get(f"/media/{bad}").status_code == 404


# ---------- catalogues ----------

FIELDS = string.Formatter()


def _placeholders(text: str) -> set[str]:
    return {f for _, f, _, _ in FIELDS.parse(text) if f}


@pytest.mark.parametrize("language", ["es", "ar"])
def test_catalogues_are_complete_with_the_same_placeholders(language: str) -> None:
    english = json.loads((I18N_DIR / "en.json").read_text(encoding="utf-8"))
    other = json.loads((I18N_DIR / f"{language}.json").read_text(encoding="utf-8"))
    assert set(other) == set(english)
    for key, text in english.items():
        assert _placeholders(other[key]) == _placeholders(text), key
        assert (
            other[key] != text or key in {"js.status.saved"} or not text.strip(string.ascii_letters)
        ), key


def test_arabic_pages_are_right_to_left(client: TestClient) -> None:
    assert Catalogue("ar").direction == "rtl" and Catalogue("es").direction == "ltr"
    assert '<html lang="en" dir="ltr">' in client.get("/").text


# ---------- migration 0003 ----------


T0 = "'2026-01-01'"
OLD_ROWS = (
    "INSERT INTO study (id, slug, title, language, condition, consent_text, instructions_text,"
    " thanks_text, disagree_label, agree_label, extremes_required, created_at, updated_at)"
    f" VALUES (1, 's', 't', 'en', 'c', '', '', '', '', '', 0, {T0}, {T0})",
    f"INSERT INTO qset_version (id, study_id, version, created_at) VALUES (1, 1, 1, {T0})",
    "INSERT INTO grid_shape (id, study_id, column_values, capacities, forced, created_at)"
    f" VALUES (1, 1, '[0]', '[1]', 1, {T0})",
    "INSERT INTO sort_session (id, study_id, code, name, is_open, created_at)"
    f" VALUES (1, 1, 'C', '', 1, {T0})",
    *(
        "INSERT INTO participant (id, session_id, study_id, label, token_hash, qset_id, grid_id,"
        f" consented_at) VALUES ({n}, 1, 1, 'P0{n}', 'h{n}', 1, 1, {T0})"
        for n in (1, 2)
    ),
)


def test_migration_gives_existing_participants_a_random_id_and_goes_back(tmp_path: Path) -> None:
    settings = Settings.for_data_dir(tmp_path)
    engine = make_engine(settings)
    config = alembic_config(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
        for statement in OLD_ROWS:
            connection.execute(sa.text(statement))
        command.upgrade(config, "head")
        ids = [r[0] for r in connection.execute(sa.text("SELECT public_id FROM participant"))]
        assert len(set(ids)) == 2 and all(i and not i.isdigit() for i in ids)
        study = connection.execute(
            sa.text("SELECT read_aloud, idle_minutes, tray_start FROM study")
        ).one()
        assert tuple(study) == (1, 10, "agree")
        with Session(bind=connection) as db:  # the ORM reads the rows the migration filled in
            old = db.exec(select(Participant)).all()
            assert [p.resume_hash for p in old] == [None, None]
            assert all(p.active_at.year == 1970 and p.resume_failures == 0 for p in old)
        command.downgrade(config, "0001")
        columns = {c["name"] for c in sa.inspect(connection).get_columns("participant")}
        assert "public_id" not in columns and "resume_hash" not in columns
    engine.dispose()
