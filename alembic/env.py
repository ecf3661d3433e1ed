"""Alembic environment: the URL comes from the app's settings, the metadata from its models.

When the app runs migrations itself it passes an open connection in
``config.attributes["connection"]``; from the command line (``alembic upgrade head`` at the
repository root) the URL comes from ``QSORT_DATABASE_URL`` or the default data folder.
"""

from __future__ import annotations

from sqlalchemy.engine import Connection
from sqlmodel import SQLModel

import app.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from alembic import context
from app.settings import Settings

target_metadata = SQLModel.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run the migrations on the connection given by the app, or on a fresh engine."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    from app.db import make_engine

    url = context.config.get_main_option("sqlalchemy.url")
    settings = Settings.from_env()
    if url:
        settings = Settings(settings.data_dir, url, settings.secret_key)
    engine = make_engine(settings)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline (SQL script) migrations are not supported; run against a database")
run_migrations_online()
