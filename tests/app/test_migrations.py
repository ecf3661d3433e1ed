"""The migrations build the schema the models describe, and take it away again.

Every test runs on the embedded SQLite and on PostgreSQL (the ``settings`` fixture): upgrade
from empty, models and migrations equal, downgrade to empty, and up again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables)
from alembic import command
from app import db
from app.settings import Settings


@pytest.fixture()
def engine(settings: Settings) -> Iterator[sa.Engine]:
    """A fresh engine on the test's empty database."""
    engine = db.make_engine(settings)
    yield engine
    engine.dispose()


def _run(engine: sa.Engine, settings: Settings, action: str, revision: str) -> None:
    config = db.alembic_config(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        getattr(command, action)(config, revision)


def _differences(engine: sa.Engine) -> list[object]:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))


def _tables(engine: sa.Engine) -> set[str]:
    with engine.connect() as connection:
        return set(sa.inspect(connection).get_table_names())


def test_upgrade_from_empty_makes_every_model_table(engine: sa.Engine, settings: Settings) -> None:
    assert _tables(engine) == set()
    _run(engine, settings, "upgrade", "head")
    assert _tables(engine) == set(SQLModel.metadata.tables) | {"alembic_version"}


def test_models_and_migrations_describe_the_same_schema(
    engine: sa.Engine, settings: Settings
) -> None:
    _run(engine, settings, "upgrade", "head")
    assert _differences(engine) == []


def test_downgrade_to_empty_then_up_again(engine: sa.Engine, settings: Settings) -> None:
    _run(engine, settings, "upgrade", "head")
    _run(engine, settings, "downgrade", "base")
    assert _tables(engine) <= {"alembic_version"}
    _run(engine, settings, "upgrade", "head")
    assert _differences(engine) == []


def test_upgrade_is_at_the_single_newest_revision(engine: sa.Engine, settings: Settings) -> None:
    _run(engine, settings, "upgrade", "head")
    heads = ScriptDirectory.from_config(db.alembic_config(settings)).get_heads()
    with engine.connect() as connection:
        current = MigrationContext.configure(connection).get_current_heads()
    assert len(heads) == 1
    assert tuple(current) == tuple(heads)
