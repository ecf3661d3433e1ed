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
exceptions (:func:`relax_durability`) are the autosave and the join: they commit with
``synchronous=NORMAL`` on SQLite and ``synchronous_commit=off`` on PostgreSQL, which survive any
crash of the app but may lose the last of them to a power cut (or, on PostgreSQL, a crash of the
database server), until the next synced commit (any submit syncs every earlier write with it). The
device keeps its own copy of the work and sends it again when the server's revision is behind;
a join lost that way asks the person to join again. Skipping the sync matters because SQLite
holds its one write lock through the sync: 300 people joining within two seconds would queue
behind 300 syncs. Sorts, comments, answers and staff changes are never relaxed.

SQLite lets one transaction write at a time. Within a process, writers queue on one lock
(:class:`SerialWritesConnection`) taken when a transaction first writes and released when it
ends, rather than on SQLite's busy handler, which polls with sleeps of up to 100 ms and so turns
a burst of autosaves into long tails. Between processes (``serve --workers N`` on SQLite) the busy
timeout still applies.
Migrations run programmatically through Alembic with ``script_location`` taken from the package
location, so they work from any working directory and when the app is installed.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, Self, TypeVar, overload

from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import URL, Engine, make_url
from sqlmodel import Session, create_engine
from starlette.concurrency import run_in_threadpool

from alembic import command
from app import ALEMBIC_DIR
from app.settings import Settings

T = TypeVar("T")
CursorT = TypeVar("CursorT", bound=sqlite3.Cursor)

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
        connect_args = {
            "check_same_thread": False,
            "timeout": settings.db_wait,
            "factory": SerialWritesConnection,
        }
        engine = create_engine(url, connect_args=connect_args, **pool)
        event.listen(engine, "connect", _sqlite_pragmas)
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


#: One lock per SQLite file in this process: ``SerialWritesConnection`` writers queue on it.
_WRITE_LOCKS: dict[str, threading.Lock] = {}
_WRITE_LOCKS_GUARD = threading.Lock()
#: The first word of statements that make SQLite take its write lock.
_WRITE_WORDS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLACE"})


def _write_lock(database: str) -> threading.Lock:
    with _WRITE_LOCKS_GUARD:
        return _WRITE_LOCKS.setdefault(os.path.abspath(database), threading.Lock())


class SerialWritesConnection(sqlite3.Connection):
    """An SQLite connection whose write transactions queue on a lock shared in the process.

    The lock is taken before the statement that opens a write transaction (the driver begins
    one implicitly before the first INSERT, UPDATE or DELETE) and released when the transaction
    commits or rolls back, or right away if the statement left no transaction open. Waiting is
    bounded by the connection's ``timeout``, after which SQLite's own "database is locked" error
    is raised (answered 503). Each commit after :func:`relax_durability` restores
    ``synchronous=FULL``, so only that one transaction skips the disk sync.
    """

    def __init__(self, database: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(database, *args, **kwargs)
        self.write_lock = _write_lock(database)
        self.wait = float(kwargs.get("timeout", 5.0))
        self.holds_lock = False
        self.relaxed = False

    @overload
    def cursor(self, factory: None = None) -> sqlite3.Cursor: ...

    @overload
    def cursor(self, factory: Callable[[sqlite3.Connection], CursorT]) -> CursorT: ...

    def cursor(self, factory: Any = None) -> Any:
        """A cursor that takes the write lock when its statement starts a write transaction."""
        return super().cursor(factory or SerialWritesCursor)

    def before(self, sql: str) -> None:
        """Take the write lock if ``sql`` is about to open a write transaction."""
        if self.holds_lock or self.in_transaction:
            return
        if sql.lstrip()[:7].upper().rstrip() not in _WRITE_WORDS:
            return
        if not self.write_lock.acquire(timeout=self.wait):
            raise sqlite3.OperationalError("database is locked")
        self.holds_lock = True

    def after(self) -> None:
        """Release the write lock once no transaction is open on this connection."""
        if self.holds_lock and not self.in_transaction:
            self.holds_lock = False
            self.write_lock.release()

    def commit(self) -> None:
        """Commit, then let the next writer in (and end a relaxed sync)."""
        try:
            super().commit()
        finally:
            self.after()
            self.end_relaxed()

    def rollback(self) -> None:
        """Roll back, then let the next writer in (and end a relaxed sync)."""
        try:
            super().rollback()
        finally:
            self.after()
            self.end_relaxed()

    def end_relaxed(self) -> None:
        """Back to ``synchronous=FULL`` after the one relaxed transaction."""
        if self.relaxed and not self.in_transaction:
            self.relaxed = False
            super().execute("PRAGMA synchronous=FULL")

    def close(self) -> None:
        """Close, releasing the write lock if a transaction was left open."""
        try:
            super().close()
        finally:
            if self.holds_lock:
                self.holds_lock = False
                self.write_lock.release()


class SerialWritesCursor(sqlite3.Cursor):
    """The cursor of :class:`SerialWritesConnection` (see there)."""

    connection: SerialWritesConnection

    def execute(self, sql: str, parameters: Any = (), /) -> Self:
        """Run ``sql``, queueing for the write lock first when it starts a write."""
        self.connection.before(sql)
        try:
            return super().execute(sql, parameters)
        finally:
            self.connection.after()

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> Self:
        """Run ``sql`` for each parameter set, queueing for the write lock first."""
        self.connection.before(sql)
        try:
            return super().executemany(sql, seq_of_parameters)
        finally:
            self.connection.after()


def relax_durability(db: Session) -> None:
    """Let this session's next commit skip the wait for the disk (autosaves and joins).

    On SQLite, ``synchronous=NORMAL`` for that one transaction (must run before its first write;
    the commit restores ``FULL``). On PostgreSQL, ``SET LOCAL synchronous_commit = off``: the
    commit is answered before its log record is flushed (the server flushes it within a fraction
    of a second), and the setting ends with the transaction.
    """
    connection = db.connection()
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit = off")
        return
    raw = connection.connection.dbapi_connection
    if isinstance(raw, SerialWritesConnection) and not raw.in_transaction:
        raw.execute("PRAGMA synchronous=NORMAL")
        raw.relaxed = True


async def in_session(engine: Engine, work: Callable[[Session], T]) -> T:
    """Run ``work`` on a new session of ``engine`` in one worker thread; return its result.

    The participant's busiest calls (join, sort page, autosave, submit) use this from ``async``
    routes: declared as dependencies, the session, the participant and the route would each be
    sent to the thread pool in turn, and under load those hand-overs cost as much as the work.
    """

    def run() -> T:
        with Session(engine, expire_on_commit=False) as db:
            return work(db)

    return await run_in_threadpool(run)


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
