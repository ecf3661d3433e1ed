"""The migrations build the schema the models describe, and take it away again.

Run on the embedded SQLite here; the PostgreSQL run of the same checks lives with the PostgreSQL
test setup.
"""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables)
from alembic import command
from app import db
from app.settings import Settings


def _migrated(tmp_path: Path) -> tuple[Settings, sa.Engine]:
    settings = Settings.for_data_dir(tmp_path)
    engine = db.make_engine(settings)
    db.upgrade(engine, settings)
    return settings, engine


def test_upgrade_from_empty_makes_every_model_table(tmp_path: Path) -> None:
    _, engine = _migrated(tmp_path)
    tables = set(sa.inspect(engine).get_table_names())
    assert set(SQLModel.metadata.tables) <= tables
    engine.dispose()


def test_models_and_migrations_describe_the_same_schema(tmp_path: Path) -> None:
    _, engine = _migrated(tmp_path)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_empty_removes_every_table(tmp_path: Path) -> None:
    settings, engine = _migrated(tmp_path)
    config = db.alembic_config(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    assert set(sa.inspect(engine).get_table_names()) <= {"alembic_version"}
    engine.dispose()


def test_upgrade_is_at_the_single_newest_revision(tmp_path: Path) -> None:
    settings, engine = _migrated(tmp_path)
    heads = ScriptDirectory.from_config(db.alembic_config(settings)).get_heads()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    engine.dispose()
    assert len(heads) == 1
    assert tuple(current) == tuple(heads)
