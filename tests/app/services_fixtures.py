"""A small study of its own (5 statements on a -1..+1 grid) for store and service tests.

The ``small_study`` fixture (tests/app/conftest.py) builds it in a migrated store.
"""

from __future__ import annotations

from sqlmodel import Session

from app import store
from app.models import Study
from app.services.submit import Placement

STATEMENTS = ["Cravings pass", "Family helps", "Work matters", "Sleep is hard", "Money worries"]
COLUMNS, CAPACITIES = [-1, 0, 1], [1, 3, 1]
CODE = "TINY"

#: statement number -> (column value, row): a complete, valid sort of the small study.
VALID = {1: (1, 0), 2: (0, 0), 3: (0, 1), 4: (0, 2), 5: (-1, 0)}


def the_study(db: Session) -> Study:
    study = store.get_study(db, 1)
    assert study is not None
    return study


def placements(chosen: dict[int, tuple[int, int]] = VALID) -> list[Placement]:
    return [Placement(n, value, row) for n, (value, row) in chosen.items()]
