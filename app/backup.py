"""Whole-installation backup and restore as a portable logical dump (SQLite and PostgreSQL alike).

A backup is one gzip-compressed JSON Lines file:

- a header line: ``{"format": "qsort-backup", "version": 2, "revision": <schema revision>,
  "dialect": ..., "created": ..., "tables": [...]}``;
- for each table, in an order where every row's foreign keys come first: a line
  ``{"table": name, "columns": [...], "rows": n}`` followed by ``n`` lines, each a JSON list of
  that row's values (times as ISO 8601 text, binary as base64);
- the pictures of picture cards, the data folder's ``media/`` (:mod:`app.backup_media`): a line
  ``{"media": n}`` and two lines a file. Version 1 backups, made before, end with the tables
  and restore as before.

Every table in the database is dumped, found by reflection rather than from the models, so tables
that later versions add (accounts, audit records) are carried without changing this module. The
dump is one consistent moment: on SQLite it is read from a copy taken with SQLite's online backup
API (the app keeps serving meanwhile), on PostgreSQL inside one ``REPEATABLE READ`` read-only
transaction. The format does not depend on the database, so a backup taken on SQLite restores
into PostgreSQL and back.

A restore needs an empty database: it creates the schema at the backup's revision, inserts every
row in one transaction (nothing is kept if any row fails), moves PostgreSQL's id sequences past
the restored ids, then upgrades the schema to this version's newest.

The pictures are read from the data folder after the database's moment is fixed, so every
picture its rows name is there (a picture is written before its row, and never changed).
A restore puts them in the new data folder's ``media/`` once the rows are in.

The file holds every participant's answers: keep it as carefully as the database (it is written
readable by its owner only). The secret key is not in it: after a restore into a new data folder,
staff sign in again; participants' tokens keep working (they are stored as plain hashes).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import shutil
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import MetaData, Table, func, inspect, select, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.types import Date, DateTime, LargeBinary

from alembic import command
from app import backup_media, db
from app.settings import Settings

FORMAT = "qsort-backup"
VERSION = 2
READABLE = (1, 2)
VERSION_TABLE = "alembic_version"
BATCH = 1000


class BackupError(Exception):
    """A backup or restore cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Summary:
    """What a backup or restore carried: rows per table, the schema revision, and the number
    of picture files of ``media/``."""

    revision: str
    rows: dict[str, int]
    media: int = 0


def backup(settings: Settings, out: Path) -> Summary:
    """Write the whole store of ``settings`` to ``out`` (replaced atomically, mode 600)."""
    with _snapshot(settings) as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
        if revision is None:
            raise BackupError("the database has no qsort schema: nothing to back up")
        tables = _tables(connection)
        header = {
            "format": FORMAT,
            "version": VERSION,
            "revision": revision,
            "dialect": settings_dialect(settings),
            "created": datetime.now(UTC).isoformat(),
            "tables": [t.name for t in tables],
        }
        with _atomic_gzip(out) as handle:
            _line(handle, header)
            rows = {t.name: _dump_table(connection, t, handle) for t in tables}
            media = backup_media.dump_media(settings.data_dir, handle)
    return Summary(revision, rows, media)


