"""Engine creation and schema migrations.

SQLite gets WAL mode (readers never wait for the writer, so fifty tablets autosaving at once stay
responsive), foreign keys on, and a busy timeout so that a writer waits instead of failing.
Migrations run programmatically through Alembic with ``script_location`` taken from the package
location, so they work from any working directory and when the app is installed.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Any

from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import create_engine

from alembic import command
from app import ALEMBIC_DIR
from app.settings import Settings


def make_engine(settings: Settings) -> Engine:
    """Create the engine for ``settings.database_url`` (creating the SQLite folder if needed)."""
    url = make_url(settings.database_url)
    if settings.is_sqlite:
        if url.database and url.database != ":memory:":
            create_private_file(Path(url.database))
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True)


def create_private_file(path: Path) -> None:
    """Make sure ``path`` exists readable by its owner only (mode 600; its folder 700 if new).

    SQLite gives its journal, WAL and shared-memory files the database file's permissions, so
    they are private too.
    """
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def alembic_config(settings: Settings) -> Config:
    """An Alembic configuration pointing at the migrations shipped with the app."""
    config = Config()
    config.set_main_option("script_location", str(ALEMBIC_DIR))
    config.set_main_option("sqlalchemy.url", settings.database_url.replace("%", "%%"))
    return config


def upgrade(engine: Engine, settings: Settings) -> None:
    """Bring the database to the newest schema (an empty database gets every table)."""
    config = alembic_config(settings)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
