"""Submitting a sort: validate it against the participant's grid and Q-set version, record it once.

Validation names every problem (unknown or missing cards, a card placed twice, a place used twice,
a value or row outside the grid, a column over or under its capacity) so the device can show
exactly what is wrong. Recording is idempotent: the participant may have one sort only; a retry
with the same key, or the same placements, returns the sort already recorded, and a race between
two requests is settled by the unique constraint on the participant. A key that already names
another participant's sort is refused with :class:`KeyInUseError` (409 ``key_in_use``), so the
device makes a new key instead of failing on every retry.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from app import store
from app.errors import (
    AlreadySubmittedError,
    InvalidSubmissionError,
    KeyInUseError,
    NotJoinedError,
)
from app.models import GridShape, Participant, QSortRecord
from qsort.study import Grid

Problem = dict[str, Any]


@dataclass(frozen=True)
class Placement:
    """One card on the grid as the device sent it: statement number, column value, row."""

    statement: int
    value: int
    row: int


@dataclass(frozen=True)
class Submitted:
    """The recorded sort and whether this request created it (False for a repeat)."""

    record: QSortRecord
    created: bool


def check_placements(
    grid: GridShape, numbers: set[int], placements: list[Placement]
) -> list[Problem]:
    """Every problem with ``placements`` on ``grid`` for a Q-set holding statements ``numbers``."""
    problems: list[Problem] = []
    seen = Counter(p.statement for p in placements)
    problems += [{"code": "unknown_statement", "statement": n} for n in sorted(set(seen) - numbers)]
    problems += [
        {"code": "duplicate_statement", "statement": n} for n, c in sorted(seen.items()) if c > 1
    ]
    problems += [{"code": "missing_statement", "statement": n} for n in sorted(numbers - set(seen))]
    capacity = dict(zip(grid.column_values, grid.capacities, strict=True))
    for p in placements:
        if p.value not in capacity:
            problems.append({"code": "value_off_grid", "statement": p.statement, "value": p.value})
        elif not 0 <= p.row < capacity[p.value]:
            problems.append(
                {
                    "code": "row_off_grid",
                    "statement": p.statement,
                    "value": p.value,
                    "row": p.row,
                    "capacity": capacity[p.value],
                }
            )
    cells = Counter((p.value, p.row) for p in placements)
    problems += [
        {"code": "cell_taken_twice", "value": v, "row": r}
        for (v, r), c in sorted(cells.items())
        if c > 1
    ]
    problems += _column_problems(grid, placements)
    return problems


def _column_problems(grid: GridShape, placements: list[Placement]) -> list[Problem]:
    """Column counts against capacities, using the engine's own grid rule."""
    engine_grid = Grid(tuple(grid.column_values), tuple(grid.capacities), grid.forced)
    found = Counter(p.value for p in placements)
    problems: list[Problem] = []
    for value, cap in zip(grid.column_values, grid.capacities, strict=True):
        over = found.get(value, 0) > cap
        under = grid.forced and found.get(value, 0) < cap
        if over or under:
            problems.append(
                {
                    "code": "column_count",
                    "value": value,
                    "found": found.get(value, 0),
                    "capacity": cap,
                }
            )
    if not problems and engine_grid.forced and len(placements) == engine_grid.size:
        problems += [
            {"code": "grid_rule", "detail": d}
            for d in engine_grid.check_sort([p.value for p in placements])
        ]
    return problems


def submit_sort(
    db: Session,
    participant: Participant,
    *,
    key: str,
    qset_id: int,
    grid_id: int,
    placements: list[Placement],
    trace: dict[str, Any] | None = None,
) -> Submitted:
    """Validate and record the participant's sort (with its move trace), exactly once."""
    if participant.finished_at is not None:
        raise NotJoinedError("this participant has finished")
    assert participant.id is not None
    existing = store.sort_of(db, participant.id)
    if existing is not None:
        return _repeat(db, existing, key, placements)
    _refuse_foreign_key(db, key)
    version_problems = _version_problems(participant, qset_id, grid_id)
    if version_problems:
        raise InvalidSubmissionError("sort made on another version", problems=version_problems)
    grid = store.get_grid(db, participant.grid_id)
    assert grid is not None
    id_of = store.statement_ids(db, participant.qset_id)
    problems = check_placements(grid, set(id_of), placements)
    if problems:
        raise InvalidSubmissionError(f"{len(problems)} problem(s) with the sort", problems=problems)
    rows = [(id_of[p.statement], p.value, p.row) for p in placements]
    try:
        record = store.add_sort(db, participant, key, rows, trace)
        store.mark(participant, "sorted_at")
        db.add(participant)
        db.commit()
    except IntegrityError:  # a concurrent request recorded it first
        db.rollback()
        existing = store.sort_of(db, participant.id)
        if existing is None:
            _refuse_foreign_key(db, key)
            raise
        return _repeat(db, existing, key, placements)
    return Submitted(record, True)


def _refuse_foreign_key(db: Session, key: str) -> None:
    """Raise :class:`KeyInUseError` when ``key`` already names a sort (not this participant's)."""
    if store.sort_by_key(db, key) is not None:
        raise KeyInUseError("this submit key is already used by another sort")


def _version_problems(participant: Participant, qset_id: int, grid_id: int) -> list[Problem]:
    problems: list[Problem] = []
    if qset_id != participant.qset_id:
        problems.append({"code": "qset_version", "found": qset_id, "expected": participant.qset_id})
    if grid_id != participant.grid_id:
        problems.append({"code": "grid_version", "found": grid_id, "expected": participant.grid_id})
    return problems


def _repeat(db: Session, existing: QSortRecord, key: str, placements: list[Placement]) -> Submitted:
    """A second submission: the same key or the same sort is a retry; anything else a conflict."""
    if existing.submit_key == key:
        return Submitted(existing, False)
    assert existing.id is not None
    number_of = {s.id: s.number for s in store.statements(db, existing.qset_id)}
    entries = store.sort_entries(db, existing.id)
    stored = {(number_of[e.statement_id], e.value, e.row) for e in entries}
    if stored == {(p.statement, p.value, p.row) for p in placements}:
        return Submitted(existing, False)
    raise AlreadySubmittedError("a different sort was already recorded for this participant")