def restore(settings: Settings, source: Path) -> Summary:
    """Load the backup ``source`` into the empty store of ``settings`` and its pictures into
    the data folder's ``media/``; all or nothing."""
    settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    staging = Path(tempfile.mkdtemp(prefix=".restore-media-", dir=settings.data_dir))
    try:
        with gzip.open(source, "rt", encoding="utf-8") as handle:
            header = _header(handle)
            engine = db.make_engine(settings)
            try:
                with engine.begin() as connection:
                    _require_empty(connection)
                    _migrate(connection, settings, header["revision"])
                    rows, media = _load_tables(connection, handle, staging)
                    _reset_sequences(connection)
                    _migrate(connection, settings, "head")
            finally:
                engine.dispose()
        backup_media.install_media(staging, settings.data_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return Summary(str(header["revision"]), rows, media)


def settings_dialect(settings: Settings) -> str:
    """``sqlite`` or ``postgresql`` (the URL's backend name)."""
    return make_url(settings.database_url).get_backend_name()


@contextmanager
def _snapshot(settings: Settings) -> Iterator[Connection]:
    """A connection that sees one consistent moment of the store."""
    if not settings.is_sqlite:
        engine = db.make_engine(settings)
        try:
            with engine.connect() as connection:
                connection = connection.execution_options(isolation_level="REPEATABLE READ")
                with connection.begin():
                    connection.exec_driver_sql("SET TRANSACTION READ ONLY")
                    yield connection
        finally:
            engine.dispose()
        return
    path = make_url(settings.database_url).database
    if not path or not Path(path).is_file():
        raise BackupError(f"no SQLite database at {path!r}")
    with tempfile.TemporaryDirectory(prefix="qsort-backup-") as tmp:
        copy = Path(tmp) / "snapshot.sqlite3"
        source, target = sqlite3.connect(path), sqlite3.connect(copy)
        try:
            source.backup(target)  # SQLite's online backup API: a consistent copy
        finally:
            source.close()
            target.close()
        engine = db.make_engine(Settings(settings.data_dir, f"sqlite:///{copy}", "unused"))
        try:
            with engine.connect() as connection:
                yield connection
        finally:
            engine.dispose()


def _tables(connection: Connection) -> list[Table]:
    """Every table but Alembic's, parents before children."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    return [t for t in metadata.sorted_tables if t.name != VERSION_TABLE]


def _dump_table(connection: Connection, table: Table, handle: IO[str]) -> int:
    """Write one table's header line and rows (in primary-key order); return the row count."""
    count = connection.execute(select(func.count()).select_from(table)).scalar_one()
    _line(handle, {"table": table.name, "columns": list(table.columns.keys()), "rows": count})
    order = list(table.primary_key.columns) or list(table.columns)
    written = 0
    for row in connection.execute(select(table).order_by(*order)):
        _line(handle, [_encode(value) for value in row])
        written += 1
    if written != count:  # cannot happen inside one snapshot; a restore would misread it
        raise BackupError(f"table {table.name} changed while it was read")
    return count


def _encode(value: Any) -> Any:
    """A JSON-ready form of one stored value."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, Decimal):
        return str(value)
    return value


def _decode(value: Any, column_type: Any) -> Any:
    """The stored form of a value read from a backup, for a column of ``column_type``."""
    if value is None:
        return None
    if isinstance(column_type, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(column_type, Date):
        return date.fromisoformat(value)
    if isinstance(column_type, LargeBinary):
        return base64.b64decode(value)
    return value


def _line(handle: IO[str], value: Any) -> None:
    handle.write(json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False))
    handle.write("\n")


@contextmanager
def _atomic_gzip(out: Path) -> Iterator[IO[str]]:
    """A gzip text stream into a private temporary file that becomes ``out`` only when whole."""
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", dir=out.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, gzip.open(raw, "wt", encoding="utf-8") as handle:
            yield handle
        os.chmod(tmp, 0o600)
        tmp.replace(out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def _header(handle: IO[str]) -> dict[str, Any]:
    """Read and check the first line of a backup."""
    try:
        header = json.loads(handle.readline())
    except (json.JSONDecodeError, OSError, EOFError) as exc:
        raise BackupError(
            f"not a qsort backup (expected gzip-compressed JSON lines): {exc}"
        ) from exc
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise BackupError("not a qsort backup: the first line does not name the format")
    if header.get("version") not in READABLE:
        raise BackupError(
            f"backup format version {header.get('version')}, this qsort reads "
            f"{' and '.join(map(str, READABLE))}"
        )
    return header


def _require_empty(connection: Connection) -> None:
    """Refuse to restore over data: every existing table must be empty."""
    inspector = inspect(connection)
    for name in inspector.get_table_names():
        if name == VERSION_TABLE:
            continue
        table = Table(name, MetaData())
        found = connection.execute(select(func.count()).select_from(table)).scalar_one()
        if found:
            raise BackupError(
                f"the target database already holds data (table {name} has {found} rows); "
                "restore into an empty data folder or an empty database"
            )


def _migrate(connection: Connection, settings: Settings, revision: str) -> None:
    """Bring the schema on ``connection`` to ``revision`` (which this qsort must know)."""
    config = db.alembic_config(settings)
    if revision != "head":
        try:
            ScriptDirectory.from_config(config).get_revision(revision)
        except Exception as exc:
            raise BackupError(
                f"the backup's schema revision {revision!r} is unknown here: "
                "restore it with the qsort version that made it, or a newer one"
            ) from exc
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def _load_tables(
    connection: Connection, handle: IO[str], staging: Path
) -> tuple[dict[str, int], int]:
    """Insert every table's rows from the backup and read its pictures into ``staging``;
    return the row counts and the number of pictures."""
    metadata = MetaData()
    metadata.reflect(bind=connection)
    counts: dict[str, int] = {}
    media = 0
    for raw in handle:
        spec = json.loads(raw)
        if "media" in spec:
            try:
                media = backup_media.load_media(handle, int(spec["media"]), staging)
            except backup_media.MediaError as exc:
                raise BackupError(f"the backup is damaged: {exc}") from None
            continue
        table = metadata.tables.get(spec["table"])
        if table is None:
            raise BackupError(f"the backup has a table {spec['table']!r} this schema lacks")
        counts[table.name] = _load_rows(connection, table, spec, handle)
    return counts, media


def _load_rows(connection: Connection, table: Table, spec: dict[str, Any], handle: IO[str]) -> int:
    """Insert ``spec["rows"]`` rows of ``table`` read from ``handle``, in batches."""
    columns = [table.columns[name] for name in spec["columns"]]
    batch: list[dict[str, Any]] = []
    for _ in range(int(spec["rows"])):
        values = json.loads(handle.readline())
        batch.append({c.name: _decode(v, c.type) for c, v in zip(columns, values, strict=True)})
        if len(batch) == BATCH:
            connection.execute(table.insert(), batch)
            batch = []
    if batch:
        connection.execute(table.insert(), batch)
    return int(spec["rows"])


def _reset_sequences(connection: Connection) -> None:
    """On PostgreSQL, move each ``id`` sequence past the largest restored id."""
    if connection.dialect.name != "postgresql":
        return
    inspector = inspect(connection)
    for name in inspector.get_table_names():
        if "id" not in {c["name"] for c in inspector.get_columns(name)}:
            continue
        sequence = connection.execute(
            text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": name}
        ).scalar()
        if sequence:
            connection.execute(
                text(
                    f'SELECT setval(:s, COALESCE((SELECT MAX(id) FROM "{name}"), 1), '
                    f'(SELECT MAX(id) FROM "{name}") IS NOT NULL)'
                ),
                {"s": sequence},
            )
