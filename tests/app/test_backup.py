"""``qsort backup`` and ``qsort restore`` carry a whole installation, on SQLite and PostgreSQL."""

from __future__ import annotations

import gzip
import json
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, create_engine, select
from sqlmodel import Session
from sqlmodel import select as sql_select

from app import store
from app.backup import BackupError, backup, restore
from app.cli import main as web_main
from app.main import create_app
from app.models import Comment, QSortRecord, SortEntry, Study, SurveyAnswer
from app.services import pictures
from app.settings import Settings
from tests.databases import database_url

from .conftest import full_sort, joined


def finished_participant(client: TestClient, comment: str, group: str) -> None:
    """Join, autosave, submit and finish with one comment and one answer."""
    client.cookies.clear()
    config = joined(client)
    assert (
        client.put("/api/draft", json={"revision": 0, "state": {"n": comment}}).status_code == 200
    )
    placements = full_sort(config)
    sort = {"key": f"key-{comment}", "qset_id": config["qsetId"], "grid_id": config["gridId"]}
    assert client.post("/api/sort", json={**sort, "placements": placements}).status_code == 200
    top = next(p["statement"] for p in placements if p["value"] == 4)
    body = {"key": f"fin-{comment}", "comments": {str(top): comment}, "answers": {"group": group}}
    assert client.post("/api/finish", json=body).status_code == 200


