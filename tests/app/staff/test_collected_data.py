"""The collected data: participants table, one sort as its grid, exclusion, withdrawal, and the
exports in the browser and by ``qsort data export`` / ``qsort study``, read back by ``qsort``."""

from __future__ import annotations

import csv
import io
import json
import random
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.models import AuditEvent, Comment, Participant, QSortRecord, SortEntry
from qsort.cli import main as qsort_main
from qsort.formats import FORMATS, read_study
from tests.app.conftest import full_sort, joined
from tests.app.staff.conftest import StaffWorld, csrf_of


def _participant_sorts(world: StaffWorld, count: int) -> dict[str, dict[int, int]]:
    """``count`` participants sort the demo (shuffled), comment and answer; label -> sort."""
    rng = random.Random(7)
    sorts: dict[str, dict[int, int]] = {}
    for n in range(count):
        client = TestClient(world.app, follow_redirects=False)
        config = joined(client)
        grid = config["grid"]
        assert isinstance(grid, dict)
        slots = [
            (v, r)
            for v, c in zip(grid["values"], grid["capacities"], strict=True)
            for r in range(c)
        ]
        numbers = [int(s["n"]) for s in config["statements"]]
        rng.shuffle(numbers)
        placements = [
            {"statement": s, "value": v, "row": r} for s, (v, r) in zip(numbers, slots, strict=True)
        ]
        body = {
            "key": f"{n:016d}",
            "qset_id": config["qsetId"],
            "grid_id": config["gridId"],
            "placements": placements,
        }
        assert client.post("/api/sort", json=body).status_code == 200
        top = next(p["statement"] for p in placements if p["value"] == 4)
        finish = {
            "key": f"f{n:015d}",
            "comments": {str(top): f"my reason {n}"},
            "answers": {"group": "worker", "anything_else": "My name is Alice"},
        }
        assert client.post("/api/finish", json=finish).status_code == 200
        with world.db() as db:
            record = db.exec(select(QSortRecord).where(QSortRecord.submit_key == body["key"])).one()
            participant = db.get(Participant, record.participant_id)
            assert participant is not None, "the sort's participant is stored"
            label = participant.label
        sorts[label] = {p["statement"]: p["value"] for p in placements}
    return sorts


def _as_dict(path: Path, fmt: str | None = None) -> dict[str, dict[int, int]]:
    study = read_study(path, fmt)
    ids = [int(s.id) for s in study.statements]
    return {
        name: {ids[i]: int(study.sorts[i, j]) for i in range(len(ids))}
        for j, name in enumerate(study.sort_names)
    }


def test_participants_table_and_one_sort_as_its_grid(world: StaffWorld) -> None:
    sorts = _participant_sorts(world, 2)
    owner = world.clients["owner"]
    table = owner.get(f"/studies/{world.study_id}/participants").text
    for label in sorts:
        assert f">{label}</a>" in table
    assert table.count("finished") >= 2 and "tablet" in table
    with world.db() as db:
        pid = db.exec(select(QSortRecord.participant_id)).first()
    page = owner.get(f"/studies/{world.study_id}/participants/{pid}").text
    assert page.count('class="sort-card"') == 34
    assert "my reason" in page and "I work in a drug or support service" in page


def test_exports_give_back_exactly_the_submitted_sorts_in_every_format(
    world: StaffWorld, tmp_path: Path
) -> None:
    sorts = _participant_sorts(world, 3)
    owner = world.clients["owner"]
    for name, spec in FORMATS.items():
        response = owner.get(f"/studies/{world.study_id}/export", params={"format": name})
        assert response.status_code == 200, (name, response.text[:300])
        folder = tmp_path / name
        folder.mkdir()
        if response.content[:2] == b"PK" and spec.extensions[0] != ".xlsx":
            zipfile.ZipFile(io.BytesIO(response.content)).extractall(folder)
            target = next(p for p in folder.iterdir() if p.suffix.lower() == spec.extensions[0])
        else:
            target = folder / f"sorts{spec.extensions[0]}"
            target.write_bytes(response.content)
        assert _as_dict(target, name) == sorts, name


