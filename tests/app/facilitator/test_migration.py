"""Revision 0004: the models equal the migrations, and it goes down and up again cleanly."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect
from sqlmodel import Session, SQLModel

from alembic import command
from app import db as appdb
from app.models import SortSession
from app.services.group_sessions import close_session
from app.settings import Settings

from .conftest import Device, finish, join_session, submit_sort


def test_the_models_match_the_migrated_schema(tmp_path: Path) -> None:
    settings = Settings.for_data_dir(tmp_path)
    engine = appdb.make_engine(settings)
    appdb.upgrade(engine, settings)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, SQLModel.metadata) == []
    engine.dispose()


def test_0004_goes_down_to_0001_and_up_again(tmp_path: Path) -> None:
    settings = Settings.for_data_dir(tmp_path)
    engine = appdb.make_engine(settings)
    appdb.upgrade(engine, settings)
    config = appdb.alembic_config(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    tables = set(inspect(engine).get_table_names())
    assert "help_request" not in tables and "paper_entry" not in tables
    columns = {c["name"] for c in inspect(engine).get_columns("participant")}
    assert "revoked_at" not in columns
    appdb.upgrade(engine, settings)
    assert {"help_request", "paper_entry"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_a_participant_finishing_after_the_session_closed_gets_the_study_thanks(
    client: TestClient, db: Session, group: SortSession, device: Device
) -> None:
    assert group.id is not None
    tablet = device()
    submit_sort(tablet, join_session(tablet, group.code))
    close_session(db, group.id)
    finish(tablet)
    page = tablet.get(f"/thanks/{group.code}")
    assert "Please hand the tablet back." in page.text  # the demo study's own thanks text