def every_row(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in primary-key order (times compared to the second, as text)."""
    engine = create_engine(url)
    metadata = MetaData()
    rows: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        metadata.reflect(bind=connection)
        for table in metadata.sorted_tables:
            if table.name == "alembic_version":
                continue
            query = select(table).order_by(*table.primary_key.columns)
            rows[table.name] = [_comparable(r) for r in connection.execute(query)]
    engine.dispose()
    return rows


def _comparable(row: Any) -> tuple[Any, ...]:
    return tuple(v.replace(tzinfo=None).isoformat() if hasattr(v, "isoformat") else v for v in row)


@contextmanager
def populated(settings: Settings) -> Iterator[None]:
    with TestClient(create_app(settings), follow_redirects=False) as client:
        finished_participant(client, "first", "worker")
        finished_participant(client, "second", "both")
        client.cookies.clear()
        joined(client)  # one still sorting: a draft and no sort
        client.put("/api/draft", json={"revision": 0, "state": {"grid": {"3": [1, 0]}}})
    yield


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_backup_restores_into_an_empty_data_dir(
    settings: Settings, tmp_path: Path, target: str
) -> None:
    with populated(settings):
        pass
    out = tmp_path / "backups" / "qsort-backup.jsonl.gz"
    summary = backup(settings, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert summary.rows["qsort"] == 2 and summary.rows["comment"] == 2
    empty_dir = tmp_path / "restored"
    with database_url(target, empty_dir) as url:
        restored = Settings.for_data_dir(empty_dir, database_url=url)
        empty_dir.mkdir(exist_ok=True)
        assert restore(restored, out).rows == summary.rows
        assert every_row(url) == every_row(settings.database_url)
        engine = create_engine(url)
        with Session(engine) as db:
            assert len(db.exec(sql_select(Study)).all()) == 1
            assert len(db.exec(sql_select(QSortRecord)).all()) == 2
            assert len(db.exec(sql_select(SortEntry)).all()) == 2 * 34
            assert {c.text for c in db.exec(sql_select(Comment))} == {"first", "second"}
            assert {a.value for a in db.exec(sql_select(SurveyAnswer))} == {"worker", "both"}
        engine.dispose()
        with TestClient(create_app(restored), follow_redirects=False) as client:
            finished_participant(client, "third", "worker")  # new ids follow the restored ones


SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 3"><rect width="{}" height="3"/></svg>'
)
DRAWINGS = [SVG.format(width).encode() for width in (1, 2)]


def picture_cards(settings: Settings) -> dict[int, bytes]:
    """Give the demo's statements 1 and 2 a picture each; return number -> picture bytes."""
    engine = create_engine(settings.database_url)
    with Session(engine) as db:
        study = db.exec(sql_select(Study)).one()
        assert study.current_qset_id is not None
        for card in store.statements(db, study.current_qset_id)[:2]:
            card.image = pictures.store_image(settings.data_dir, DRAWINGS[card.number - 1], "svg")
            card.image_alt = f"drawing {card.number}"
            db.add(card)
        db.commit()
    engine.dispose()
    return {n: drawing for n, drawing in enumerate(DRAWINGS, 1)}


def served_pictures(settings: Settings) -> dict[int, bytes]:
    """The pictures a participant's sort page shows, fetched as the page fetches them."""
    with TestClient(create_app(settings), follow_redirects=False) as client:
        config = joined(client)
        shown = {}
        for card in config["statements"]:
            if card.get("image"):
                answer = client.get(card["image"])
                assert answer.status_code == 200
                shown[int(card["n"])] = answer.content
    return shown


@pytest.mark.parametrize("target", ["sqlite", "postgresql"])
def test_the_pictures_come_back_with_the_store(
    settings: Settings, tmp_path: Path, target: str
) -> None:
    with populated(settings):
        pass
    drawn = picture_cards(settings)
    (pictures.media_dir(settings.data_dir) / "notes.txt").write_text("not a picture")
    out = tmp_path / "with-pictures.jsonl.gz"
    assert backup(settings, out).media == 2
    empty_dir = tmp_path / "restored"
    with database_url(target, empty_dir) as url:
        restored = Settings.for_data_dir(empty_dir, database_url=url)
        assert restore(restored, out).media == 2
        files = sorted(p.name for p in pictures.media_dir(empty_dir).iterdir())
        assert files == sorted(
            p.name for p in pictures.media_dir(settings.data_dir).iterdir() if p.suffix == ".svg"
        )
        assert served_pictures(restored) == drawn
        assert not [p for p in empty_dir.iterdir() if p.name.startswith(".restore-media-")]


def test_a_damaged_picture_is_refused_and_nothing_is_restored(
    settings: Settings, tmp_path: Path
) -> None:
    with populated(settings):
        pass
    picture_cards(settings)
    out, bad = tmp_path / "good.gz", tmp_path / "bad.gz"
    backup(settings, out)
    with gzip.open(out, "rt", encoding="utf-8") as handle:
        lines = handle.readlines()
    lines[-1] = lines[-1][:-9] + "AAAAAAAA\n"
    with gzip.open(bad, "wt", encoding="utf-8") as handle:
        handle.writelines(lines)
    empty_dir = tmp_path / "restored"
    restored = Settings.for_data_dir(empty_dir)
    with pytest.raises(BackupError, match=r"damaged: media file [0-9a-f]{64}\.svg: its bytes do"):
        restore(restored, bad)
    assert not pictures.media_dir(empty_dir).exists()
    assert every_row(restored.database_url)["study"] == []


def test_a_backup_made_before_pictures_were_carried_still_restores(
    settings: Settings, tmp_path: Path
) -> None:
    with populated(settings):
        pass
    out, old = tmp_path / "new.gz", tmp_path / "old.gz"
    backup(settings, out)
    with gzip.open(out, "rt", encoding="utf-8") as handle:
        lines = handle.readlines()
    header = json.loads(lines[0])
    assert header["version"] == 2 and lines[-1] == '{"media": 0}\n'
    with gzip.open(old, "wt", encoding="utf-8") as handle:
        handle.writelines([json.dumps({**header, "version": 1}) + "\n", *lines[1:-1]])
    restored = Settings.for_data_dir(tmp_path / "restored")
    assert restore(restored, old).media == 0
    assert every_row(restored.database_url) == every_row(settings.database_url)


def test_restore_refuses_a_database_that_holds_data(settings: Settings, tmp_path: Path) -> None:
    with populated(settings):
        pass
    out = tmp_path / "b.gz"
    backup(settings, out)
    with pytest.raises(BackupError, match="already holds data"):
        restore(settings, out)


def test_restore_refuses_what_is_not_a_backup(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.gz"
    with gzip.open(bogus, "wt") as handle:
        handle.write(json.dumps({"format": "something else"}) + "\n")
    with pytest.raises(BackupError, match="not a qsort backup"):
        restore(Settings.for_data_dir(tmp_path / "empty"), bogus)


def test_backup_and_restore_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = tmp_path / "source"
    with populated(Settings.for_data_dir(source)):
        pass
    out = tmp_path / "all.gz"
    assert web_main(["backup", str(out), "--data-dir", str(source)]) == 0
    assert "media/                         0 picture files" in capsys.readouterr().out
    assert web_main(["restore", str(out), "--data-dir", str(tmp_path / "new")]) == 0
    assert "restored" in capsys.readouterr().out
    assert web_main(["restore", str(out), "--data-dir", str(tmp_path / "new")]) == 1
    assert "already holds data" in capsys.readouterr().err
    new_url = Settings.for_data_dir(tmp_path / "new").database_url
    assert every_row(new_url) == every_row(Settings.for_data_dir(source).database_url)