def test_cli_data_export_is_read_by_qsort_analyze(
    world: StaffWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sorts = _participant_sorts(world, 3)
    folder = str(world.settings.data_dir)
    out = tmp_path / "demo.dat"
    assert qsort_main(["data", "export", str(world.study_id), str(out), "--data-dir", folder]) == 0
    assert _as_dict(out) == sorts
    assert stat.S_IMODE(out.stat().st_mode) & 0o077 == 0
    with world.db() as db:
        line = db.exec(select(AuditEvent).where(AuditEvent.action == "data_export")).one()
    assert line.actor == "" and line.study_id == world.study_id  # the command line
    assert qsort_main(["analyze", str(out), "--factors", "2"]) == 0
    printed = capsys.readouterr().out
    assert "3 Q-sorts, 34 statements" in printed
    assert all(f"\n{label} " in printed for label in sorts)


def test_responses_are_deidentified_unless_full_by_the_owner(world: StaffWorld) -> None:
    _participant_sorts(world, 2)
    owner = world.clients["owner"]
    rows = list(
        csv.DictReader(io.StringIO(owner.get(f"/studies/{world.study_id}/responses.csv").text))
    )
    comments = [r for r in rows if r["kind"] == "comment"]
    answers = [r for r in rows if r["kind"] == "answer"]
    assert len(comments) == 2 and all(r["statement"] and r["answer"] for r in comments)
    assert {r["answer"] for r in answers} == {"I work in a drug or support service"}
    assert all(r["question"] == "Which fits you best?" for r in answers)
    assert not any("Alice" in v for r in rows for v in r.values())
    assert all(r["finished"] == "" for r in rows)
    full = owner.get(f"/studies/{world.study_id}/responses.csv", params={"full": "true"}).text
    assert "My name is Alice" in full
    viewer = world.clients["viewer"]
    assert viewer.get(f"/studies/{world.study_id}/responses.csv").status_code == 200
    assert (
        viewer.get(f"/studies/{world.study_id}/responses.csv", params={"full": "true"}).status_code
        == 403
    )
    with world.db() as db:
        details = [e.detail for e in db.exec(select(AuditEvent)) if e.action == "data_download"]
    assert "responses (full)" in details


def test_exclusion_keeps_the_sort_but_leaves_it_out_of_exports(world: StaffWorld) -> None:
    sorts = _participant_sorts(world, 3)
    owner = world.clients["owner"]
    with world.db() as db:
        first = db.get(Participant, db.exec(select(QSortRecord.participant_id)).first())
    assert first is not None
    url = f"/studies/{world.study_id}/participants/{first.id}/exclude"
    token = csrf_of(owner, "/studies")
    assert owner.post(url, data={"reason": "sorted in 40 seconds", "csrf_token": token}).is_redirect
    response = owner.get(f"/studies/{world.study_id}/export", params={"format": "qsort"})
    names = set(json.loads(response.content)["sorts"])
    assert names == set(sorts) - {first.label}
    with world.db() as db:
        assert db.exec(select(QSortRecord).where(QSortRecord.participant_id == first.id)).one()


def test_withdrawal_deletes_the_data_and_records_who(world: StaffWorld) -> None:
    _participant_sorts(world, 2)
    with world.db() as db:
        gone = db.get(Participant, db.exec(select(QSortRecord.participant_id)).first())
    assert gone is not None
    url = f"/studies/{world.study_id}/participants/{gone.id}/withdraw"
    co = world.clients["co-owner"]
    assert co.post(url, data={"csrf_token": csrf_of(co, "/studies")}).status_code == 403
    owner = world.clients["owner"]
    assert owner.post(url, data={"csrf_token": csrf_of(owner, "/studies")}).is_redirect
    with world.db() as db:
        assert db.get(Participant, gone.id) is None
        left = {c.participant_id for c in db.exec(select(Comment))}
        assert gone.id not in left
        assert len(db.exec(select(SortEntry)).all()) == 34
        event = db.exec(select(AuditEvent).where(AuditEvent.action == "withdraw")).one()
    assert event.participant == gone.label and event.actor == "demo@example.org"


def test_study_list_json_and_study_file_export(
    world: StaffWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sorts = _participant_sorts(world, 2)
    folder = str(world.settings.data_dir)
    capsys.readouterr()
    assert qsort_main(["study", "list", "--json", "--data-dir", folder]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert listed == [
        {"id": world.study_id, "title": "Relapse and recovery (demo)", "status": "open", "sorts": 2}
    ]
    out = tmp_path / "study.json"
    assert qsort_main(["study", "export", str(world.study_id), str(out), "--data-dir", folder]) == 0
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [q["id"] for q in document["questions"]] == ["group", "recovery_time", "anything_else"]
    assert _as_dict(out) == sorts
    matrix = np.array([[v for _, v in sorted(s.items())] for s in sorts.values()])
    assert matrix.shape == (2, 34)


def test_a_study_file_comes_in_and_its_sorts_are_marked_imported(
    world: StaffWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sorts = _participant_sorts(world, 2)
    folder = str(world.settings.data_dir)
    out = tmp_path / "study.json"
    assert qsort_main(["study", "export", str(world.study_id), str(out), "--data-dir", folder]) == 0
    owner = world.clients["other"]
    token = csrf_of(owner, "/studies")
    made = owner.post(
        "/studies/import",
        data={"csrf_token": token},
        files={"file": ("mine.json", out.read_bytes())},
    )
    assert made.status_code == 303
    new_id = int(made.headers["location"].rsplit("/", 1)[1])
    table = owner.get(f"/studies/{new_id}/participants").text
    assert table.count("imported") >= 2
    again = owner.get(f"/studies/{new_id}/export", params={"format": "qsort"})
    assert _as_dict_bytes(again.content, tmp_path) == sorts
    capsys.readouterr()
    assert qsort_main(["study", "import", str(out), "--data-dir", folder]) == 0
    assert "imported study" in capsys.readouterr().out


def test_sorts_from_a_file_are_checked_against_the_grid(
    world: StaffWorld, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sorts = _participant_sorts(world, 2)
    owner = world.clients["owner"]
    xlsx = owner.get(f"/studies/{world.study_id}/export", params={"format": "kade-xlsx"}).content
    token = csrf_of(owner, "/studies")
    url = f"/studies/{world.study_id}/sorts/import"
    done = owner.post(url, data={"csrf_token": token}, files={"file": ("old.xlsx", xlsx)})
    assert done.status_code == 303, done.text[-1500:]
    with world.db() as db:
        imported = db.exec(select(QSortRecord).where(QSortRecord.source == "imported")).all()
    assert len(imported) == 2 and {r.source_file for r in imported} == {"old.xlsx"}
    bad = tmp_path / "bad.csv"
    rows = "".join(f"{n},{n % 3 - 1},{(35 - n) % 3 - 1}\n" for n in range(1, 35))
    bad.write_text("statement,A,B\n" + rows)  # sorted on a -1..+1 grid, not the demo's
    folder = str(world.settings.data_dir)
    code = qsort_main(["data", "import", str(world.study_id), str(bad), "--data-dir", folder])
    assert code == 2
    assert "does not fit the study's grid" in capsys.readouterr().err
    assert len(sorts) == 2


def _as_dict_bytes(content: bytes, folder: Path) -> dict[str, dict[int, int]]:
    path = folder / "back.json"
    path.write_bytes(content)
    return _as_dict(path)


TRACE = {
    "steps": {"instructions": 3000, "presort": 45000, "sort": 120250},
    "moves": [
        {"n": 2, "from": "deck", "to": "pile:agree", "t": 1500, "by": "tap", "undo": False},
        {"n": 2, "from": "pile:agree", "to": "grid:4:0", "t": 8000, "by": "drag", "undo": False},
    ],
}


def test_the_move_trace_downloads_as_csv_with_labels_only(
    world: StaffWorld, tmp_path: Path
) -> None:
    participant = TestClient(world.app, follow_redirects=False)
    config = joined(participant)
    body = {
        "key": "trace-download-01",
        "qset_id": config["qsetId"],
        "grid_id": config["gridId"],
        "placements": full_sort(config),
        "trace": TRACE,
    }
    assert participant.post("/api/sort", json=body).status_code == 200
    owner = world.clients["owner"]
    moves = list(
        csv.DictReader(io.StringIO(owner.get(f"/studies/{world.study_id}/trace-moves.csv").text))
    )
    assert [(m["seq"], m["card"], m["from"], m["to"], m["seconds"], m["by"]) for m in moves] == [
        ("1", "2", "deck", "pile:agree", "1.5", "tap"),
        ("2", "2", "pile:agree", "grid:4:0", "8.0", "drag"),
    ]
    with Session(world.app.state.engine) as db:
        record = db.exec(select(QSortRecord).where(QSortRecord.submit_key == body["key"])).one()
        label = db.get(Participant, record.participant_id).label  # type: ignore[union-attr]
    assert {m["participant"] for m in moves} == {label}
    steps = owner.get(f"/studies/{world.study_id}/trace-steps.csv").text
    assert {r["step"]: r["seconds"] for r in csv.DictReader(io.StringIO(steps))} == {
        "instructions": "3.0",
        "presort": "45.0",
        "sort": "120.25",
    }
    assert owner.get(f"/studies/{world.study_id}/trace-other.csv").status_code == 422
    out = tmp_path / "demo.moves.csv"
    folder = str(world.settings.data_dir)
    assert qsort_main(["data", "export", str(world.study_id), str(out), "--data-dir", folder]) == 0
    assert list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8")))) == moves
