"""A migrated store holding Lipset's nine sorts in two participant groups."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from app import db as app_db
from app.settings import Settings
from qsort.study import Study
from tests.app.workbench.stored import store_study


@pytest.fixture()
def engine(tmp_path: Path) -> Iterator[Engine]:
    settings = Settings.for_data_dir(tmp_path, seed_demo=False)
    made = app_db.make_engine(settings)
    app_db.upgrade(made, settings)
    yield made
    made.dispose()


@pytest.fixture()
def lipset_db(engine: Engine, lipset: Study) -> Iterator[tuple[Session, int]]:
    """A session on the store and the id of the stored Lipset study."""
    with Session(engine, expire_on_commit=False) as db:
        yield db, store_study(db, lipset)
