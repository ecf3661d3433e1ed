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

from app.backup import BackupError, backup, restore
from app.cli import main as web_main
from app.main import create_app
from app.models import Comment, QSortRecord, SortEntry, Study, SurveyAnswer
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
    assert "qsort" in capsys.readouterr().out
    assert web_main(["restore", str(out), "--data-dir", str(tmp_path / "new")]) == 0
    assert "restored" in capsys.readouterr().out
    assert web_main(["restore", str(out), "--data-dir", str(tmp_path / "new")]) == 1
    assert "already holds data" in capsys.readouterr().err
    new_url = Settings.for_data_dir(tmp_path / "new").database_url
    assert every_row(new_url) == every_row(Settings.for_data_dir(source).database_url)
