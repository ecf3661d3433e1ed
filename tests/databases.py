"""The databases the app's tests run on: the embedded SQLite, and PostgreSQL when available.

``scripts/test.sh`` starts a private PostgreSQL server and sets ``QSORT_TEST_POSTGRES_URL``; each
test then gets a schema of its own on it (through ``search_path``), dropped afterwards, so tests
never see each other's rows. Without the variable the PostgreSQL cases are skipped.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ENV = "QSORT_TEST_POSTGRES_URL"
BACKENDS = ("sqlite", "postgresql")


def postgres_url() -> str:
    """The test server's URL, or skip the calling test when there is none."""
    url = os.environ.get(POSTGRES_ENV, "")
    if not url:
        pytest.skip(f"{POSTGRES_ENV} is not set (scripts/test.sh starts a PostgreSQL server)")
    return url


@contextmanager
def postgres_schema() -> Iterator[str]:
    """A fresh schema on the test server; yields a URL whose connections use only it."""
    base = make_url(postgres_url())
    name = f"t_{secrets.token_hex(6)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{name}"'))
    url = base.update_query_dict({"options": f"-csearch_path={name}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP SCHEMA "{name}" CASCADE'))
        admin.dispose()


@contextmanager
def database_url(backend: str, data_dir: Path) -> Iterator[str]:
    """A URL of an empty database of kind ``backend`` ("sqlite" or "postgresql")."""
    if backend == "sqlite":
        yield f"sqlite:///{data_dir / 'qsort.sqlite3'}"
        return
    with postgres_schema() as url:
        yield url
