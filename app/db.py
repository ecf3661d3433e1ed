"""Engine creation and schema migrations.

SQLite gets WAL mode (readers never wait for the writer, so fifty tablets autosaving at once stay
responsive), foreign keys on, and a busy timeout so that a writer waits instead of failing.

Capacity is sized with the app's concurrency (``Settings.max_concurrent``): the pool holds one
connection per request the process may work on, and a request waits at most ``Settings.db_wait``
seconds for a connection or for SQLite's write lock, after which it is answered 503 (never a
30-second hang).

Every commit is durable when acknowledged: SQLite runs with ``synchronous=FULL`` (the write-ahead
log is synced to disk at each commit, so a power cut cannot undo an acknowledged sort) and
PostgreSQL sessions force ``synchronous_commit=on``, whatever the server's default. The two
exceptions, on SQLite only (:func:`relax_durability`), are the autosave and the join: they commit
with ``synchronous=NORMAL``, which survives any crash of the app but may lose the last of them to
a power cut, until the next synced commit (any submit syncs every earlier write with it). The
device keeps its own copy of the work and sends it again when the server's revision is behind;
a join lost that way asks the person to join again. Skipping the sync matters because SQLite
holds its one write lock through the sync: 300 people joining within two seconds would queue
behind 300 syncs. Sorts, comments, answers and staff changes are never relaxed.
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
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, create_engine

from alembic import command
from app import ALEMBIC_DIR
from app.settings import Settings

#: Connections beyond the pool for work outside requests (start-up, the health check).
POOL_OVERFLOW = 2


def make_engine(settings: Settings) -> Engine:
    """Create the engine for ``settings.database_url`` (creating the SQLite folder if needed)."""
    url = make_url(settings.database_url)
    pool: dict[str, Any] = {
        "pool_size": settings.max_concurrent,
        "max_overflow": POOL_OVERFLOW,
        "pool_timeout": settings.db_wait,
    }
    if settings.is_sqlite:
        if url.database and url.database != ":memory:":
            create_private_file(Path(url.database))
        else:
            pool = {}  # an in-memory database lives in one connection
        connect_args = {"check_same_thread": False, "timeout": settings.db_wait}
        engine = create_engine(url, connect_args=connect_args, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "checkout", _sqlite_full_sync)
        return engine
    url, connect_args = _postgres_connect_args(url, settings.db_wait)
    return create_engine(url, connect_args=connect_args, pool_pre_ping=True, **pool)


def _postgres_connect_args(url: URL, db_wait: float) -> tuple[URL, dict[str, Any]]:
    """Force ``synchronous_commit=on`` (keeping the URL's ``options``) and a connect timeout."""
    options = f"{url.query.get('options', '')} -c synchronous_commit=on".strip()
    args: dict[str, Any] = {"options": options, "connect_timeout": max(1, round(db_wait))}
    return url.difference_update_query(["options"]), args


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
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _sqlite_full_sync(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """Every request starts durable (undoing an earlier :func:`relax_durability`)."""
    dbapi_connection.execute("PRAGMA synchronous=FULL")


def relax_durability(db: Session) -> None:
    """On SQLite, let this session's next commit skip the disk sync (autosaves only).

    Must run before the transaction's first write; a no-op on PostgreSQL and inside a
    transaction that has already written.
    """
    connection = db.connection()
    if connection.dialect.name != "sqlite":
        return
    raw = connection.connection.dbapi_connection
    if raw is not None and not raw.in_transaction:
        raw.execute("PRAGMA synchronous=NORMAL")


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
