"""The migrations, both ways, on SQLite and PostgreSQL: empty -> newest -> empty -> newest."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlmodel import SQLModel

import app.models  # noqa: F401  (the tables the migrations must produce)
from alembic import command
from app import db
from app.settings import Settings


def _tables(settings: Settings) -> set[str]:
    engine = db.make_engine(settings)
    with engine.connect() as connection:
        names = set(inspect(connection).get_table_names())
    engine.dispose()
    return names


def _differences(settings: Settings) -> list[object]:
    engine = db.make_engine(settings)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        found = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    return list(found)


def _run(settings: Settings, action: str, revision: str) -> None:
    engine = db.make_engine(settings)
    config = db.alembic_config(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)
    engine.dispose()


def test_upgrade_from_empty_then_downgrade_to_empty(settings: Settings) -> None:
    model_tables = set(SQLModel.metadata.tables)
    assert _tables(settings) == set()
    _run(settings, "upgrade", "head")
    assert _tables(settings) == model_tables | {"alembic_version"}
    assert _differences(settings) == []  # the migrations build exactly the models
    _run(settings, "downgrade", "base")
    assert _tables(settings) <= {"alembic_version"}
    _run(settings, "upgrade", "head")  # and up again on what the downgrade left
    assert _differences(settings) == []
